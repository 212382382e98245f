import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  admit,
  type BreakerConfig,
  type BreakerOutcome,
  type BreakerState,
  breakerOutcomeOf,
  DEFAULT_BREAKER_CONFIG,
  initialBreakerState,
  record,
} from "../../../functions/publishing/domain/breaker.js";
import { classifyProviderError } from "../../../functions/publishing/domain/provider-errors.js";

const C: BreakerConfig = DEFAULT_BREAKER_CONFIG;
const T0 = Date.parse("2026-03-10T12:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);
const iso = (ms: number) => at(ms).toISOString();
const never = () => 0.999; // never paced
const FAIL: BreakerOutcome = { kind: "failure" };
const OK: BreakerOutcome = { kind: "success" };

/** Apply outcomes at the given offsets, starting closed. */
function run(steps: [number, BreakerOutcome][], start: BreakerState = initialBreakerState()) {
  let s = start;
  const transitions = [];
  for (const [t, o] of steps) {
    const out = record(s, o, at(t), C);
    s = out.state;
    transitions.push(...out.transitions);
  }
  return { state: s, transitions };
}

const fails = (n: number, every = 1_000) =>
  Array.from({ length: n }, (_, i) => [i * every, FAIL] as [number, BreakerOutcome]);

const OPEN: BreakerState = {
  state: "open",
  failures: [],
  openedAt: iso(0),
  probeAt: iso(30_000),
  backoffMs: 30_000,
  version: 7,
};
const HALF: BreakerState = { ...OPEN, state: "half_open", probeAt: iso(90_000) };

describe("opening", () => {
  it.each([
    ["4 failures in the window stay closed", fails(4), "closed", 0],
    ["5 failures in the window open it", fails(5), "open", 1],
    ["5 failures spread wider than the window stay closed", fails(5, 20_000), "closed", 0],
    [
      "successes do not reset the window count",
      [...fails(3), [3_500, OK], [3_600, FAIL], [3_700, FAIL]],
      "open",
      1,
    ],
  ] as [string, [number, BreakerOutcome][], string, number][])("%s", (_n, steps, expected, transitions) => {
    const out = run(steps);
    expect(out.state.state).toBe(expected);
    expect(out.transitions).toHaveLength(transitions);
  });

  it("opens for the base backoff and says why", () => {
    const out = run(fails(5));
    expect(out.state).toMatchObject({
      state: "open",
      openedAt: iso(4_000),
      probeAt: iso(34_000),
      backoffMs: 30_000,
    });
    expect(out.transitions[0]).toMatchObject({
      from: "closed",
      to: "open",
      at: iso(4_000),
      backoffMs: 30_000,
    });
    expect(out.transitions[0]!.reason).toMatch(/5 throttled or failed calls/);
  });

  it("keeps at most `failureThreshold` failures in the state", () => {
    const out = run(fails(4, 30_000).concat(fails(4, 30_000).map(([t, o]) => [t + 200_000, o])));
    expect(out.state.failures.length).toBeLessThanOrEqual(C.failureThreshold);
  });

  it("ignores late failures while open", () => {
    const out = record(OPEN, FAIL, at(1_000), C);
    expect(out.changed).toBe(false);
    expect(out.state).toBe(OPEN);
  });

  it("does not count non-throttle answers (auth, content) as failures", () => {
    const out = run(
      Array.from({ length: 10 }, (_, i) => [i, { kind: "answered" }] as [number, BreakerOutcome]),
    );
    expect(out.state.state).toBe("closed");
    expect(out.state.failures).toEqual([]);
  });
});

describe("while open, half-open probes", () => {
  it("makes callers wait until the probe time", () => {
    const out = admit(OPEN, at(10_000), C, never);
    expect(out.result).toEqual({ kind: "wait", until: at(30_000), reason: "open" });
    expect(out.changed).toBe(false);
  });

  it("lets exactly one probe through once the backoff elapsed", () => {
    const first = admit(OPEN, at(30_000), C, never);
    expect(first.result).toEqual({ kind: "go", probe: true });
    expect(first.changed).toBe(true);
    expect(first.state).toMatchObject({ state: "half_open", probeAt: iso(30_000 + C.probeLeaseMs) });
    expect(first.transitions).toEqual([
      { from: "open", to: "half_open", at: iso(30_000), reason: "backoff elapsed; one probe allowed" },
    ]);
    const second = admit(first.state, at(31_000), C, never);
    expect(second.result).toEqual({
      kind: "wait",
      until: at(30_000 + C.probeLeaseMs),
      reason: "probe_in_flight",
    });
  });

  it("grants a new probe when the previous probe's lease lapsed without an answer", () => {
    const out = admit(HALF, at(90_000), C, never);
    expect(out.result).toEqual({ kind: "go", probe: true });
    expect(out.transitions).toEqual([]);
    expect(out.state.probeAt).toBe(iso(90_000 + C.probeLeaseMs));
  });

  it.each([
    ["success", OK, "probe succeeded"],
    ["a non-throttle answer", { kind: "answered" } as BreakerOutcome, "probe answered"],
  ])("closes on %s and resets the backoff", (_n, outcome, reason) => {
    const out = record({ ...HALF, backoffMs: 240_000 }, outcome, at(40_000), C);
    expect(out.state).toEqual({ state: "closed", failures: [], backoffMs: C.baseBackoffMs, version: 7 });
    expect(out.transitions).toEqual([{ from: "half_open", to: "closed", at: iso(40_000), reason }]);
  });

  it("re-opens on a failed probe with a doubled backoff, capped", () => {
    let s: BreakerState = HALF;
    const backoffs: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = i * 10_000_000;
      const opened = record({ ...s, state: "half_open" }, FAIL, at(t), C);
      expect(opened.transitions[0]).toMatchObject({ from: "half_open", to: "open", reason: "probe failed" });
      expect(opened.state.probeAt).toBe(iso(t + opened.state.backoffMs));
      backoffs.push(opened.state.backoffMs);
      s = opened.state;
    }
    expect(backoffs).toEqual([60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000, 900_000]);
  });

  it("treats an unreadable probe time as due rather than blocking forever", () => {
    const out = admit({ ...OPEN, probeAt: "garbage" }, at(0), C, never);
    expect(out.result).toEqual({ kind: "go", probe: true });
  });
});

