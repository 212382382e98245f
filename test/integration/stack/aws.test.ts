/**
 * The stack wires the AWS emulators the way Herald's handlers will use them: the resources
 * from schemas/resources.ts exist on the stack's endpoints, and the behaviours Herald relies
 * on hold through those endpoints (redrive to the DLQ and back, at() schedules, conflicts,
 * secret rotation), exercised with the unmodified SDK v3 clients.
 */
import { randomUUID } from "node:crypto";
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeEventBusCommand, EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionSpec } from "../../../functions/manifest.js";
import { startQueuePoller } from "../../../local/runtime/poller.js";
import { ENV } from "../../../schemas/env.js";
import { names, QUEUES, TABLE, TOKEN_KEY } from "../../../schemas/resources.js";
import { api, eventually, stackInfo } from "../../support/stack.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sqs: SQSClient;
let scheduler: SchedulerClient;
let secrets: SecretsManagerClient;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => {
  const { aws } = stackInfo();
  sqs = new SQSClient({ region: aws.region, credentials, endpoint: aws.sqs });
  scheduler = new SchedulerClient({ region: aws.region, credentials, endpoint: aws.scheduler });
  secrets = new SecretsManagerClient({ region: aws.region, credentials, endpoint: aws.secretsmanager });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  for (const c of [sqs, scheduler, secrets]) c?.destroy();
});

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function createQueue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  cleanups.push(() => sqs.send(new DeleteQueueCommand({ QueueUrl })));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: attrs.Attributes!.QueueArn! };
}

const receiveAll = async (url: string, wait = 1) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: wait,
        AttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    )
  ).Messages ?? [];

describe("environment for in-process code", () => {
  it("test workers inherit the handlers' environment: SDK endpoints and Herald's names point at the stack", async () => {
    const { aws, resources } = stackInfo();
    expect(process.env.AWS_ENDPOINT_URL_SQS).toBe(aws.sqs);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(aws.dynamodb);
    expect(process.env.AWS_ENDPOINT_URL_SCHEDULER).toBe(aws.scheduler);
    expect(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBe(aws.secretsmanager);
    expect(process.env.AWS_ENDPOINT_URL_KMS).toBe(aws.kms);
    expect(process.env.AWS_ENDPOINT_URL_EVENTBRIDGE).toBe(aws.eventbridge);
    expect(process.env[ENV.TOKEN_KEY_ID]).toBe(resources.tokenKey.arn);
    expect(process.env[ENV.TABLE_NAME]).toBe(resources.table);
    expect(process.env[ENV.PUBLISH_QUEUE_URL]).toBe(resources.queues.publish);
    // A client built with no endpoint, as handlers build theirs, reaches the stack.
    const plain = new SQSClient({});
    try {
      const attrs = await plain.send(
        new GetQueueAttributesCommand({ QueueUrl: resources.queues.publish, AttributeNames: ["QueueArn"] }),
      );
      expect(attrs.Attributes?.QueueArn).toBe(resources.queueArns.publish);
    } finally {
      plain.destroy();
    }
  });
});

describe("resources the stack created", () => {
  it("has the table with its keys, GSIs and TTL on", async () => {
    const { aws, resources } = stackInfo();
    const ddb = new DynamoDBClient({ region: aws.region, credentials, endpoint: aws.dynamodb });
    try {
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: resources.table }));
      expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual([TABLE.partitionKey, TABLE.sortKey]);
      expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(
        TABLE.globalIndexes.map((g) => g.name).sort(),
      );
      const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: resources.table }));
      expect(ttl.TimeToLiveDescription).toMatchObject({
        AttributeName: TABLE.ttlAttribute,
        TimeToLiveStatus: "ENABLED",
      });
    } finally {
      ddb.destroy();
    }
  });

  it("has each queue redriving to its DLQ after maxReceiveCount", async () => {
    const { resources } = stackInfo();
    for (const def of Object.values(QUEUES)) {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: resources.queues[def.id], AttributeNames: ["All"] }),
      );
      expect(Number(Attributes?.VisibilityTimeout)).toBe(def.visibilityTimeoutSeconds);
      expect(JSON.parse(Attributes?.RedrivePolicy ?? "{}")).toEqual({
        deadLetterTargetArn: resources.queueArns[`${def.id}Dlq`],
        maxReceiveCount: def.maxReceiveCount,
      });
    }
    expect(resources.queues.schedulerDlq).toBeTruthy();
  });

  it("has the schedule group and the bus", async () => {
    const { aws, resources } = stackInfo();
    const group = await scheduler.send(new GetScheduleGroupCommand({ Name: resources.scheduleGroup }));
    expect(group.State).toBe("ACTIVE");
    const events = new EventBridgeClient({ region: aws.region, credentials, endpoint: aws.eventbridge });
    try {
      const bus = await events.send(new DescribeEventBusCommand({ Name: resources.bus }));
      expect(bus.Name).toBe(resources.bus);
      const put = await events.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: resources.bus, Source: "herald.test", DetailType: "Ping", Detail: "{}" }],
        }),
      );
      expect(put.FailedEntryCount ?? 0).toBe(0);
    } finally {
      events.destroy();
    }
  });

  it("seeded the app credentials secret and aliased the token key", async () => {
    const { resources } = stackInfo();
    const app = JSON.parse(
      (await secrets.send(new GetSecretValueCommand({ SecretId: resources.secrets.appCredentials })))
        .SecretString!,
    );
    expect(app).toMatchObject({
      meta: {
        appId: expect.any(String),
        appSecret: expect.any(String),
        webhookVerifyToken: expect.any(String),
      },
      linkedin: { clientId: expect.any(String), clientSecret: expect.any(String) },
    });
    expect(Object.keys(resources.secrets)).toEqual(["appCredentials"]);
    const kms = new KMSClient({ region: stackInfo().aws.region, credentials, endpoint: stackInfo().aws.kms });
    try {
      const key = await kms.send(new DescribeKeyCommand({ KeyId: names.tokenKeyAlias(resources.stage) }));
      expect(key.KeyMetadata).toMatchObject({
        Arn: resources.tokenKey.arn,
        Description: TOKEN_KEY.description,
      });
      expect(resources.tokenKey.alias).toBe(names.tokenKeyAlias(resources.stage));
    } finally {
      kms.destroy();
    }
  });
});

