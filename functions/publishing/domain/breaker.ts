/**
 * Circuit breaker and pacer for one provider scope (the provider app as a whole, or one
 * target: a Page, an Instagram account, a LinkedIn member). A pure state machine over a
 * small serialisable state, shared across Lambda instances by `adapters/breaker-store.ts`.
 *
 * ```
 *            N counted failures in window                 now ≥ probeAt (one caller wins)
 *  closed ───────────────────────────────► open ─────────────────────────────► half_open
 *    ▲                                      ▲                                      │
 *    └──────────── probe succeeded ─────────┼──────────── probe failed ────────────┘
 *                                           (backoff doubled, capped)
 * ```
 *
 * Independently of that state, provider usage readings pace callers: above `slowdownPct`
 * only a shrinking share of calls goes through at once (the rest wait a short random delay),
 * and at ≥ 100 % or with a regain time every caller waits until the regain time. While open,
 * callers get "wait until X", so deliveries wait instead of failing.
 *
 * Counted failures are 429s, 5xx and network failures; an auth or content error shows the
 * provider is up, so it counts as an answer (it closes a half-open breaker).
 */
import type { ClassifiedError } from "./provider-errors.js";
import type { Random } from "./retry-policy.js";

export type BreakerStatus = "closed" | "open" | "half_open";

export interface BreakerUsage {
  /** Highest usage percentage reported (may exceed 100). */
  readonly pct: number;
  /** When the provider says access comes back (ISO). */
  readonly regainAt?: string;
  readonly observedAt: string;
}

export interface BreakerState {
  readonly state: BreakerStatus;
  /** Recent counted failures (at most `failureThreshold`, newest last). */
  readonly failures: readonly { readonly at: string }[];
  readonly openedAt?: string;
  /** Open: when a probe may go. Half-open: when the in-flight probe's lease lapses. */
  readonly probeAt?: string;
  /** The backoff used by the latest opening. */
  readonly backoffMs: number;
  readonly usage?: BreakerUsage;
  /** Optimistic-concurrency version, bumped by the store on every write. */
  readonly version: number;
}

export interface BreakerConfig {
  /** Counted failures within `windowMs` that open the breaker. */
  readonly failureThreshold: number;
  readonly windowMs: number;
  /** First open period; doubled after each failed probe, up to `maxBackoffMs`. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A half-open probe that never reports back frees the slot after this long. */
  readonly probeLeaseMs: number;
  /** Usage percentage from which calls are paced. */
  readonly slowdownPct: number;
  /** The longest pacing delay (reached just under 100 %). */
  readonly maxPacingDelayMs: number;
  /** Wait at ≥ 100 % when the provider gave no regain time. */
  readonly saturatedWaitMs: number;
  /** Usage readings older than this are ignored (unless their regain time is still ahead). */
  readonly usageTtlMs: number;
  /** A new reading is written only when it moves by this many points (or crosses a threshold). */
  readonly usageDeltaPct: number;
}

export const DEFAULT_BREAKER_CONFIG: BreakerConfig = {
  failureThreshold: 5,
  windowMs: 60_000,
  baseBackoffMs: 30_000,
  maxBackoffMs: 15 * 60_000,
  probeLeaseMs: 60_000,
  slowdownPct: 80,
  maxPacingDelayMs: 60_000,
  saturatedWaitMs: 5 * 60_000,
  usageTtlMs: 10 * 60_000,
  usageDeltaPct: 5,
};

export function initialBreakerState(config: BreakerConfig = DEFAULT_BREAKER_CONFIG): BreakerState {
  return { state: "closed", failures: [], backoffMs: config.baseBackoffMs, version: 0 };
}

export type Admission =
  | { readonly kind: "go"; readonly probe: boolean }
  | {
      readonly kind: "wait";
      readonly until: Date;
      /** `contended`: the shared state kept changing under this caller (store only). */
      readonly reason: "open" | "probe_in_flight" | "usage_exhausted" | "pacing" | "contended";
    };

/** A state change, for logs and the breaker metric. */
export interface BreakerTransition {
  readonly from: BreakerStatus;
  readonly to: BreakerStatus;
  readonly at: string;
  readonly reason: string;
  /** How long the breaker stays open (open transitions). */
  readonly backoffMs?: number;
}

export interface BreakerStep<T> {
  readonly state: BreakerState;
  /** Whether `state` differs from the input (the store writes only then). */
  readonly changed: boolean;
  readonly transitions: readonly BreakerTransition[];
  readonly result: T;
}