describe("pacing from usage", () => {
  const withUsage = (pct: number, extra: Partial<BreakerState["usage"]> = {}): BreakerState => ({
    ...initialBreakerState(),
    usage: { pct, observedAt: iso(0), ...extra },
  });

  it("lets every call through below the threshold", () => {
    for (let i = 0; i < 50; i++) {
      expect(admit(withUsage(79), at(1_000), C, () => i / 50).result).toEqual({ kind: "go", probe: false });
    }
  });

  it("above the threshold, delays a share of calls that grows with usage", () => {
    const share = (pct: number) => {
      let waited = 0;
      const n = 1_000;
      for (let i = 0; i < n; i++) {
        const r = admit(withUsage(pct), at(1_000), C, () => (i + 0.5) / n).result;
        if (r.kind === "wait") {
          expect(r.reason).toBe("pacing");
          expect(r.until.getTime()).toBeGreaterThan(at(1_000).getTime());
          expect(r.until.getTime()).toBeLessThanOrEqual(at(1_000).getTime() + C.maxPacingDelayMs);
          waited++;
        }
      }
      return waited / n;
    };
    const s85 = share(85);
    const s95 = share(95);
    const s99 = share(99);
    expect(s85).toBeGreaterThan(0);
    expect(s95).toBeGreaterThan(s85);
    expect(s99).toBeGreaterThan(s95);
    expect(s99).toBeLessThan(1); // some calls still go, so fresh readings keep arriving
  });

  it("at ≥ 100 % with no regain time, waits from when the reading was seen", () => {
    const out = admit(withUsage(104), at(1_000), C, never);
    expect(out.result).toEqual({ kind: "wait", until: at(C.saturatedWaitMs), reason: "usage_exhausted" });
  });

  it("waits until the regain time, then lets calls go", () => {
    const s = withUsage(100, { regainAt: iso(20 * 60_000) });
    expect(admit(s, at(60_000), C, never).result).toEqual({
      kind: "wait",
      until: at(20 * 60_000),
      reason: "usage_exhausted",
    });
    // Past the regain time, and the reading has gone stale: calls go.
    expect(admit(s, at(21 * 60_000), C, never).result).toEqual({ kind: "go", probe: false });
  });

  it("ignores a stale reading", () => {
    expect(admit(withUsage(99), at(C.usageTtlMs + 1), C, () => 0).result).toEqual({
      kind: "go",
      probe: false,
    });
  });

  it("keeps a probe out of a known block", () => {
    const blocked: BreakerState = {
      ...OPEN,
      usage: { pct: 100, observedAt: iso(0), regainAt: iso(600_000) },
    };
    expect(admit(blocked, at(30_000), C, never).result).toMatchObject({
      kind: "wait",
      reason: "usage_exhausted",
    });
  });
});

