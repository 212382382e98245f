/**
 * Queue pollers: the Lambda SQS event source mapping, locally. For each queue trigger of the
 * manifest, `maxConcurrency` loops long-poll the queue, hand the function a real `SQSEvent`
 * of up to `batchSize` records and then, like an ESM with ReportBatchItemFailures:
 * - delete every message when the function returns nothing or an empty failure list;
 * - delete all but the listed `batchItemFailures` otherwise;
 * - delete nothing when the function throws, times out, or lists a null/empty/unknown id
 *   (the whole batch failed): the messages reappear after their visibility timeout and
 *   the queue's redrive policy moves them to the DLQ after maxReceiveCount.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import type { FunctionSpec, QueueTrigger } from "../../functions/manifest.js";
import type { ActivityLog } from "../stack/activity.js";
import type { FunctionInvoker } from "./invoker.js";

export interface QueuePollerOptions {
  readonly sqs: SQSClient;
  readonly fn: FunctionSpec;
  readonly trigger: Pick<QueueTrigger, "batchSize" | "maxConcurrency">;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly invoker: Pick<FunctionInvoker, "invoke">;
  readonly activity?: ActivityLog;
  /** Long-poll wait per ReceiveMessage; default 5 s (stop aborts it at once anyway). */
  readonly waitTimeSeconds?: number;
}

export interface RunningPoller {
  readonly queueUrl: string;
  readonly functionName: string;
  stop(): Promise<void>;
}

const toLambdaAttributes = (
  attrs: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes => {
  const out: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(attrs ?? {})) {
    out[name] = {
      stringValue: v.StringValue,
      binaryValue: v.BinaryValue ? Buffer.from(v.BinaryValue).toString("base64") : undefined,
      stringListValues: v.StringListValues ?? [],
      binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString("base64")),
      dataType: v.DataType ?? "String",
    };
  }
  return out;
};

/** Build the Lambda `SQSRecord` for a received message. */
export function toSqsRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
    SentTimestamp: a.SentTimestamp ?? String(Date.now()),
    SenderId: a.SenderId ?? "000000000000",
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  for (const key of [
    "MessageGroupId",
    "MessageDeduplicationId",
    "SequenceNumber",
    "AWSTraceHeader",
  ] as const) {
    if (a[key] !== undefined) attributes[key] = a[key]!;
  }
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: attributes as unknown as SQSRecord["attributes"],
    messageAttributes: toLambdaAttributes(m.MessageAttributes),
    md5OfBody: m.MD5OfBody ?? "",
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which message ids to delete after the function answered `result` for `batch`, following
 * the ESM's ReportBatchItemFailures rules. `undefined` means: delete nothing (whole batch failed).
 */
export function idsToDelete(batch: readonly string[], result: unknown): string[] | undefined {
  const failures = (result as SQSBatchResponse | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null || failures.length === 0) return [...batch];
  const failed = new Set<string>();
  for (const f of failures) {
    const id = f?.itemIdentifier;
    if (typeof id !== "string" || id.length === 0 || !batch.includes(id)) return undefined;
    failed.add(id);
  }
  return batch.filter((id) => !failed.has(id));
}

export function startQueuePoller(opts: QueuePollerOptions): RunningPoller {
  const abort = new AbortController();
  const wait = opts.waitTimeSeconds ?? 5;
  const batchSize = Math.max(1, opts.trigger.batchSize);
  const loops = Math.max(1, opts.trigger.maxConcurrency);

  const receive = async (): Promise<Message[]> => {
    const messages: Message[] = [];
    // ReceiveMessage returns at most 10; larger batch sizes are filled by further receives.
    while (messages.length < batchSize && !abort.signal.aborted) {
      const out = await opts.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: opts.queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
          WaitTimeSeconds: messages.length === 0 ? wait : 0,
          // Both spellings: some emulators still honour only the deprecated AttributeNames.
          AttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        { abortSignal: abort.signal },
      );
      const got = out.Messages ?? [];
      messages.push(...got);
      if (got.length === 0) break;
    }
    return messages;
  };

  const deleteMessages = async (messages: Message[]) => {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      await opts.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: opts.queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  };

  const processBatch = async (messages: Message[]) => {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, opts.queueArn, opts.region)) };
    const ids = messages.map((m) => m.MessageId ?? "");
    const base = { function: opts.fn.name, queue: opts.queueArn.split(":").pop(), size: messages.length };
    let result: unknown;
    try {
      ({ result } = await opts.invoker.invoke(opts.fn, event));
    } catch (error) {
      opts.activity?.record("poller", "batch-failed", {
        ...base,
        messageIds: ids,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    const keep = idsToDelete(ids, result);
    if (keep === undefined) {
      opts.activity?.record("poller", "batch-failed", {
        ...base,
        messageIds: ids,
        error: "invalid batchItemFailures",
      });
      return;
    }
    await deleteMessages(messages.filter((m) => keep.includes(m.MessageId ?? "")));
    const failed = ids.filter((id) => !keep.includes(id));
    opts.activity?.record("poller", failed.length ? "batch-partial" : "batch-ok", {
      ...base,
      deleted: keep.length,
      ...(failed.length ? { failedIds: failed } : {}),
    });
  };

  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        const messages = await receive();
        if (messages.length > 0) await processBatch(messages);
      } catch (error) {
        if (abort.signal.aborted) return;
        opts.activity?.record("poller", "error", { function: opts.fn.name, error: String(error) });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };

  const running = Array.from({ length: loops }, () => loop());
  return {
    queueUrl: opts.queueUrl,
    functionName: opts.fn.name,
    async stop() {
      abort.abort();
      await Promise.allSettled(running);
    },
  };
}