export interface BreakerOutcome {
  /**
   * `failure`: a 429, 5xx or network failure (counted). `success`: the call worked.
   * `answered`: the provider answered with a non-throttle error (it is up).
   */
  readonly kind: "success" | "failure" | "answered";
  /** The provider's latest usage reading for this scope. */
  readonly usage?: { readonly pct: number; readonly regainAt?: Date };
  /** The provider said no calls until then (LinkedIn midnight reset, Meta regain time). */
  readonly blockedUntil?: Date;
}

const ms = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

function liveUsage(s: BreakerState, now: Date, c: BreakerConfig): BreakerUsage | undefined {
  const u = s.usage;
  if (!u) return undefined;
  const fresh = now.getTime() - ms(u.observedAt) <= c.usageTtlMs;
  const regainAhead = ms(u.regainAt) > now.getTime();
  return fresh || regainAhead ? u : undefined;
}

/**
 * May a call go now? Grants at most one half-open probe per lease (the store's version check
 * makes that hold across instances: the grant is a state change, so only one write wins).
 */
export function admit(
  s: BreakerState,
  now: Date,
  config: BreakerConfig = DEFAULT_BREAKER_CONFIG,
  random: Random = Math.random,
): BreakerStep<Admission> {
  const t = now.getTime();
  const at = now.toISOString();

  if (s.state === "open" || s.state === "half_open") {
    const probeAt = ms(s.probeAt);
    // A missing or unreadable probe time counts as due: a broken item must not block forever.
    if (Number.isFinite(probeAt) && t < probeAt) {
      const reason = s.state === "open" ? "open" : "probe_in_flight";
      return unchanged(s, { kind: "wait", until: new Date(probeAt), reason });
    }
    // The usage gate still applies to the probe: probing into a known block wastes it.
    const gate = usageGate(s, now, config, random, false);
    if (gate) return unchanged(s, gate);
    const next: BreakerState = {
      ...s,
      state: "half_open",
      probeAt: new Date(t + config.probeLeaseMs).toISOString(),
    };
    const transitions: BreakerTransition[] =
      s.state === "open"
        ? [{ from: "open", to: "half_open", at, reason: "backoff elapsed; one probe allowed" }]
        : [];
    return { state: next, changed: true, transitions, result: { kind: "go", probe: true } };
  }

  const gate = usageGate(s, now, config, random, true);
  return unchanged(s, gate ?? { kind: "go", probe: false });
}

function usageGate(
  s: BreakerState,
  now: Date,
  c: BreakerConfig,
  random: Random,
  pace: boolean,
): Extract<Admission, { kind: "wait" }> | undefined {
  const u = liveUsage(s, now, c);
  if (!u) return undefined;
  const t = now.getTime();
  const regain = ms(u.regainAt);
  if (regain > t) return { kind: "wait", until: new Date(regain), reason: "usage_exhausted" };
  if (u.pct >= 100) {
    // Saturated with no regain time: wait from when it was seen, not from now (no starvation).
    const until = Math.max(t + 1000, ms(u.observedAt) + c.saturatedWaitMs);
    return { kind: "wait", until: new Date(until), reason: "usage_exhausted" };
  }
  if (!pace || u.pct < c.slowdownPct) return undefined;
  // Between the threshold and 100 %: let a shrinking share through now, spread the rest.
  const f = (u.pct - c.slowdownPct) / (100 - c.slowdownPct);
  if (random() >= f * 0.9) return undefined;
  const delay = Math.max(1000, Math.round(c.maxPacingDelayMs * f * (0.5 + 0.5 * random())));
  return { kind: "wait", until: new Date(t + delay), reason: "pacing" };
}

