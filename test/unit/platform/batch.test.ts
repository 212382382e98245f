/**
 * The SQS consumer chain: records of a batch run concurrently, each with its own logger
 * (its correlation id and message id on its own lines only); a malformed message goes
 * straight to its queue's dead-letter queue with its reason instead of being retried; any
 * other failure returns only that record to the queue.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The logger reads its level at construction and goes back to it on every invocation.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
});

import {
  DEAD_LETTER_ATTRIBUTES,
  type DeadLetterSink,
  MalformedMessageError,
  type MessageContext,
  sqsDeadLetterSink,
  sqsHandler,
} from "../../../functions/platform/batch.js";
import { ConfigError } from "../../../functions/platform/config.js";
import { logger } from "../../../functions/platform/observability.js";
import { ENV } from "../../../schemas/env.js";
import * as z from "../../../schemas/zod.js";
import { lambdaContext } from "../../support/events.js";
import { captureLogLines } from "../../support/log-lines.js";

const Body = z.strictObject({ n: z.number() });

const record = (messageId: string, body: string, correlationId?: string): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: "1",
    SentTimestamp: "1764921600000",
    SenderId: "AIDA",
    ApproximateFirstReceiveTimestamp: "1764921600000",
  },
  messageAttributes: correlationId
    ? {
        correlationId: {
          stringValue: correlationId,
          dataType: "String",
          stringListValues: [],
          binaryListValues: [],
        },
      }
    : {},
  md5OfBody: "",
  eventSource: "aws:sqs",
  eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:herald-test-publish",
  awsRegion: "eu-west-1",
});

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A sink that remembers what it was given. */
const recordingSink = () => {
  const sent: { messageId: string; body: string; reason: string }[] = [];
  const sink: DeadLetterSink = {
    async send(r, reason) {
      sent.push({ messageId: r.messageId, body: r.body, reason });
    },
  };
  return { sent, sink };
};

