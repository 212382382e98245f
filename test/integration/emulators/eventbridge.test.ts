import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventBridgeEmulator } from "../../../local/emulators/eventbridge.js";
import { startSqsEmulator } from "../../../local/emulators/sqs.js";
import type { ActivityEvent, RunningEmulator } from "../../../local/emulators/types.js";
import { eventually, localClientConfig, recordActivity } from "./helpers.js";

const ACCOUNT = "000000000000";
const BUS = "herald-dev";
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

let sqsEmulator: RunningEmulator;
let ebEmulator: RunningEmulator;
let sqs: SQSClient;
let eb: EventBridgeClient;
let activity: ActivityEvent[];
const invoked: { arn: string; event: unknown }[] = [];
const queueUrls = new Map<string, string>();

beforeAll(async () => {
  sqsEmulator = await startSqsEmulator({ port: 0 });
  ebEmulator = await startEventBridgeEmulator({
    port: 0,
    sqsEndpoint: sqsEmulator.url,
    retryBaseMs: 50,
    invokeFunction: async (target, event) => {
      invoked.push({ arn: target.arn, event });
    },
  });
  activity = recordActivity(ebEmulator);
  sqs = new SQSClient(localClientConfig(sqsEmulator.url));
  eb = new EventBridgeClient(localClientConfig(ebEmulator.url));
  for (const name of ["published", "connections", "events-dlq"]) {
    queueUrls.set(name, (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!);
  }
  await eb.send(new CreateEventBusCommand({ Name: BUS }));
});

afterAll(async () => {
  eb?.destroy();
  sqs?.destroy();
  await ebEmulator?.close();
  await sqsEmulator?.close();
});

async function drain(queue: string, expected: number): Promise<Message[]> {
  const got: Message[] = [];
  await eventually(async () => {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrls.get(queue),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 300,
        MessageAttributeNames: ["All"],
      }),
    );
    got.push(...(out.Messages ?? []));
    if (got.length < expected) throw new Error(`${got.length}/${expected} messages in ${queue}`);
  });
  return got;
}