/** Record what a call (admitted earlier) got back. */
export function record(
  s: BreakerState,
  outcome: BreakerOutcome,
  now: Date,
  config: BreakerConfig = DEFAULT_BREAKER_CONFIG,
): BreakerStep<undefined> {
  const t = now.getTime();
  const at = now.toISOString();
  let next: BreakerState = s;
  let changed = false;
  const transitions: BreakerTransition[] = [];

  const usage = mergeUsage(s, outcome, now, config);
  if (usage !== s.usage) {
    next = { ...next, usage };
    changed = true;
  }

  if (outcome.kind === "failure") {
    if (s.state === "closed") {
      const recent = s.failures.filter((f) => t - ms(f.at) < config.windowMs);
      const failures = [...recent, { at }].slice(-config.failureThreshold);
      if (failures.length >= config.failureThreshold) {
        const backoffMs = config.baseBackoffMs;
        next = {
          ...next,
          state: "open",
          failures,
          openedAt: at,
          probeAt: new Date(t + backoffMs).toISOString(),
          backoffMs,
        };
        transitions.push({
          from: "closed",
          to: "open",
          at,
          reason: `${failures.length} throttled or failed calls within ${config.windowMs / 1000} s`,
          backoffMs,
        });
      } else {
        next = { ...next, failures };
      }
      changed = true;
    } else if (s.state === "half_open") {
      const backoffMs = Math.min(config.maxBackoffMs, s.backoffMs * 2);
      next = {
        ...next,
        state: "open",
        openedAt: at,
        probeAt: new Date(t + backoffMs).toISOString(),
        backoffMs,
      };
      transitions.push({ from: "half_open", to: "open", at, reason: "probe failed", backoffMs });
      changed = true;
    }
    // Already open: late answers from calls admitted before opening change nothing.
  } else if (s.state === "half_open") {
    next = {
      ...next,
      state: "closed",
      failures: [],
      backoffMs: config.baseBackoffMs,
      openedAt: undefined,
      probeAt: undefined,
    };
    transitions.push({
      from: "half_open",
      to: "closed",
      at,
      reason: outcome.kind === "success" ? "probe succeeded" : "probe answered",
    });
    changed = true;
  }

  return { state: changed ? stripUndefined(next) : s, changed, transitions, result: undefined };
}

function mergeUsage(
  s: BreakerState,
  outcome: BreakerOutcome,
  now: Date,
  c: BreakerConfig,
): BreakerUsage | undefined {
  const t = now.getTime();
  const blocked =
    outcome.blockedUntil && outcome.blockedUntil.getTime() > t ? outcome.blockedUntil : undefined;
  const reading = outcome.usage;
  if (!blocked && !reading) return s.usage;

  const regainCandidates = [blocked?.getTime(), reading?.regainAt?.getTime()].filter(
    (v): v is number => v !== undefined && v > t,
  );
  const regainMs = regainCandidates.length > 0 ? Math.max(...regainCandidates) : undefined;
  const pct = blocked ? Math.max(100, reading?.pct ?? 0) : (reading?.pct ?? 0);
  const proposed: BreakerUsage = {
    pct,
    observedAt: now.toISOString(),
    ...(regainMs === undefined ? {} : { regainAt: new Date(regainMs).toISOString() }),
  };

  const old = liveUsage(s, now, c);
  if (!old) return proposed;
  // A regain time already known and later than the new one stays (a stale, smaller reading
  // from a slow response must not lift a block).
  if (ms(old.regainAt) > (regainMs ?? 0)) return s.usage;
  const band = (p: number) => (p >= 100 ? 2 : p >= c.slowdownPct ? 1 : 0);
  const material =
    regainMs !== (Number.isNaN(ms(old.regainAt)) ? undefined : ms(old.regainAt)) ||
    band(old.pct) !== band(pct) ||
    Math.abs(old.pct - pct) >= c.usageDeltaPct ||
    t - ms(old.observedAt) > c.usageTtlMs / 2;
  return material ? proposed : s.usage;
}

function unchanged<T>(s: BreakerState, result: T): BreakerStep<T> {
  return { state: s, changed: false, transitions: [], result };
}

function stripUndefined(s: BreakerState): BreakerState {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as unknown as BreakerState;
}

/**
 * How a classified failure feeds the breaker: throttles and transient failures count, a
 * throttle's wait window blocks the scope until then, anything else shows the provider is up.
 * Which scope to record on: `error.limitScope` for throttles (default app), app for transient.
 */
export function breakerOutcomeOf(
  error: ClassifiedError,
  now: Date,
  usage?: BreakerOutcome["usage"],
): BreakerOutcome {
  const counted = error.class === "rate_limited" || error.class === "transient";
  const blockedUntil =
    (error.class === "rate_limited" || error.class === "quota") && error.waitUntil
      ? error.waitUntil(now)
      : undefined;
  return {
    kind: counted ? "failure" : "answered",
    ...(usage ? { usage } : {}),
    ...(blockedUntil ? { blockedUntil } : {}),
  };
}
