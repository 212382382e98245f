/**
 * Replay the messages of one of Herald's dead-letter queues to where they were going.
 *
 * | DLQ         | what a message is                                                   | replay                        |
 * | ----------- | ------------------------------------------------------------------- | ----------------------------- |
 * | `publish`   | a publish-queue message that failed `maxReceiveCount` times         | the body (+ attributes) to the publish queue |
 * | `webhook`   | the same for the webhook queue                                      | to the webhook queue          |
 * | `scheduler` | a schedule's target input (PublishRequested) Scheduler could not deliver (attributes ERROR_CODE, …, TARGET_ARN) | the body to the publish queue |
 * | `events`    | an EventBridge event the rule could not deliver, or Lambda's on-failure record of an event consumer (`requestPayload` = the event) | PutEvents of the event on the stage bus |
 *
 * A message is deleted from the DLQ only after its replay succeeded; one that cannot be
 * replayed (unrecognised body, refused send) stays and is reported. A dry run replays nothing
 * and deletes nothing. Free of CLI parsing and of the AWS SDK (ports only), so an admin API
 * can reuse it; `bin/dlq-replay.ts` is the command line.
 */

import type { DeadLetter, DeadLetterQueueId, DeadLetterSource, ReplayEvent, ReplayTargets } from "./ports.js";

export type { DeadLetter, DeadLetterQueueId, DeadLetterSource, ReplayEvent, ReplayTargets } from "./ports.js";
export { DEAD_LETTER_QUEUES } from "./ports.js";

/** What replaying one message means, or why it cannot be replayed. */
export type ReplayPlan =
  | {
      readonly kind: "queue";
      readonly queue: "publish" | "webhook";
      readonly body: string;
      readonly attributes: DeadLetter["attributes"];
    }
  | { readonly kind: "event"; readonly event: ReplayEvent; readonly from: "eventbridge" | "lambda" }
  | { readonly kind: "unrecognised"; readonly reason: string };

/** Attributes AWS adds when it dead-letters (Scheduler, EventBridge); not part of the message. */
const DEAD_LETTER_ATTRIBUTES = new Set([
  "ERROR_CODE",
  "ERROR_MESSAGE",
  "EXECUTION_ID",
  "RETRY_ATTEMPTS",
  "SCHEDULE_ARN",
  "RULE_ARN",
  "TARGET_ARN",
]);

const own = (attributes: DeadLetter["attributes"]) =>
  Object.fromEntries(Object.entries(attributes).filter(([k]) => !DEAD_LETTER_ATTRIBUTES.has(k)));

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The PutEvents entry that re-publishes an EventBridge event envelope, or why it cannot. */
function eventOf(envelope: unknown): ReplayEvent | string {
  if (!isObject(envelope)) return "not an EventBridge event";
  const source = envelope.source;
  const detailType = envelope["detail-type"];
  const detail = envelope.detail;
  if (typeof source !== "string" || !source) return "the event has no source";
  if (typeof detailType !== "string" || !detailType) return "the event has no detail-type";
  if (!isObject(detail)) return "the event's detail is not an object";
  const resources = Array.isArray(envelope.resources)
    ? envelope.resources.filter((r): r is string => typeof r === "string")
    : [];
  return {
    source,
    detailType,
    detail: JSON.stringify(detail),
    resources,
    ...(typeof envelope.time === "string" ? { time: envelope.time } : {}),
  };
}

/** Decides how one message of `queue` is replayed (pure). */
export function planReplay(queue: DeadLetterQueueId, letter: DeadLetter): ReplayPlan {
  switch (queue) {
    case "publish":
    case "webhook":
      return { kind: "queue", queue, body: letter.body, attributes: letter.attributes };
    case "scheduler":
      // The body is the schedule's Input as the target would have received it.
      return { kind: "queue", queue: "publish", body: letter.body, attributes: own(letter.attributes) };
    case "events": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(letter.body);
      } catch {
        return { kind: "unrecognised", reason: "the body is not JSON" };
      }
      // Lambda's asynchronous on-failure record: the event is under requestPayload.
      if (isObject(parsed) && isObject(parsed.requestContext) && "requestPayload" in parsed) {
        const event = eventOf(parsed.requestPayload);
        return typeof event === "string"
          ? { kind: "unrecognised", reason: `Lambda on-failure record: ${event}` }
          : { kind: "event", event, from: "lambda" };
      }
      const event = eventOf(parsed);
      return typeof event === "string"
        ? { kind: "unrecognised", reason: event }
        : { kind: "event", event, from: "eventbridge" };
    }
  }
}