/** Every JSON log line the Powertools logger (and its children) write while a test runs. */
let lines: Record<string, unknown>[];
beforeEach(() => {
  lines = captureLogLines();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("sqsHandler: per-record log context", () => {
  it("puts each record's own correlation id and message id on its lines while three records run in parallel", async () => {
    // Every record waits until all three have started, then logs: the interleaving the
    // shared-logger version got wrong (the last appended ids ended up on every line).
    let started = 0;
    let release!: () => void;
    const allStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const h = sqsHandler(
      Body,
      async (message, ctx) => {
        ctx.log.info("before", { n: message.n });
        started += 1;
        if (started === 3) release();
        await allStarted;
        ctx.log.info("after", { n: message.n });
      },
      { queue: "publish", deadLetters: recordingSink().sink },
    );
    const result = await h(
      batch(
        record("m-1", JSON.stringify({ n: 1 }), "corr-1"),
        record("m-2", JSON.stringify({ n: 2 }), "corr-2"),
        record("m-3", JSON.stringify({ n: 3 }), "corr-3"),
      ),
      lambdaContext(),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    const mine = lines.filter((l) => l.message === "before" || l.message === "after");
    expect(mine).toHaveLength(6);
    for (const line of mine) {
      expect(line.messageId, JSON.stringify(line)).toBe(`m-${line.n}`);
      expect(line.correlationId, JSON.stringify(line)).toBe(`corr-${line.n}`);
    }
    // The order proves the three really overlapped: all "before" lines precede any "after".
    expect(mine.slice(0, 3).every((l) => l.message === "before")).toBe(true);
  });

  it("leaves the shared logger without any record's ids (they live on the record's child only)", async () => {
    const h = sqsHandler(
      Body,
      async (_message, ctx) => {
        logger.info("shared line");
        ctx.log.info("record line");
      },
      { queue: "publish", deadLetters: recordingSink().sink },
    );
    await h(batch(record("m-1", JSON.stringify({ n: 1 }), "corr-1")), lambdaContext());
    const shared = lines.find((l) => l.message === "shared line")!;
    const own = lines.find((l) => l.message === "record line")!;
    expect(shared.messageId).toBeUndefined();
    expect(shared.correlationId).toBeUndefined();
    expect(own).toMatchObject({ messageId: "m-1", correlationId: "corr-1" });
    // The child keeps the invocation's Lambda context like the shared logger does.
    expect(own.function_request_id).toBe(shared.function_request_id);
  });

  it("hands the use case the record, its receive count and a generated correlation id when none is carried", async () => {
    const seen: MessageContext[] = [];
    const h = sqsHandler(
      Body,
      async (_m, ctx) => {
        seen.push(ctx);
      },
      { queue: "publish", deadLetters: recordingSink().sink },
    );
    const r = record("m-9", JSON.stringify({ n: 9 }));
    r.attributes.ApproximateReceiveCount = "4";
    await h(batch(r), lambdaContext());
    expect(seen).toHaveLength(1);
    expect(seen[0]!.receiveCount).toBe(4);
    expect(seen[0]!.record).toBe(r);
    expect(seen[0]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("sqsHandler: malformed messages", () => {
  it("sends a body that is not JSON straight to the DLQ with its reason, and reports it handled", async () => {
    const { sent, sink } = recordingSink();
    const handle = vi.fn(async () => undefined);
    const h = sqsHandler(Body, handle, { queue: "publish", deadLetters: sink });
    const result = await h(batch(record("bad", "{not json", "corr-bad")), lambdaContext());
    expect(result).toEqual({ batchItemFailures: [] });
    expect(handle).not.toHaveBeenCalled();
    expect(sent).toEqual([{ messageId: "bad", body: "{not json", reason: "message body is not JSON" }]);
    const line = lines.find((l) => l.message === "malformed message sent to the dead-letter queue")!;
    expect(line).toMatchObject({
      messageId: "bad",
      correlationId: "corr-bad",
      reason: "message body is not JSON",
    });
  });

  it("names the offending field when the body does not match the contract (unknown fields included)", async () => {
    const { sent, sink } = recordingSink();
    const h = sqsHandler(Body, async () => undefined, { queue: "publish", deadLetters: sink });
    await h(
      batch(
        record("wrong-type", JSON.stringify({ n: "1" })),
        record("extra", JSON.stringify({ n: 1, x: 2 })),
      ),
      lambdaContext(),
    );
    expect(sent.map((s) => s.messageId).sort()).toEqual(["extra", "wrong-type"]);
    expect(sent.find((s) => s.messageId === "wrong-type")!.reason).toMatch(
      /^message does not match its contract: n: /,
    );
    expect(sent.find((s) => s.messageId === "extra")!.reason).toMatch(/x/);
  });

  it("dead-letters a MalformedMessageError thrown by the use case too", async () => {
    const { sent, sink } = recordingSink();
    const h = sqsHandler(
      Body,
      async () => {
        throw new MalformedMessageError("delivery id is not one of ours");
      },
      { queue: "publish", deadLetters: sink },
    );
    const result = await h(batch(record("m-1", JSON.stringify({ n: 1 }))), lambdaContext());
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sent.map((s) => s.reason)).toEqual(["delivery id is not one of ours"]);
  });

  it("returns a malformed message to the queue when the DLQ send fails (never lost)", async () => {
    const sink: DeadLetterSink = {
      send: async () => {
        throw new Error("SQS unavailable");
      },
    };
    const h = sqsHandler(Body, async () => undefined, { queue: "publish", deadLetters: sink });
    const result = await h(batch(record("bad", "nope")), lambdaContext());
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "bad" }] });
  });

  it("returns only a record whose use case failed to the queue, without dead-lettering it", async () => {
    const { sent, sink } = recordingSink();
    const h = sqsHandler(
      Body,
      async (message) => {
        if (message.n === 2) throw new Error("provider down");
      },
      { queue: "publish", deadLetters: sink },
    );
    const result = await h(
      batch(record("m-1", JSON.stringify({ n: 1 })), record("m-2", JSON.stringify({ n: 2 }))),
      lambdaContext(),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-2" }] });
    expect(sent).toEqual([]);
  });
});

describe("dead-letter sink", () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());

  it("sends the original body with the reason, the source message id and the correlation id as attributes", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "dlq-1" });
    const sink = sqsDeadLetterSink(new SQSClient({ region: "eu-west-1" }), "https://sqs.example/q-dlq");
    await sink.send(record("m-1", "{oops", "corr-1"), "message body is not JSON");
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      QueueUrl: "https://sqs.example/q-dlq",
      MessageBody: "{oops",
      MessageAttributes: {
        [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: "String", StringValue: "message body is not JSON" },
        [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: { DataType: "String", StringValue: "m-1" },
        correlationId: { DataType: "String", StringValue: "corr-1" },
      },
    });
  });

  it("cuts a long reason to 1024 characters", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "dlq-1" });
    const sink = sqsDeadLetterSink(new SQSClient({ region: "eu-west-1" }), "https://sqs.example/q-dlq");
    await sink.send(record("m-1", "x"), "r".repeat(5000));
    const attrs = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageAttributes!;
    expect(attrs[DEAD_LETTER_ATTRIBUTES.reason]!.StringValue).toHaveLength(1024);
  });

  it("is built from the queue's DLQ variable at cold start, and a missing one fails there, naming it", () => {
    delete process.env[ENV.PUBLISH_DLQ_URL];
    expect(() => sqsHandler(Body, async () => undefined, { queue: "publish" })).toThrow(ConfigError);
    expect(() => sqsHandler(Body, async () => undefined, { queue: "publish" })).toThrow(ENV.PUBLISH_DLQ_URL);
    process.env[ENV.PUBLISH_DLQ_URL] = "https://sqs.example/publish-dlq";
    try {
      expect(() => sqsHandler(Body, async () => undefined, { queue: "publish" })).not.toThrow();
    } finally {
      delete process.env[ENV.PUBLISH_DLQ_URL];
    }
  });
});
