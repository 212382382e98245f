/**
 * The SQS consumer chain: Powertools BatchProcessor with partial batch failures (only the
 * failed message ids return to the queue), each record's body parsed with zod, and the
 * correlation id carried in the `correlationId` message attribute put on every log line.
 *
 * A record whose body does not match its contract fails (and after maxReceiveCount lands in
 * the DLQ, where it can be inspected and replayed); it never stops the rest of the batch.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type * as z from "../../schemas/zod.js";
import { CORRELATION_ATTRIBUTE, correlationIdFrom, logger, MetricUnit, metrics } from "./observability.js";

export interface MessageContext {
  readonly correlationId: string;
  readonly messageId: string;
  /** How many times SQS has handed this message out (1 on first delivery). */
  readonly receiveCount: number;
  readonly record: SQSRecord;
}

export class MalformedMessageError extends Error {}

/** Build an SQS-triggered handler: `handle` is called once per record with its parsed body. */
export function sqsHandler<S extends z.ZodMiniType>(
  schema: S,
  handle: (message: z.infer<S>, ctx: MessageContext) => Promise<void>,
) {
  const recordHandler = async (record: SQSRecord) => {
    const correlationId = correlationIdFrom(record.messageAttributes?.[CORRELATION_ATTRIBUTE]?.stringValue);
    logger.appendKeys({ correlationId, messageId: record.messageId });
    try {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        throw new MalformedMessageError("message body is not JSON");
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        throw new MalformedMessageError(
          `message does not match its contract: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        );
      }
      await handle(parsed.data, {
        correlationId,
        messageId: record.messageId,
        receiveCount: Number.parseInt(record.attributes?.ApproximateReceiveCount ?? "1", 10),
        record,
      });
    } catch (error) {
      metrics.addMetric("MessageFailed", MetricUnit.Count, 1);
      logger.error("message failed; it returns to the queue", error as Error);
      throw error;
    } finally {
      logger.removeKeys(["correlationId", "messageId"]);
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