export interface ReplayOptions {
  readonly queue: DeadLetterQueueId;
  /** At most this many messages are examined (default 100). */
  readonly max?: number;
  /** Show what would be replayed; replay and delete nothing. */
  readonly dryRun?: boolean;
}

export interface ReplayedMessage {
  readonly messageId: string;
  /** Where it went (or would go): `queue:publish`, `event:<source>/<detail-type>`. */
  readonly to?: string;
  readonly outcome: "replayed" | "would-replay" | "failed" | "unrecognised";
  readonly reason?: string;
}

export interface ReplayReport {
  readonly queue: DeadLetterQueueId;
  readonly dryRun: boolean;
  readonly examined: number;
  readonly replayed: number;
  readonly failed: number;
  readonly messages: readonly ReplayedMessage[];
}

const describeTarget = (plan: ReplayPlan) =>
  plan.kind === "queue"
    ? `queue:${plan.queue}`
    : plan.kind === "event"
      ? `event:${plan.event.source}/${plan.event.detailType}`
      : undefined;

/** Drains up to `max` messages of one DLQ, replaying each before deleting it. */
export async function replayDeadLetters(
  deps: { readonly source: DeadLetterSource; readonly targets: ReplayTargets },
  opts: ReplayOptions,
): Promise<ReplayReport> {
  const max = opts.max ?? 100;
  if (!Number.isInteger(max) || max < 1) throw new RangeError("max must be a positive integer");
  const dryRun = opts.dryRun ?? false;
  const messages: ReplayedMessage[] = [];
  const seen = new Set<string>();
  // Kept hidden until the end so a later receive in this run does not return them again.
  const toRelease: DeadLetter[] = [];
  try {
    while (seen.size < max) {
      const batch = await deps.source.receive(Math.min(10, max - seen.size));
      const fresh = batch.filter((l) => !seen.has(l.messageId));
      if (fresh.length === 0) break;
      for (const letter of fresh) {
        seen.add(letter.messageId);
        const plan = planReplay(opts.queue, letter);
        const to = describeTarget(plan);
        if (plan.kind === "unrecognised") {
          messages.push({ messageId: letter.messageId, outcome: "unrecognised", reason: plan.reason });
          toRelease.push(letter);
          continue;
        }
        if (dryRun) {
          messages.push({ messageId: letter.messageId, to, outcome: "would-replay" });
          toRelease.push(letter);
          continue;
        }
        try {
          if (plan.kind === "queue") await deps.targets.sendToQueue(plan.queue, plan.body, plan.attributes);
          else await deps.targets.putEvent(plan.event);
        } catch (error) {
          messages.push({ messageId: letter.messageId, to, outcome: "failed", reason: reasonOf(error) });
          toRelease.push(letter);
          continue;
        }
        // Replayed: only now may it leave the DLQ. A failed delete leaves a duplicate behind,
        // which consumers tolerate (they are idempotent); it is reported, not retried.
        try {
          await deps.source.delete(letter);
          messages.push({ messageId: letter.messageId, to, outcome: "replayed" });
        } catch (error) {
          messages.push({
            messageId: letter.messageId,
            to,
            outcome: "replayed",
            reason: `replayed, but not deleted from the DLQ: ${reasonOf(error)}`,
          });
        }
      }
    }
  } finally {
    for (const letter of toRelease) await deps.source.release(letter).catch(() => undefined);
  }
  return {
    queue: opts.queue,
    dryRun,
    examined: messages.length,
    replayed: messages.filter((m) => m.outcome === "replayed").length,
    failed: messages.filter((m) => m.outcome === "failed" || m.outcome === "unrecognised").length,
    messages,
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