describe("queue poller + redrive", () => {
  it("deletes the successes, lets a failing message reach the DLQ after maxReceiveCount, and a move task brings it back", async () => {
    const dlq = await createQueue(unique("herald-test-dlq"), { VisibilityTimeout: "1" });
    const queue = await createQueue(unique("herald-test"), {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const seen: { body: string; receiveCount: string; arn: string; source: string }[] = [];
    const fn = { name: "fixture-consumer", timeoutSeconds: 5 } as FunctionSpec;
    const poller = startQueuePoller({
      sqs,
      fn,
      trigger: { batchSize: 10, maxConcurrency: 2 },
      queueUrl: queue.url,
      queueArn: queue.arn,
      region: stackInfo().aws.region,
      waitTimeSeconds: 1,
      invoker: {
        invoke: async <T>(_fn: FunctionSpec, event: unknown) => {
          const records = (event as SQSEvent).Records;
          for (const r of records) {
            seen.push({
              body: r.body,
              receiveCount: r.attributes.ApproximateReceiveCount,
              arn: r.eventSourceARN,
              source: r.eventSource,
            });
          }
          const result: SQSBatchResponse = {
            batchItemFailures: records
              .filter((r) => r.body === "poison")
              .map((r) => ({ itemIdentifier: r.messageId })),
          };
          return { requestId: randomUUID(), durationMs: 0, result: result as T };
        },
      },
    });
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "good" }));
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "poison" }));
      const inDlq = await eventually(
        async () => {
          const got = await receiveAll(dlq.url, 1);
          return got.length ? got : undefined;
        },
        { timeoutMs: 30_000, what: "the poison message in the DLQ" },
      );
      expect(inDlq.map((m) => m.Body)).toEqual(["poison"]);
      expect(seen.filter((s) => s.body === "good")).toHaveLength(1);
      expect(seen.filter((s) => s.body === "poison").map((s) => s.receiveCount)).toEqual(["1", "2"]);
      expect(seen[0]).toMatchObject({ arn: queue.arn, source: "aws:sqs" });
    } finally {
      await poller.stop();
    }

    // Looking at it hid it for the DLQ's 1 s visibility; wait until it is visible, then move it back.
    await eventually(
      async () => {
        const attrs = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: dlq.url,
            AttributeNames: ["ApproximateNumberOfMessages"],
          }),
        );
        return Number(attrs.Attributes?.ApproximateNumberOfMessages) === 1 ? true : undefined;
      },
      { timeoutMs: 60_000, what: "the DLQ message to be visible again" },
    );
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    const back = await eventually(
      async () => {
        const got = await receiveAll(queue.url, 1);
        return got.length ? got : undefined;
      },
      { timeoutMs: 30_000, what: "the message back on its source queue" },
    );
    expect(back.map((m) => m.Body)).toEqual(["poison"]);
  });
});

