/**
 * `npm run dlq:replay -- --local` against the test stack: a message dead-lettered in each of
 * the four DLQs is replayed to where it was going and only then leaves its DLQ.
 *
 * - scheduler: a real dead letter (a schedule whose target queue does not exist, no retries);
 *   the replay sends its Input to the publish queue.
 * - events: a real dead letter of the EventBridge emulator (a rule target that cannot be
 *   reached, no retries), and Lambda's on-failure record in the shape the local asynchronous
 *   invoke writes; both are put back on the stage bus, where a rule now leads to a test queue.
 * - publish, webhook: sent to the DLQ directly as SQS would leave them (a real dead letter
 *   needs `maxReceiveCount` receives, each after the 6-minute visibility timeout).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayReport } from "../../../functions/operations/use-cases/replay-dead-letters.js";
import type { ActivityEvent } from "../../../local/emulators/types.js";
import { eventually, stackInfo } from "../../support/stack.js";

const REPO = join(import.meta.dirname, "../../..");
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const TEST_SOURCE = "herald.test.replay";
let sqs: SQSClient;
let eventbridge: EventBridgeClient;
let scheduler: SchedulerClient;

beforeAll(async () => {
  const { aws, resources } = stackInfo();
  sqs = new SQSClient({ region: aws.region, credentials, endpoint: aws.sqs });
  eventbridge = new EventBridgeClient({ region: aws.region, credentials, endpoint: aws.eventbridge });
  scheduler = new SchedulerClient({ region: aws.region, credentials, endpoint: aws.scheduler });
  // Earlier test files may have left dead letters; this file replays whole queues.
  for (const key of ["publishDlq", "webhookDlq", "schedulerDlq", "eventsDlq"])
    await sqs.send(new PurgeQueueCommand({ QueueUrl: resources.queues[key] }));
});
afterAll(() => {
  for (const c of [sqs, eventbridge, scheduler]) c?.destroy();
});

/** Runs the CLI against the test stack (its local.json is in the stack's directory). */
function dlqReplay(
  ...args: string[]
): Promise<{ code: number | null; report: ReplayReport; stderr: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bin/dlq-replay.ts", "--local", "--json", ...args],
    {
      cwd: REPO,
      env: { ...process.env, HERALD_LOCAL_DIR: stackInfo().dir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => {
      try {
        resolve({ code, report: JSON.parse(out) as ReplayReport, stderr: err });
      } catch {
        reject(new Error(`dlq-replay exited ${code} without a report: ${out}${err}`));
      }
    }),
  );
}

const depth = async (queueUrl: string) => {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
};

const waitForDepth = (queueUrl: string, n: number, what: string) =>
  eventually(async () => ((await depth(queueUrl)) === n ? true : undefined), { timeoutMs: 30_000, what });

/** Messages sent to `queue` (by name) since the stack started, from its activity log. */
const sentTo = (queue: string): ActivityEvent[] =>
  readFileSync(stackInfo().activityLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ActivityEvent)
    .filter((e) => e.source === "sqs" && e.type === "message-sent" && e.detail.queue === queue);

const queueName = (url: string) => url.split("/").pop()!;

async function receiveFrom(queueUrl: string, marker: string): Promise<Message> {
  return eventually(
    async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
        }),
      );
      return out.Messages?.find((m) => m.Body?.includes(marker));
    },
    { timeoutMs: 30_000, what: `a message carrying ${marker} on ${queueName(queueUrl)}` },
  );
}

const publishRequested = (marker: string) =>
  JSON.stringify({
    metadata: {
      id: randomUUID(),
      name: "PublishRequested",
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: marker,
    },
    data: { tenantId: `replay-${marker}`, deliveryId: `dlv_${marker}`, version: 1 },
  });

