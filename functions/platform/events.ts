/**
 * The domain-event consumer chain (EventBridge rule → Lambda, an asynchronous invoke):
 *
 *   Powertools logger context → Powertools metrics → correlation id from
 *   `detail.metadata.correlationId` on every log line → source / detail-type check →
 *   `detail` parsed against the event contract (zod) → use case
 *
 * Any failure is logged and thrown: Lambda retries the event (EVENT_DELIVERY in the manifest)
 * and then sends it to the stage's events dead-letter queue. A message that does not match
 * its contract fails the same way, so it lands in the DLQ for a person to inspect instead of
 * vanishing. Consumers must be idempotent: delivery is at least once.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, EventBridgeEvent } from "aws-lambda";
import type { EventContract, Metadata } from "../../events/contract.js";
import type * as z from "../../schemas/zod.js";
import { correlationIdFrom, logger, MetricUnit, metrics } from "./observability.js";

/** An EventBridge event whose source, detail-type or detail does not match the consumer's contract. */
export class MalformedEventError extends Error {
  override readonly name = "MalformedEventError";
}

export interface EventContext {
  readonly correlationId: string;
  /** `detail.metadata.id`: unique per message, the key to dedupe on. */
  readonly messageId: string;
  /** The EventBridge envelope (its `id` differs on every put, even of the same message). */
  readonly event: EventBridgeEvent<string, unknown>;
}

type Message<D extends z.ZodMiniType> = { metadata: Metadata; data: z.infer<D> };

/** The correlation id of the raw detail, read before (and whether or not) it parses. */
function rawMetadata(detail: unknown): { correlationId?: string; id?: string } {
  const metadata = (detail as { metadata?: unknown } | null | undefined)?.metadata;
  if (typeof metadata !== "object" || metadata === null) return {};
  const { correlationId, id } = metadata as Record<string, unknown>;
  return {
    ...(typeof correlationId === "string" ? { correlationId } : {}),
    ...(typeof id === "string" ? { id } : {}),
  };
}

const describeIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");

/**
 * Build the handler of an event consumer: `handle` is called with the parsed envelope of
 * `contract`; whatever it throws fails the invocation.
 */
export function eventHandler<N extends string, V extends number, D extends z.ZodMiniType>(
  contract: EventContract<N, V, D>,
  handle: (message: Message<D>, ctx: EventContext) => Promise<void>,
) {
  const consume = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
    const raw = rawMetadata(event?.detail);
    const correlationId = correlationIdFrom(raw.correlationId);
    logger.appendKeys({
      correlationId,
      eventName: contract.name,
      eventVersion: contract.version,
      messageId: raw.id,
      busEventId: event?.id,
    });
    try {
      if (event?.source !== contract.source || event["detail-type"] !== contract.name) {
        throw new MalformedEventError(
          `expected ${contract.source} / ${contract.name}, got ${String(event?.source)} / ${String(event?.["detail-type"])}`,
        );
      }
      const parsed = contract.schema.safeParse(event.detail);
      if (!parsed.success) {
        throw new MalformedEventError(
          `detail does not match ${contract.name} v${contract.version}: ${describeIssues(parsed.error.issues)}`,
        );
      }
      await handle(parsed.data, { correlationId, messageId: parsed.data.metadata.id, event });
      metrics.addMetric("EventProcessed", MetricUnit.Count, 1);
    } catch (error) {
      metrics.addMetric(
        error instanceof MalformedEventError ? "EventMalformed" : "EventFailed",
        MetricUnit.Count,
        1,
      );
      logger.error(
        "event failed; Lambda retries it, then it goes to the events dead-letter queue",
        error as Error,
      );
      throw error;
    } finally {
      logger.removeKeys(["correlationId", "eventName", "eventVersion", "messageId", "busEventId"]);
    }
  };

  return middy<EventBridgeEvent<string, unknown>, void>(
    async (event: EventBridgeEvent<string, unknown>, _context: Context) => consume(event),
  )
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
