import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  classifyProviderError,
  type ProviderFailure,
} from "../../../functions/publishing/domain/provider-errors.js";
import {
  decideRetry,
  fullJitterMs,
  planWait,
  RETRY_POLICIES,
  type RetryPolicy,
  SQS_MAX_DELAY_MS,
  SQS_MAX_VISIBILITY_MS,
} from "../../../functions/publishing/domain/retry-policy.js";

const NOW = new Date("2026-03-10T13:45:00.000Z");
const fixed = (v: number) => () => v;
const classify = (f: ProviderFailure, ctx = {}) => classifyProviderError(f, { now: NOW, ...ctx });

const TRANSIENT_META = classify({ provider: "meta", httpStatus: 400, code: 2 });
const UNKNOWN_META = classify({ provider: "meta", httpStatus: 400, code: 987654 });
const CONFIG_LI = classify({
  provider: "linkedin",
  httpStatus: 426,
  code: "NONEXISTENT_VERSION",
  message: "Requested version 20241101 is not active",
});
const AUTH_META = classify({ provider: "meta", httpStatus: 400, code: 190, subcode: 463 });
const LI_429 = classify({ provider: "linkedin", httpStatus: 429, message: "APPLICATION DAY" });

describe("full jitter", () => {
  const policy = { baseMs: 1_000, capMs: 60_000 };

  it.each([
    [0, 1, 0],
    [0.5, 1, 1_000], // ceiling 2 s
    [0.5, 3, 4_000], // ceiling 8 s
    [0.999, 10, 59_940], // capped at 60 s
  ])("random %s, attempt %s → %s ms", (r, attempt, expected) => {
    expect(fullJitterMs(policy, attempt, fixed(r))).toBe(expected);
  });

  it("always lies in [0, min(cap, base·2^attempt)) whatever random returns", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: -1, max: 2, noNaN: false }),
        (attempt, r) => {
          const d = fullJitterMs(policy, attempt, fixed(r));
          return d >= 0 && d < Math.min(policy.capMs, policy.baseMs * 2 ** attempt) + 1;
        },
      ),
    );
  });
});

