/**
 * The SQS consumer chain: Powertools BatchProcessor with partial batch failures (only the
 * failed message ids return to the queue), each record's body parsed with zod, and the
 * correlation id carried in the `correlationId` message attribute put on every log line.
 *
 * Records of a batch are processed in parallel, so nothing record-specific may live on the
 * shared logger: each record gets its own child logger (`ctx.log`) carrying its
 * `correlationId` and `messageId`, and hands it to its use case through the `log` port.
 *
 * A record whose body is not JSON or does not match its contract (a `MalformedMessageError`)
 * is sent straight to its queue's dead-letter queue with the reason in the `deadLetterReason`
 * attribute, and counts as handled: retrying it could never succeed, and each retry would
 * cost a visibility timeout. If that send fails, the record fails like any other and SQS
 * retries it. Any other failure returns the record to the queue; after maxReceiveCount the
 * redrive policy moves it to the same DLQ. One record never stops the rest of the batch.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { QUEUE_DLQ_ENV } from "../../schemas/env.js";
import type { QueueId } from "../../schemas/resources.js";
import type * as z from "../../schemas/zod.js";
import { sqs } from "./aws/sqs.js";
import { configFields, loadConfig } from "./config.js";
import { CORRELATION_ATTRIBUTE, correlationIdFrom, logger, MetricUnit, metrics } from "./observability.js";

/** A record's own logger: every line carries that record's `correlationId` and `messageId`. */
export interface MessageLog {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown> | Error): void;
}

export interface MessageContext {
  readonly correlationId: string;
  readonly messageId: string;
  /** How many times SQS has handed this message out (1 on first delivery). */
  readonly receiveCount: number;
  readonly record: SQSRecord;
  /** This record's logger; pass it to the use case's `log` port. */
  readonly log: MessageLog;
}

/** A message that can never be processed (not JSON, or not its contract): dead-lettered at once. */
export class MalformedMessageError extends Error {
  override readonly name = "MalformedMessageError";
}

/** Where malformed messages go: the dead-letter queue of the queue they came from. */
export interface DeadLetterSink {
  send(record: SQSRecord, reason: string): Promise<void>;
}

/** SQS string attributes are limited only by the message size; keep the reason readable. */
const MAX_REASON_CHARS = 1024;

/** The message attributes a dead-lettered message carries: its correlation id, why, and where it came from. */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: "deadLetterReason",
  sourceMessageId: "sourceMessageId",
} as const;

/** A dead-letter sink on SQS: the original body, its correlation id and the reason as attributes. */
export function sqsDeadLetterSink(client: SQSClient, queueUrl: string): DeadLetterSink {
  return {
    async send(record, reason) {
      const attributes: Record<string, MessageAttributeValue> = {
        [DEAD_LETTER_ATTRIBUTES.reason]: {
          DataType: "String",
          StringValue: reason.slice(0, MAX_REASON_CHARS),
        },
        [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: { DataType: "String", StringValue: record.messageId },
      };
      const correlation = record.messageAttributes?.[CORRELATION_ATTRIBUTE]?.stringValue;
      if (correlation) attributes[CORRELATION_ATTRIBUTE] = { DataType: "String", StringValue: correlation };
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: record.body,
          MessageAttributes: attributes,
        }),
      );
    },
  };
}

export interface SqsHandlerOptions {
  /** The queue this handler consumes (its manifest queue trigger): names its dead-letter queue. */
  readonly queue: QueueId;
  /** Replaces the SQS sink built from the queue's `*_DLQ_URL` variable (tests). */
  readonly deadLetters?: DeadLetterSink;
}

/** The default sink: the queue's DLQ URL from the environment, read once at cold start. */
function deadLettersFromConfig(queue: QueueId): DeadLetterSink {
  const key = QUEUE_DLQ_ENV[queue];
  const cfg = loadConfig({ [key]: configFields.required() }) as Record<typeof key, string>;
  return sqsDeadLetterSink(sqs, cfg[key]);
}

const parseBody = <S extends z.ZodMiniType>(schema: S, raw: string): z.infer<S> => {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new MalformedMessageError("message body is not JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new MalformedMessageError(
      `message does not match its contract: ${parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
};

/** Build an SQS-triggered handler: `handle` is called once per record with its parsed body. */
export function sqsHandler<S extends z.ZodMiniType>(
  schema: S,
  handle: (message: z.infer<S>, ctx: MessageContext) => Promise<void>,
  options: SqsHandlerOptions,
) {
  const deadLetters = options.deadLetters ?? deadLettersFromConfig(options.queue);

  const recordHandler = async (record: SQSRecord) => {
    const correlationId = correlationIdFrom(record.messageAttributes?.[CORRELATION_ATTRIBUTE]?.stringValue);
    // A child per record: records run concurrently, so keys appended to the shared logger
    // would end up on another record's lines.
    const child = logger.createChild();
    child.appendKeys({ correlationId, messageId: record.messageId });
    const log: MessageLog = {
      debug: (message, extra) => child.debug(message, extra ?? {}),
      info: (message, extra) => child.info(message, extra ?? {}),
      warn: (message, extra) => child.warn(message, extra ?? {}),
      error: (message, extra) =>
        extra instanceof Error ? child.error(message, extra) : child.error(message, extra ?? {}),
    };
    try {
      const message = parseBody(schema, record.body);
      await handle(message, {
        correlationId,
        messageId: record.messageId,
        receiveCount: Number.parseInt(record.attributes?.ApproximateReceiveCount ?? "1", 10),
        record,
        log,
      });
    } catch (error) {
      if (error instanceof MalformedMessageError) {
        try {
          await deadLetters.send(record, error.message);
        } catch (sendError) {
          metrics.addMetric("MessageFailed", MetricUnit.Count, 1);
          log.error(
            "malformed message could not be dead-lettered; it returns to the queue",
            sendError as Error,
          );
          throw error;
        }
        metrics.addMetric("MessageMalformed", MetricUnit.Count, 1);
        log.error("malformed message sent to the dead-letter queue", { reason: error.message });
        return;
      }
      metrics.addMetric("MessageFailed", MetricUnit.Count, 1);
      log.error("message failed; it returns to the queue", error as Error);
      throw error;
    }
  };

  return middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent, context: Context) => {
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