const entry = (detailType: string, detail: Record<string, unknown>, source = "herald.publishing") => ({
  EventBusName: BUS,
  Source: source,
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

describe("EventBridge emulator", () => {
  it("routes a matching PutEvents to the SQS target as a full envelope, and not a non-matching one", async () => {
    await eb.send(
      new PutRuleCommand({
        Name: "meta-published",
        EventBusName: BUS,
        EventPattern: JSON.stringify({
          source: ["herald.publishing"],
          "detail-type": ["DeliveryPublished"],
          detail: { provider: ["meta"], tenantId: [{ prefix: "t-" }] },
        }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: "meta-published",
        EventBusName: BUS,
        Targets: [{ Id: "q", Arn: queueArn("published") }],
      }),
    );
    await eb.send(
      new PutRuleCommand({
        Name: "connections",
        EventBusName: BUS,
        EventPattern: JSON.stringify({ source: ["herald.connections"] }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: "connections",
        EventBusName: BUS,
        Targets: [{ Id: "q", Arn: queueArn("connections") }],
      }),
    );

    const put = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            ...entry("DeliveryPublished", { provider: "meta", tenantId: "t-1", deliveryId: "d-1" }),
            Resources: ["arn:x"],
          },
          entry("DeliveryPublished", { provider: "linkedin", tenantId: "t-1", deliveryId: "d-2" }),
          entry("DeliveryFailed", { provider: "meta", tenantId: "t-1", deliveryId: "d-3" }),
          {
            EventBusName: BUS,
            Source: "herald.publishing",
            DetailType: "DeliveryPublished",
            Detail: "not json",
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[3]?.ErrorCode).toBe("MalformedDetail");
    expect(put.Entries?.slice(0, 3).every((e) => typeof e.EventId === "string" && !e.ErrorCode)).toBe(true);

    const [message] = await drain("published", 1);
    const envelope = JSON.parse(message!.Body!);
    expect(envelope).toEqual({
      version: "0",
      id: put.Entries?.[0]?.EventId,
      "detail-type": "DeliveryPublished",
      source: "herald.publishing",
      account: ACCOUNT,
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      region: "us-east-1",
      resources: ["arn:x"],
      detail: { provider: "meta", tenantId: "t-1", deliveryId: "d-1" },
    });

    // An event for the other rule, put afterwards, marks the point by which d-2 and d-3 would have arrived.
    await eb.send(
      new PutEventsCommand({
        Entries: [entry("ConnectionNeedsReauth", { tenantId: "t-1" }, "herald.connections")],
      }),
    );
    await drain("connections", 1);
    const more = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrls.get("published"), WaitTimeSeconds: 0 }),
    );
    expect(more.Messages ?? []).toHaveLength(0);
    const puts = activity.filter((e) => e.type === "event-put");
    expect(puts.map((e) => e.detail.rules)).toEqual([["meta-published"], [], [], ["connections"]]);
    // The emulator records a delivery once SQS has answered, which can be just after the message is receivable.
    await eventually(async () => {
      expect(
        activity
          .filter((e) => e.type === "event-delivered")
          .map((e) => String(e.detail.rule))
          .sort(),
      ).toEqual(["connections", "meta-published"]);
    });
  });

  it("delivers to Lambda targets through invokeFunction, with a constant Input or an InputPath", async () => {
    await eb.send(
      new PutRuleCommand({
        Name: "to-lambda",
        EventPattern: JSON.stringify({ source: ["herald.analytics"] }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: "to-lambda",
        Targets: [
          { Id: "whole", Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:herald-dev-consumer` },
          {
            Id: "detail",
            Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:herald-dev-detail`,
            InputPath: "$.detail",
          },
          {
            Id: "fixed",
            Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:herald-dev-fixed`,
            Input: '{"fixed":true}',
          },
        ],
      }),
    );
    await eb.send(
      new PutEventsCommand({
        Entries: [{ Source: "herald.analytics", DetailType: "SnapshotTaken", Detail: '{"targetId":"tg-1"}' }],
      }),
    );
    await eventually(async () => {
      if (invoked.length < 3) throw new Error(`${invoked.length} invocations`);
    });
    const byArn = Object.fromEntries(invoked.map((i) => [i.arn.split(":").pop(), i.event]));
    expect(byArn["herald-dev-consumer"]).toMatchObject({
      source: "herald.analytics",
      detail: { targetId: "tg-1" },
    });
    expect(byArn["herald-dev-detail"]).toEqual({ targetId: "tg-1" });
    expect(byArn["herald-dev-fixed"]).toEqual({ fixed: true });
  });

  it("retries a failing target and then sends the event to its dead-letter queue", async () => {
    await eb.send(
      new PutRuleCommand({
        Name: "broken",
        EventBusName: BUS,
        EventPattern: JSON.stringify({ source: ["herald.broken"] }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: "broken",
        EventBusName: BUS,
        Targets: [
          {
            Id: "missing-queue",
            Arn: queueArn("does-not-exist"),
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
            DeadLetterConfig: { Arn: queueArn("events-dlq") },
          },
        ],
      }),
    );
    const put = await eb.send(
      new PutEventsCommand({ Entries: [entry("Anything", { n: 1 }, "herald.broken")] }),
    );
    const [dead] = await drain("events-dlq", 1);
    expect(JSON.parse(dead!.Body!)).toMatchObject({ id: put.Entries?.[0]?.EventId, detail: { n: 1 } });
    expect(dead?.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe("2");
    expect(dead?.MessageAttributes?.TARGET_ARN?.StringValue).toBe(queueArn("does-not-exist"));
    expect(
      activity.filter((e) => e.type === "event-delivery-retried" && e.detail.rule === "broken"),
    ).toHaveLength(2);
  });

  it("lists event buses by name, with NamePrefix and Limit/NextToken", async () => {
    await eb.send(new CreateEventBusCommand({ Name: "list-b" }));
    await eb.send(new CreateEventBusCommand({ Name: "list-a" }));
    const all = await eb.send(new ListEventBusesCommand({}));
    const names = all.EventBuses?.map((b) => b.Name) ?? [];
    expect(names).toEqual(expect.arrayContaining(["default", BUS, "list-a", "list-b"]));
    expect(all.EventBuses?.find((b) => b.Name === "list-a")?.Arn).toBe(
      `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/list-a`,
    );
    const prefixed = await eb.send(new ListEventBusesCommand({ NamePrefix: "list-", Limit: 1 }));
    expect(prefixed.EventBuses?.map((b) => b.Name)).toEqual(["list-a"]);
    const next = await eb.send(
      new ListEventBusesCommand({ NamePrefix: "list-", Limit: 1, NextToken: prefixed.NextToken }),
    );
    expect(next.EventBuses?.map((b) => b.Name)).toEqual(["list-b"]);
    expect(next.NextToken).toBeUndefined();
  });

  it("manages buses, rules and targets with AWS's errors", async () => {
    await expect(eb.send(new CreateEventBusCommand({ Name: BUS }))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException,
    );
    expect((await eb.send(new DescribeEventBusCommand({ Name: BUS }))).Arn).toBe(
      `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${BUS}`,
    );
    await expect(
      eb.send(
        new PutRuleCommand({
          Name: "bad",
          EventBusName: BUS,
          EventPattern: JSON.stringify({ source: "no-array" }),
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(
      eb.send(new PutRuleCommand({ Name: "orphan", EventBusName: "nope", EventPattern: '{"source":["x"]}' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const rule = await eb.send(new DescribeRuleCommand({ Name: "meta-published", EventBusName: BUS }));
    expect(rule).toMatchObject({
      State: "ENABLED",
      EventBusName: BUS,
      Arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/${BUS}/meta-published`,
    });
    const listed = await eb.send(new ListRulesCommand({ EventBusName: BUS, NamePrefix: "meta" }));
    expect(listed.Rules?.map((r) => r.Name)).toEqual(["meta-published"]);
    const targets = await eb.send(
      new ListTargetsByRuleCommand({ Rule: "meta-published", EventBusName: BUS }),
    );
    expect(targets.Targets).toEqual([{ Id: "q", Arn: queueArn("published") }]);

    await expect(
      eb.send(new DeleteRuleCommand({ Name: "meta-published", EventBusName: BUS })),
    ).rejects.toMatchObject({ name: "ValidationException" });
    await eb.send(new RemoveTargetsCommand({ Rule: "meta-published", EventBusName: BUS, Ids: ["q"] }));
    await eb.send(new DeleteRuleCommand({ Name: "meta-published", EventBusName: BUS }));
    await expect(
      eb.send(new DescribeRuleCommand({ Name: "meta-published", EventBusName: BUS })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const tooMany = Array.from({ length: 11 }, () => entry("X", {}));
    await expect(eb.send(new PutEventsCommand({ Entries: tooMany }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(eb.send(new DeleteEventBusCommand({ Name: "default" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });
});
