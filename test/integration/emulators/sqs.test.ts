import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSqsEmulator } from "../../../local/emulators/sqs.js";
import type { ActivityEvent, RunningEmulator } from "../../../local/emulators/types.js";
import { eventually, localClientConfig, recordActivity } from "./helpers.js";

let emulator: RunningEmulator;
let sqs: SQSClient;
let activity: ActivityEvent[];

beforeAll(async () => {
  emulator = await startSqsEmulator({ port: 0 });
  activity = recordActivity(emulator);
  sqs = new SQSClient(localClientConfig(emulator.url));
});

afterAll(async () => {
  sqs?.destroy();
  await emulator?.close();
});

async function queueWithDlq(name: string, maxReceiveCount: number) {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes!.QueueArn!;
  const source = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: "30",
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      },
    }),
  );
  const sourceArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: source.QueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes!.QueueArn!;
  return { sourceUrl: source.QueueUrl!, dlqUrl: dlq.QueueUrl!, dlqArn, sourceArn };
}

/** Receives (short polls) until one message arrives or the deadline passes. */
async function receiveOne(queueUrl: string, visibility: number) {
  return eventually(async () => {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        VisibilityTimeout: visibility,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        MessageAttributeNames: ["All"],
      }),
    );
    const m = out.Messages?.[0];
    if (!m) throw new Error("no message yet");
    return m;
  });
}

describe("SQS emulator", () => {
  it("serves queue URLs on its own ephemeral port", async () => {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: "url-check" }));
    expect(out.QueueUrl).toBe(`${emulator.url}/000000000000/url-check`);
  });

  it("moves a message that keeps failing to the DLQ after maxReceiveCount, and a move task brings it back", async () => {
    const { sourceUrl, dlqUrl, dlqArn } = await queueWithDlq("failing", 3);
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: sourceUrl,
        MessageBody: '{"deliveryId":"d-1"}',
        MessageAttributes: { correlationId: { DataType: "String", StringValue: "c-1" } },
      }),
    );

    // Three receives that never delete (visibility 0: the message is back at once).
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await receiveOne(sourceUrl, 0);
      expect(m.MessageId).toBe(sent.MessageId);
      expect(m.MessageAttributes?.correlationId?.StringValue).toBe("c-1");
      counts.push(Number(m.Attributes?.ApproximateReceiveCount));
    }
    expect(counts).toEqual([1, 2, 3]);

    const inDlq = await receiveOne(dlqUrl, 0);
    expect(inDlq.Body).toBe('{"deliveryId":"d-1"}');
    expect(inDlq.MessageId).toBe(sent.MessageId);
    expect(
      activity.some((e) => e.type === "message-moved-to-dlq" && e.detail.messageId === sent.MessageId),
    ).toBe(true);

    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sourceUrl, WaitTimeSeconds: 0 }));
    expect(empty.Messages ?? []).toHaveLength(0);

    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(task.TaskHandle).toBeTruthy();
    const back = await receiveOne(sourceUrl, 30);
    expect(back.Body).toBe('{"deliveryId":"d-1"}');
    expect(Number(back.Attributes?.ApproximateReceiveCount)).toBe(1);

    const tasks = await eventually(async () => {
      const out = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      if (out.Results?.[0]?.Status !== "COMPLETED") throw new Error(`task is ${out.Results?.[0]?.Status}`);
      return out.Results;
    });
    expect(tasks[0]?.ApproximateNumberOfMessagesMoved).toBe(1);
    expect(activity.some((e) => e.type === "message-moved" && e.detail.queue === "failing")).toBe(true);
  });

  it("ChangeMessageVisibility hides the message without counting as a receive", async () => {
    const { sourceUrl, dlqUrl } = await queueWithDlq("backoff", 2);
    await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: "retry me" }));
    const first = await receiveOne(sourceUrl, 30);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: sourceUrl,
        ReceiptHandle: first.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const second = await receiveOne(sourceUrl, 30);
    expect(Number(second.Attributes?.ApproximateReceiveCount)).toBe(2);
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 0 }));
    expect(dlq.Messages ?? []).toHaveLength(0);
  });

  it("delays messages, counts only visible ones, and purges at once", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "counts" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "later", DelaySeconds: 1 }));
    const delayed = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    expect(delayed.Messages ?? []).toHaveLength(0);
    const m = await receiveOne(QueueUrl!, 30);
    expect(m.Body).toBe("later");

    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    expect(attrs.Attributes).toMatchObject({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "1",
    });

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "purge me" }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const after = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(after.Attributes?.ApproximateNumberOfMessages).toBe("0");
  });

  it("long-polls until a message arrives, and batch-sends and batch-deletes", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "batch" }));
    const waiting = sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "one" },
          { Id: "b", MessageBody: "two" },
        ],
      }),
    );
    const first = await waiting;
    expect(first.Messages?.length).toBeGreaterThan(0);
    const received = [...(first.Messages ?? [])];
    while (received.length < 2) {
      received.push(
        ...((await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages ?? []),
      );
    }
    expect(received.map((m) => m.Body).sort()).toEqual(["one", "two"]);
    const del = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: received.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    expect(del.Successful).toHaveLength(2);
    expect(activity.filter((e) => e.type === "message-deleted" && e.detail.queue === "batch")).toHaveLength(
      2,
    );
  });

  it("returns each message once per receive when the visibility timeout is 0", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "peek" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "only one" }));
    for (const expectedCount of [1, 2]) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
      );
      expect(out.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
        ["only one", String(expectedCount)],
      ]);
    }
  });

  it("treats a delete with a stale receipt handle as a successful no-op", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "stale" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "twice" }));
    const first = await receiveOne(QueueUrl!, 0);
    const second = await receiveOne(QueueUrl!, 30);
    expect(second.MessageId).toBe(first.MessageId);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe("1");
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: second.ReceiptHandle }));
    const gone = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }),
    );
    expect(gone.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe("0");
  });
});

describe("SQS emulator errors", () => {
  it("refuses an out-of-range WaitTimeSeconds and an unknown queue like AWS", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "errors" }));
    await expect(
      sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/^InvalidParameterValue/),
    });
    await expect(
      sqs.send(
        new ReceiveMessageCommand({ QueueUrl: `${emulator.url}/000000000000/missing`, WaitTimeSeconds: 1 }),
      ),
    ).rejects.toMatchObject({ name: "QueueDoesNotExist" });
  });
});
