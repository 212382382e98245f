import type { FaultRule, ProviderName } from "./types.js";

/** A stored fault rule: an id and the number of firings left (undefined: unlimited). */
export interface ActiveFault extends FaultRule {
  readonly id: string;
  remaining?: number;
  fired: number;
}

/** What the request being matched looks like to a fault rule. */
export interface FaultSubject {
  readonly provider: ProviderName | undefined;
  readonly method: string;
  readonly path: string;
  readonly target: string | undefined;
}

const FAULT_KINDS = new Set(["error", "response", "latency", "drop-before", "drop-after"]);

/**
 * Check a rule posted to `POST /_sandbox/faults` and return a clean copy, or throw an Error
 * naming what is wrong. `knownPresets` holds the full preset names (`meta.token-expired`).
 */
export function parseFaultRule(input: unknown, knownPresets: ReadonlySet<string>): FaultRule {
  if (typeof input !== "object" || input === null) throw new Error("a fault rule must be a JSON object");
  const r = input as Record<string, unknown>;
  const fault = r.fault as Record<string, unknown> | undefined;
  if (typeof fault !== "object" || fault === null || !FAULT_KINDS.has(String(fault.kind))) {
    throw new Error(`fault.kind must be one of ${[...FAULT_KINDS].join(", ")}`);
  }
  if (r.provider !== undefined && r.provider !== "meta" && r.provider !== "linkedin") {
    throw new Error("provider must be meta or linkedin");
  }
  if (r.path !== undefined) {
    if (typeof r.path !== "string") throw new Error("path must be a RegExp source string");
    new RegExp(r.path); // throws SyntaxError on a bad pattern
  }
  if (r.method !== undefined && typeof r.method !== "string") throw new Error("method must be a string");
  if (r.target !== undefined && typeof r.target !== "string") throw new Error("target must be a string");
  if (r.times !== undefined && (!Number.isInteger(r.times) || (r.times as number) < 1)) {
    throw new Error("times must be a positive integer");
  }
  if (
    r.probability !== undefined &&
    (typeof r.probability !== "number" || r.probability < 0 || r.probability > 1)
  ) {
    throw new Error("probability must be a number between 0 and 1");
  }
  switch (fault.kind) {
    case "error": {
      const preset = String(fault.preset ?? "");
      const full = preset.includes(".") ? preset : r.provider ? `${r.provider}.${preset}` : preset;
      if (!knownPresets.has(full))
        throw new Error(`unknown preset ${preset}; see GET /_sandbox/faults/presets`);
      return { ...(r as unknown as FaultRule), fault: { kind: "error", preset: full } };
    }
    case "response":
      if (
        !Number.isInteger(fault.status) ||
        (fault.status as number) < 100 ||
        (fault.status as number) > 599
      ) {
        throw new Error("fault.status must be an HTTP status");
      }
      return r as unknown as FaultRule;
    case "latency":
      if (typeof fault.ms !== "number" || fault.ms < 0 || fault.ms > 120_000) {
        throw new Error("fault.ms must be between 0 and 120000");
      }
      return r as unknown as FaultRule;
    default:
      return r as unknown as FaultRule;
  }
}

/** The active fault rules, in the order they were added. */
export class FaultTable {
  private rules: ActiveFault[] = [];
  private seq = 0;

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRule): ActiveFault {
    this.seq += 1;
    const active: ActiveFault = { ...rule, id: `fault-${this.seq}`, remaining: rule.times, fired: 0 };
    this.rules.push(active);
    return active;
  }

  list(): readonly ActiveFault[] {
    return this.rules;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The first rule that matches and decides to fire for this request. Firing uses one of
   * its `times`; a rule that has used them all is removed.
   */
  take(subject: FaultSubject): ActiveFault | undefined {
    for (const rule of this.rules) {
      if (!matches(rule, subject)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.fired += 1;
      if (rule.remaining !== undefined) {
        rule.remaining -= 1;
        if (rule.remaining <= 0) this.remove(rule.id);
      }
      return rule;
    }
    return undefined;
  }
}

function matches(rule: ActiveFault, s: FaultSubject): boolean {
  if (rule.provider !== undefined && rule.provider !== s.provider) return false;
  if (rule.method !== undefined && rule.method.toUpperCase() !== s.method) return false;
  if (rule.path !== undefined && !new RegExp(rule.path).test(s.path)) return false;
  if (rule.target !== undefined && rule.target !== s.target) return false;
  return true;
}