describe("queue poller when the function throws", () => {
  it("deletes nothing: the whole batch comes back after its visibility timeout", async () => {
    const queue = await createQueue(unique("herald-test-throw"), { VisibilityTimeout: "1" });
    const counts: string[] = [];
    let fail = true;
    const poller = startQueuePoller({
      sqs,
      fn: { name: "fixture-thrower", timeoutSeconds: 5 } as FunctionSpec,
      trigger: { batchSize: 10, maxConcurrency: 2 },
      queueUrl: queue.url,
      queueArn: queue.arn,
      region: stackInfo().aws.region,
      waitTimeSeconds: 1,
      invoker: {
        invoke: async <T>(_fn: FunctionSpec, event: unknown) => {
          for (const r of (event as SQSEvent).Records) counts.push(r.attributes.ApproximateReceiveCount);
          if (fail) {
            fail = false;
            throw new Error("fixture failure");
          }
          return { requestId: randomUUID(), durationMs: 0, result: undefined as T };
        },
      },
    });
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "again" }));
      await eventually(async () => (counts.length >= 2 ? true : undefined), {
        timeoutMs: 20_000,
        what: "the message to be delivered a second time",
      });
      expect(counts.slice(0, 2)).toEqual(["1", "2"]);
    } finally {
      await poller.stop();
    }
    expect(await receiveAll(queue.url, 1)).toHaveLength(0);
  });
});

describe("scheduler", () => {
  const atExpression = (d: Date) => `at(${d.toISOString().slice(0, 19)})`;

  it("fires an at() schedule once into the queue and deletes it (ActionAfterCompletion DELETE)", async () => {
    const { resources } = stackInfo();
    const target = await createQueue(unique("herald-test-target"));
    const name = unique("herald-test-at");
    await scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: resources.scheduleGroup,
        ScheduleExpression: atExpression(new Date(Date.now() + 1000)),
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        Target: {
          Arn: target.arn,
          RoleArn: resources.schedulerRoleArn,
          Input: JSON.stringify({ hello: name }),
        },
      }),
    );
    const messages = await eventually(
      async () => {
        const got = await receiveAll(target.url, 1);
        return got.length ? got : undefined;
      },
      { timeoutMs: 20_000, what: "the schedule to fire" },
    );
    expect(messages.map((m) => JSON.parse(m.Body!))).toEqual([{ hello: name }]);
    await eventually(
      async () => {
        try {
          await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: resources.scheduleGroup }));
          return undefined;
        } catch (error) {
          return error instanceof ResourceNotFoundException ? true : undefined;
        }
      },
      { timeoutMs: 10_000, what: "the schedule to be deleted after firing" },
    );
    expect(await receiveAll(target.url, 1)).toHaveLength(0);
  });

  it("refuses a duplicate schedule name in the group with ConflictException", async () => {
    const { resources } = stackInfo();
    const target = await createQueue(unique("herald-test-target"));
    const name = unique("herald-test-dup");
    const input = {
      Name: name,
      GroupName: resources.scheduleGroup,
      ScheduleExpression: atExpression(new Date(Date.now() + 3_600_000)),
      FlexibleTimeWindow: { Mode: "OFF" as const },
      Target: { Arn: target.arn, RoleArn: resources.schedulerRoleArn, Input: "{}" },
    };
    await scheduler.send(new CreateScheduleCommand(input));
    cleanups.push(() =>
      scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: resources.scheduleGroup })),
    );
    await expect(scheduler.send(new CreateScheduleCommand(input))).rejects.toBeInstanceOf(ConflictException);
  });
});

describe("secrets", () => {
  it("rotates a secret with the previous version still readable as AWSPREVIOUS", async () => {
    const name = `herald/${stackInfo().resources.stage}/${unique("test")}`;
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ v: 1 }) }));
    cleanups.push(() =>
      secrets.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true })),
    );
    await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify({ v: 2 }) }));
    const current = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
    const previous = await secrets.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: "AWSPREVIOUS" }),
    );
    expect(JSON.parse(current.SecretString!)).toEqual({ v: 2 });
    expect(JSON.parse(previous.SecretString!)).toEqual({ v: 1 });
    expect(current.VersionStages).toContain("AWSCURRENT");
    expect(previous.VersionStages).toContain("AWSPREVIOUS");
  });
});

describe("local-only endpoints", () => {
  it("answers 404 for a cron trigger of a function that has no schedule", async () => {
    const res = await api("/_local/cron/health", { method: "POST" });
    expect(res.status).toBe(404);
  });
});
