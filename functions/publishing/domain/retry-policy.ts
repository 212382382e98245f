/**
 * What to do after a classified failure: retry soon (through the SQS message: a delay or its
 * visibility), reschedule through EventBridge Scheduler (long waits), fail the delivery, or
 * leave the message to the dead-letter queue.
 *
 * Backoff is "full jitter": `random(0, min(cap, base · 2^attempt))`, with `random` injectable so
 * tests are deterministic. Short waits stay on the queue; a wait longer than
 * `shortWaitMaxMs` (default 15 min, which is also SQS's largest `DelaySeconds`, so the worker
 * may re-send the message instead of stretching its visibility) goes to the Scheduler.
 *
 * Pure: no I/O, no clock.
 */
import type { ClassifiedError, ProviderName } from "./provider-errors.js";

/** SQS's hard ceiling for a message's visibility timeout. */
export const SQS_MAX_VISIBILITY_MS = 12 * 60 * 60 * 1000;
/** SQS's largest `DelaySeconds` on SendMessage. */
export const SQS_MAX_DELAY_MS = 15 * 60 * 1000;

export interface RetryPolicy {
  /** Attempts in total (the first try included) for `backoff` failures. */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  /** How many rate-limit / quota waits a delivery may take before it fails. */
  readonly maxWindowWaits: number;
  /**
   * Long waits are spread over this much extra time, so deliveries that all met the same
   * reset (LinkedIn's midnight) do not all fire at the same second.
   */
  readonly windowSpreadMs: number;
  /** Waits up to this long stay on the queue; longer ones go to the Scheduler (≤ 12 h). */
  readonly shortWaitMaxMs: number;
}

/**
 * Per-provider defaults. Meta's transient errors usually clear within seconds to minutes;
 * LinkedIn's 5xx storms tend to last longer, so its base is larger. Both caps stay within
 * 15 min so a backoff never leaves the queue.
 */
export const RETRY_POLICIES: Readonly<Record<ProviderName, RetryPolicy>> = {
  meta: {
    maxAttempts: 6,
    baseMs: 2_000,
    capMs: 10 * 60_000,
    maxWindowWaits: 12,
    windowSpreadMs: 5 * 60_000,
    shortWaitMaxMs: SQS_MAX_DELAY_MS,
  },
  linkedin: {
    maxAttempts: 5,
    baseMs: 5_000,
    capMs: 15 * 60_000,
    maxWindowWaits: 4,
    windowSpreadMs: 15 * 60_000,
    shortWaitMaxMs: SQS_MAX_DELAY_MS,
  },
};

/** A number in [0, 1). */
export type Random = () => number;

/** Full-jitter backoff for the given (1-based) attempt that just failed. */
export function fullJitterMs(policy: Pick<RetryPolicy, "baseMs" | "capMs">, attempt: number, random: Random) {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(clamp01(random()) * ceiling);
}

export type RetryDecision =
  /** Try again after `delayMs` through the queue (delay / visibility, ≤ `shortWaitMaxMs`). */
  | {
      readonly kind: "retry_soon";
      readonly delayMs: number;
      readonly delaySeconds: number;
      readonly at: Date;
    }
  /** Try again at `at` through an EventBridge Scheduler `at()` schedule. */
  | { readonly kind: "reschedule"; readonly at: Date }
  /** Stop: record the failure on the delivery (or adopt / reconnect per the error's action). */
  | { readonly kind: "fail"; readonly reason: "not_retryable" | "attempts_exhausted" | "waits_exhausted" }
  /** Stop handling: let the message's redrive put it in the DLQ for an operator to replay. */
  | { readonly kind: "dead_letter"; readonly reason: "attempts_exhausted" };

export interface RetryInput {
  /** Attempts made so far, the one that just failed included (≥ 1). */
  readonly attempt: number;
  /** Rate-limit / quota waits taken so far. */
  readonly windowWaits?: number;
  readonly now: Date;
  readonly random?: Random;
  readonly policy?: RetryPolicy;
}

/** Decide what happens after `error` on `provider`. */
export function decideRetry(
  provider: ProviderName,
  error: ClassifiedError,
  input: RetryInput,
): RetryDecision {
  const policy = input.policy ?? RETRY_POLICIES[provider];
  const random = input.random ?? Math.random;
  const { now } = input;

  if (error.retry === "no") return { kind: "fail", reason: "not_retryable" };

  if (error.retry === "wait_window") {
    if ((input.windowWaits ?? 0) >= policy.maxWindowWaits) return { kind: "fail", reason: "waits_exhausted" };
    const until = error.waitUntil?.(now) ?? new Date(now.getTime() + policy.capMs);
    return planWait(until, now, { policy, random, spread: true });
  }

  // backoff
  if (input.attempt >= policy.maxAttempts) {
    // A transient failure that outlasted every attempt is reported to the person; something we
    // do not understand (or our own misconfiguration) goes to the DLQ so it can be replayed.
    return error.class === "unknown" || error.class === "config"
      ? { kind: "dead_letter", reason: "attempts_exhausted" }
      : { kind: "fail", reason: "attempts_exhausted" };
  }
  const jitter = fullJitterMs(policy, input.attempt, random);
  const floor = error.waitUntil ? Math.max(0, error.waitUntil(now).getTime() - now.getTime()) : 0;
  return planWait(new Date(now.getTime() + Math.max(jitter, floor)), now, { policy, random, spread: false });
}

/**
 * Turn "wait until X" (a breaker, a quota, a backoff) into a queue delay or a reschedule.
 * With `spread`, long waits get up to `windowSpreadMs` of extra random delay.
 */
export function planWait(
  until: Date,
  now: Date,
  opts: { policy: RetryPolicy; random?: Random; spread?: boolean },
): Extract<RetryDecision, { kind: "retry_soon" | "reschedule" }> {
  const shortMax = Math.min(opts.policy.shortWaitMaxMs, SQS_MAX_VISIBILITY_MS);
  const waitMs = Math.max(0, until.getTime() - now.getTime());
  if (waitMs <= shortMax) {
    const delaySeconds = Math.ceil(waitMs / 1000);
    return {
      kind: "retry_soon",
      delayMs: waitMs,
      delaySeconds,
      at: new Date(now.getTime() + delaySeconds * 1000),
    };
  }
  const spreadMs = opts.spread
    ? Math.floor(clamp01((opts.random ?? Math.random)()) * opts.policy.windowSpreadMs)
    : 0;
  return { kind: "reschedule", at: new Date(until.getTime() + spreadMs) };
}

function clamp01(n: number): number {
  if (!Number.isFinite(n) || n < 0) return 0;
  return n >= 1 ? 1 - Number.EPSILON : n;
}