describe("decideRetry", () => {
  it("retries a transient failure through the queue with jittered backoff", () => {
    const d = decideRetry("meta", TRANSIENT_META, { attempt: 2, now: NOW, random: fixed(0.5) });
    // meta base 2 s: ceiling 8 s at attempt 2, half of it.
    expect(d).toEqual({
      kind: "retry_soon",
      delayMs: 4_000,
      delaySeconds: 4,
      at: new Date(NOW.getTime() + 4_000),
    });
  });

  it("fails a transient failure once the attempts are spent", () => {
    const max = RETRY_POLICIES.meta.maxAttempts;
    expect(decideRetry("meta", TRANSIENT_META, { attempt: max, now: NOW })).toEqual({
      kind: "fail",
      reason: "attempts_exhausted",
    });
  });

  it("leaves unknown and config failures to the dead-letter queue once the attempts are spent", () => {
    expect(
      decideRetry("meta", UNKNOWN_META, { attempt: RETRY_POLICIES.meta.maxAttempts, now: NOW }).kind,
    ).toBe("dead_letter");
    expect(
      decideRetry("linkedin", CONFIG_LI, { attempt: RETRY_POLICIES.linkedin.maxAttempts, now: NOW }).kind,
    ).toBe("dead_letter");
    expect(decideRetry("meta", UNKNOWN_META, { attempt: 1, now: NOW, random: fixed(0) }).kind).toBe(
      "retry_soon",
    );
  });

  it("does not retry what cannot succeed", () => {
    expect(decideRetry("meta", AUTH_META, { attempt: 1, now: NOW })).toEqual({
      kind: "fail",
      reason: "not_retryable",
    });
  });

  it("reschedules LinkedIn's daily limit to midnight UTC, spread so deliveries do not stampede", () => {
    const d = decideRetry("linkedin", LI_429, { attempt: 1, now: NOW, random: fixed(0.5) });
    expect(d).toEqual({
      kind: "reschedule",
      at: new Date(Date.parse("2026-03-11T00:00:00.000Z") + RETRY_POLICIES.linkedin.windowSpreadMs / 2),
    });
  });

  it("keeps a short rate-limit window on the queue", () => {
    const regainAt = new Date(NOW.getTime() + 5 * 60_000);
    const throttled = classify({ provider: "meta", httpStatus: 400, code: 80001 }, { regainAt });
    expect(decideRetry("meta", throttled, { attempt: 1, now: NOW, random: fixed(0.9) })).toEqual({
      kind: "retry_soon",
      delayMs: 300_000,
      delaySeconds: 300,
      at: regainAt,
    });
  });

  it("does not count rate-limit waits as attempts, but caps them", () => {
    const max = RETRY_POLICIES.linkedin.maxAttempts;
    expect(decideRetry("linkedin", LI_429, { attempt: max + 3, windowWaits: 0, now: NOW }).kind).toBe(
      "reschedule",
    );
    expect(
      decideRetry("linkedin", LI_429, {
        attempt: 1,
        windowWaits: RETRY_POLICIES.linkedin.maxWindowWaits,
        now: NOW,
      }),
    ).toEqual({ kind: "fail", reason: "waits_exhausted" });
  });

  it("never retries sooner than a row's minimum wait (Instagram container not ready)", () => {
    const notReady = classify({ provider: "meta", httpStatus: 400, code: 9007, subcode: 2207027 });
    const d = decideRetry("meta", notReady, { attempt: 1, now: NOW, random: fixed(0) });
    expect(d).toMatchObject({ kind: "retry_soon", delayMs: 10_000 });
  });

  it("moves an Instagram quota hit to when the slot frees", () => {
    const quotaFreesAt = new Date("2026-03-11T09:30:00.000Z");
    const quota = classify(
      { provider: "meta", httpStatus: 400, code: 9, subcode: 2207042 },
      { quotaFreesAt },
    );
    const d = decideRetry("meta", quota, { attempt: 1, now: NOW, random: fixed(0) });
    expect(d).toEqual({ kind: "reschedule", at: quotaFreesAt });
  });

  it("keeps every backoff within the queue's 15-minute delay", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("meta" as const, "linkedin" as const),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (provider, attempt, r) => {
          const d = decideRetry(provider, TRANSIENT_META, { attempt, now: NOW, random: fixed(r) });
          return d.kind === "retry_soon" && d.delayMs <= SQS_MAX_DELAY_MS && d.delaySeconds <= 900;
        },
      ),
    );
  });
});

describe("planWait", () => {
  const policy: RetryPolicy = RETRY_POLICIES.meta;

  it("stays on the queue up to the short-wait limit, then goes to the Scheduler", () => {
    const at15 = new Date(NOW.getTime() + SQS_MAX_DELAY_MS);
    expect(planWait(at15, NOW, { policy })).toMatchObject({ kind: "retry_soon", delaySeconds: 900 });
    const later = new Date(NOW.getTime() + SQS_MAX_DELAY_MS + 1);
    expect(planWait(later, NOW, { policy })).toEqual({ kind: "reschedule", at: later });
  });

  it("treats a time in the past as now", () => {
    expect(planWait(new Date(NOW.getTime() - 5_000), NOW, { policy })).toMatchObject({
      kind: "retry_soon",
      delayMs: 0,
      delaySeconds: 0,
    });
  });

  it("never uses the queue beyond SQS's 12-hour visibility ceiling", () => {
    const generous = { ...policy, shortWaitMaxMs: 48 * 3_600_000 };
    const at = new Date(NOW.getTime() + SQS_MAX_VISIBILITY_MS + 1_000);
    expect(planWait(at, NOW, { policy: generous }).kind).toBe("reschedule");
    const inside = new Date(NOW.getTime() + SQS_MAX_VISIBILITY_MS);
    expect(planWait(inside, NOW, { policy: generous }).kind).toBe("retry_soon");
  });
});