describe("why a replay tool: redrive works only from the queues' own DLQs", () => {
  it("StartMessageMoveTask refuses the scheduler and events DLQs (no queue redrives to them), as in AWS", async () => {
    const { resources } = stackInfo();
    for (const key of ["schedulerDlq", "eventsDlq"]) {
      await expect(
        sqs.send(new StartMessageMoveTaskCommand({ SourceArn: resources.queueArns[key] })),
        key,
      ).rejects.toThrow(/must be configured as a Dead Letter Queue/);
    }
    // The publish DLQ is one (an empty move task ends at once).
    const task = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: resources.queueArns.publishDlq }),
    );
    expect(task.TaskHandle).toBeTruthy();
  });
});

// Each replay is a `tsx` child process (seconds on a loaded machine; several per test): a
// deadline well above the integration tier's 60 s default, not a speed check.
describe("npm run dlq:replay against the local stack", { timeout: 240_000 }, () => {
  it("scheduler DLQ: the schedule's input reaches the publish queue, then leaves the DLQ", async () => {
    const { resources } = stackInfo();
    const marker = randomUUID().slice(0, 8);
    const missing = resources.queueArns.publish!.replace(/[^:]+$/, `herald-missing-${marker}`);
    await scheduler.send(
      new CreateScheduleCommand({
        Name: `replay-${marker}`,
        GroupName: resources.scheduleGroup,
        ScheduleExpression: `at(${new Date(Date.now() + 1000).toISOString().slice(0, 19)})`,
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        Target: {
          Arn: missing,
          RoleArn: resources.schedulerRoleArn,
          Input: publishRequested(marker),
          RetryPolicy: { MaximumRetryAttempts: 0 },
          DeadLetterConfig: { Arn: resources.queueArns.schedulerDlq },
        },
      }),
    );
    await waitForDepth(resources.queues.schedulerDlq!, 1, "the schedule to be dead-lettered");

    const dry = await dlqReplay("--queue", "scheduler", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.report.messages.map((m) => [m.outcome, m.to])).toEqual([["would-replay", "queue:publish"]]);
    expect(await depth(resources.queues.schedulerDlq!)).toBe(1);

    const run = await dlqReplay("--queue", "scheduler");
    expect(run.code, run.stderr).toBe(0);
    expect(run.report).toMatchObject({ examined: 1, replayed: 1, failed: 0 });
    await eventually(
      async () =>
        sentTo(queueName(resources.queues.publish!)).some((e) => String(e.detail.body).includes(marker))
          ? true
          : undefined,
      { what: "the replayed PublishRequested on the publish queue" },
    );
    expect(await depth(resources.queues.schedulerDlq!)).toBe(0);
  });

  it("events DLQ: a failed EventBridge delivery and a Lambda on-failure record go back on the stage bus", async () => {
    const { resources } = stackInfo();
    const marker = randomUUID().slice(0, 8);
    const rule = `replay-${marker}`;
    const detailType = `ReplayTest${marker}`;
    await eventbridge.send(
      new PutRuleCommand({
        Name: rule,
        EventBusName: resources.bus,
        EventPattern: JSON.stringify({ source: [TEST_SOURCE], "detail-type": [detailType] }),
      }),
    );
    const target = (arn: string) =>
      eventbridge.send(
        new PutTargetsCommand({
          Rule: rule,
          EventBusName: resources.bus,
          Targets: [
            {
              Id: "t",
              Arn: arn,
              RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
              DeadLetterConfig: { Arn: resources.queueArns.eventsDlq },
            },
          ],
        }),
      );
    await target(resources.queueArns.publish!.replace(/[^:]+$/, `herald-missing-${marker}`));
    await eventbridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: resources.bus,
            Source: TEST_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify({ metadata: { version: 1 }, data: { via: "eventbridge", marker } }),
          },
        ],
      }),
    );
    await waitForDepth(resources.queues.eventsDlq!, 1, "the event to be dead-lettered by EventBridge");

    // Lambda's on-failure record of a consumer, as local/runtime/async-invoke.ts writes it.
    const event = {
      version: "0",
      id: randomUUID(),
      "detail-type": detailType,
      source: TEST_SOURCE,
      account: stackInfo().aws.accountId,
      time: new Date().toISOString(),
      region: stackInfo().aws.region,
      resources: [],
      detail: { metadata: { version: 1 }, data: { via: "lambda", marker } },
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: resources.queues.eventsDlq,
        MessageBody: JSON.stringify({
          version: "1.0",
          timestamp: new Date().toISOString(),
          requestContext: {
            requestId: randomUUID(),
            functionArn: "arn:aws:lambda:us-east-1:000000000000:function:herald-local-x:$LATEST",
            condition: "RetriesExhausted",
            approximateInvokeCount: 3,
          },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
          responsePayload: { errorType: "Error", errorMessage: "boom" },
        }),
      }),
    );

    // The cause is fixed: the rule now leads somewhere.
    const arrived = await sqs.send(new CreateQueueCommand({ QueueName: `replay-arrived-${marker}` }));
    const arrivedArn = resources.queueArns.publish!.replace(/[^:]+$/, `replay-arrived-${marker}`);
    await target(arrivedArn);

    const run = await dlqReplay("--queue", "events");
    expect(run.code, run.stderr).toBe(0);
    expect(run.report).toMatchObject({ examined: 2, replayed: 2, failed: 0 });
    expect(run.report.messages.map((m) => m.to)).toEqual([
      `event:${TEST_SOURCE}/${detailType}`,
      `event:${TEST_SOURCE}/${detailType}`,
    ]);
    const vias = new Set<string>();
    await eventually(
      async () => {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: arrived.QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        for (const m of out.Messages ?? []) {
          const e = JSON.parse(m.Body!) as {
            source: string;
            detail: { data: { via: string; marker: string } };
          };
          expect(e.source).toBe(TEST_SOURCE);
          expect(e.detail.data.marker).toBe(marker);
          vias.add(e.detail.data.via);
        }
        return vias.size === 2 ? true : undefined;
      },
      { timeoutMs: 30_000, what: "both replayed events on the rule's queue" },
    );
    expect(await depth(resources.queues.eventsDlq!)).toBe(0);
  });

  it("publish and webhook DLQs: messages go back to their source queue with their attributes", async () => {
    const { resources } = stackInfo();
    const marker = randomUUID().slice(0, 8);
    const correlationId = { DataType: "String", StringValue: `corr-${marker}` };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: resources.queues.publishDlq,
        MessageBody: publishRequested(marker),
        MessageAttributes: { correlationId },
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: resources.queues.webhookDlq,
        MessageBody: JSON.stringify({ webhook: marker }),
        MessageAttributes: { correlationId },
      }),
    );

    const publish = await dlqReplay("--queue", "publish", "--max", "5");
    expect(publish.code, publish.stderr).toBe(0);
    expect(publish.report).toMatchObject({ examined: 1, replayed: 1 });
    await eventually(
      async () =>
        sentTo(queueName(resources.queues.publish!)).some((e) =>
          String(e.detail.body).includes(`dlv_${marker}`),
        )
          ? true
          : undefined,
      { what: "the replayed message on the publish queue" },
    );
    expect(await depth(resources.queues.publishDlq!)).toBe(0);

    const webhook = await dlqReplay("--queue", "webhook");
    expect(webhook.code, webhook.stderr).toBe(0);
    const m = await receiveFrom(resources.queues.webhook!, marker);
    expect(m.MessageAttributes?.correlationId?.StringValue).toBe(`corr-${marker}`);
    expect(await depth(resources.queues.webhookDlq!)).toBe(0);
  });

  it("leaves a message it cannot replay in the DLQ and exits 1", async () => {
    const { resources } = stackInfo();
    await sqs.send(
      new SendMessageCommand({ QueueUrl: resources.queues.eventsDlq, MessageBody: "not an event" }),
    );
    const run = await dlqReplay("--queue", "events");
    expect(run.code).toBe(1);
    expect(run.report.messages).toEqual([
      expect.objectContaining({ outcome: "unrecognised", reason: "the body is not JSON" }),
    ]);
    expect(await depth(resources.queues.eventsDlq!)).toBe(1);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: resources.queues.eventsDlq }));
  });
});