describe("recording usage", () => {
  it("stores a throttle's wait window as a block (LinkedIn's midnight reset)", () => {
    const now = new Date("2026-03-10T13:45:00.000Z");
    const c = classifyProviderError(
      { provider: "linkedin", httpStatus: 429, message: "APPLICATION DAY" },
      { now },
    );
    const out = record(initialBreakerState(), breakerOutcomeOf(c, now), now, C);
    expect(out.state.usage).toEqual({
      pct: 100,
      observedAt: now.toISOString(),
      regainAt: "2026-03-11T00:00:00.000Z",
    });
    expect(admit(out.state, new Date("2026-03-10T18:00:00.000Z"), C, never).result).toEqual({
      kind: "wait",
      until: new Date("2026-03-11T00:00:00.000Z"),
      reason: "usage_exhausted",
    });
  });

  it("writes only material changes", () => {
    const base = record(initialBreakerState(), { kind: "success", usage: { pct: 40 } }, at(0), C);
    expect(base.changed).toBe(true);
    expect(record(base.state, { kind: "success", usage: { pct: 42 } }, at(1_000), C).changed).toBe(false);
    expect(record(base.state, { kind: "success", usage: { pct: 46 } }, at(1_000), C).changed).toBe(true);
    // Crossing the slowdown threshold matters even by one point.
    const near = record(initialBreakerState(), { kind: "success", usage: { pct: 78 } }, at(0), C).state;
    expect(record(near, { kind: "success", usage: { pct: 80 } }, at(1_000), C).changed).toBe(true);
    // A reading older than half the TTL is refreshed.
    expect(
      record(base.state, { kind: "success", usage: { pct: 40 } }, at(C.usageTtlMs / 2 + 1), C).changed,
    ).toBe(true);
    // A plain success with no reading changes nothing in the closed state.
    expect(record(base.state, OK, at(1_000), C).changed).toBe(false);
  });

  it("does not let a smaller, later reading lift a known block", () => {
    const blocked = record(
      initialBreakerState(),
      { kind: "failure", blockedUntil: at(3_600_000) },
      at(0),
      C,
    ).state;
    const out = record(blocked, { kind: "success", usage: { pct: 10 } }, at(1_000), C);
    expect(out.state.usage?.regainAt).toBe(iso(3_600_000));
  });

  it("maps classified errors to breaker outcomes", () => {
    const now = at(0);
    const cls = (f: Parameters<typeof classifyProviderError>[0]) => classifyProviderError(f, { now });
    expect(breakerOutcomeOf(cls({ provider: "meta", network: "reset" }), now)).toEqual({ kind: "failure" });
    expect(breakerOutcomeOf(cls({ provider: "meta", httpStatus: 400, code: 190 }), now)).toEqual({
      kind: "answered",
    });
    expect(breakerOutcomeOf(cls({ provider: "meta", httpStatus: 400, code: 4 }), now)).toEqual({
      kind: "failure",
      blockedUntil: at(15 * 60_000),
    });
    expect(
      breakerOutcomeOf(cls({ provider: "meta", httpStatus: 400, code: 9, subcode: 2207042 }), now, {
        pct: 100,
      }),
    ).toEqual({ kind: "answered", usage: { pct: 100 }, blockedUntil: at(3_600_000) });
  });
});

describe("the state is small and serialisable", () => {
  it("survives a JSON round trip through any sequence of events", () => {
    const event = fc.oneof(
      fc.record({
        kind: fc.constant("admit" as const),
        r: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      }),
      fc.record({
        kind: fc.constantFrom("success" as const, "failure" as const, "answered" as const),
        pct: fc.option(fc.integer({ min: 0, max: 130 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 120_000 }), event), { maxLength: 40 }),
        (events) => {
          let s = initialBreakerState();
          let t = 0;
          for (const [dt, e] of events) {
            t += dt;
            const out =
              e.kind === "admit"
                ? admit(s, at(t), C, () => e.r)
                : record(
                    s,
                    { kind: e.kind, ...(e.pct === undefined ? {} : { usage: { pct: e.pct } }) },
                    at(t),
                    C,
                  );
            s = out.state;
            expect(JSON.parse(JSON.stringify(s))).toEqual(s);
            expect(s.failures.length).toBeLessThanOrEqual(C.failureThreshold);
            expect(s.backoffMs).toBeLessThanOrEqual(C.maxBackoffMs);
            if (s.state !== "closed") expect(Number.isFinite(Date.parse(s.probeAt ?? ""))).toBe(true);
          }
        },
      ),
    );
  });
});
