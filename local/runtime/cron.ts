/**
 * The cron runner: calls each function that has a schedule trigger at the times its
 * EventBridge Scheduler expression names (`rate(…)` or the six-field `cron(…)`, UTC), and on
 * demand (`trigger`) so tests and developers need not wait. The event is the EventBridge
 * "Scheduled Event" envelope.
 */
import { randomUUID } from "node:crypto";
import type { FunctionSpec, ScheduleTrigger } from "../../functions/manifest.js";
import type { ActivityLog } from "../stack/activity.js";
import type { FunctionInvoker } from "./invoker.js";

export interface Schedule {
  /** Next fire time strictly after `after`. */
  next(after: Date): Date | undefined;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Parse one cron field into the set of allowed values; `undefined` means any (`*` or `?`). */
function field(
  spec: string,
  min: number,
  max: number,
  names: readonly string[] = [],
  nameBase = min,
): Set<number> | undefined {
  if (spec === "*" || spec === "?") return undefined;
  const value = (s: string) => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + nameBase : Number(s);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`cron value ${s} is outside ${min}-${max}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of spec.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad cron step in ${part}`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === undefined) {
      lo = min;
      hi = max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-");
      lo = value(a ?? "");
      hi = value(b ?? "");
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/**
 * Parse an EventBridge Scheduler expression: `rate(5 minutes)`, or
 * `cron(minutes hours day-of-month month day-of-week year)` with `*`, `?`, lists, ranges,
 * steps and JAN–DEC / SUN–SAT names (day-of-week 1 = Sunday). `L`, `W` and `#` are not
 * supported locally and are refused with a clear error.
 */
export function parseSchedule(expression: string, start = new Date()): Schedule {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, "");
    if (n < 1) throw new Error(`rate must be positive: ${expression}`);
    const period = n * UNIT_MS[unit]!;
    const origin = start.getTime();
    return {
      next: (after) => new Date(origin + (Math.floor((after.getTime() - origin) / period) + 1) * period),
    };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new Error(`not a rate() or cron() expression: ${expression}`);
  const parts = cron[1]!.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`cron() needs six fields: ${expression}`);
  const [mi, ho, dom, mo, dow, yr] = parts as [string, string, string, string, string, string];
  // Day-of-month has no names, so any L/W there is the "last"/"weekday" syntax; day-of-week uses `#` and `<n>L`.
  if (/[LW]/i.test(dom) || /#|^\d?L$/i.test(dow)) {
    throw new Error(`L, W and # are not supported locally: ${expression}`);
  }
  const minutes = field(mi, 0, 59);
  const hours = field(ho, 0, 23);
  const days = field(dom, 1, 31);
  const months = field(mo, 1, 12, MONTHS, 1);
  const weekdays = field(dow, 1, 7, DAYS, 1);
  const years = field(yr, 1970, 2199);
  const ok = (set: Set<number> | undefined, v: number) => set === undefined || set.has(v);
  return {
    next(after) {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      // Walk forward minute by minute, skipping whole days/hours that cannot match.
      const limit = after.getTime() + 5 * 366 * UNIT_MS.day!;
      while (t.getTime() <= limit) {
        const dayOk =
          ok(years, t.getUTCFullYear()) &&
          ok(months, t.getUTCMonth() + 1) &&
          ok(days, t.getUTCDate()) &&
          ok(weekdays, t.getUTCDay() + 1);
        if (!dayOk) {
          t.setUTCHours(0, 0, 0, 0);
          t.setUTCDate(t.getUTCDate() + 1);
          continue;
        }
        if (!ok(hours, t.getUTCHours())) {
          t.setUTCMinutes(0);
          t.setUTCHours(t.getUTCHours() + 1);
          continue;
        }
        if (ok(minutes, t.getUTCMinutes())) return new Date(t.getTime());
        t.setUTCMinutes(t.getUTCMinutes() + 1);
      }
      return undefined;
    },
  };
}

/** The EventBridge "Scheduled Event" a scheduled function receives. */
export function scheduledEvent(ruleArn: string, region: string, account: string, time: Date) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account,
    time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [ruleArn],
    detail: {},
  };
}

export interface CronRunnerOptions {
  readonly functions: readonly FunctionSpec[];
  readonly invoker: Pick<FunctionInvoker, "invoke" | "functionName" | "find">;
  readonly region: string;
  readonly accountId: string;
  readonly activity?: ActivityLog;
}

export interface CronRun {
  readonly function: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly result?: unknown;
  readonly error?: string;
}

export interface RunningCron {
  /** Scheduled functions and their next fire time. */
  readonly jobs: readonly { function: string; expression: string; next?: string }[];
  /** Run a scheduled function now; `undefined` when no such scheduled function exists. */
  trigger(functionName: string): Promise<CronRun | undefined>;
  stop(): void;
}

// setTimeout cannot wait longer than ~24.8 days; longer waits re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;

export function startCronRunner(opts: CronRunnerOptions): RunningCron {
  const timers = new Map<string, NodeJS.Timeout>();
  const jobs: { function: string; expression: string; next?: string }[] = [];
  let stopped = false;

  const run = async (fn: FunctionSpec, trigger: ScheduleTrigger, manual: boolean): Promise<CronRun> => {
    const ruleArn = `arn:aws:scheduler:${opts.region}:${opts.accountId}:schedule/default/${opts.invoker.functionName(fn)}`;
    const started = Date.now();
    try {
      const { result } = await opts.invoker.invoke(
        fn,
        scheduledEvent(ruleArn, opts.region, opts.accountId, new Date()),
      );
      const out = { function: fn.name, ok: true, durationMs: Date.now() - started, result };
      opts.activity?.record("cron", "run", {
        function: fn.name,
        expression: trigger.expression,
        manual,
        ok: true,
        durationMs: out.durationMs,
      });
      return out;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      opts.activity?.record("cron", "run", {
        function: fn.name,
        expression: trigger.expression,
        manual,
        ok: false,
        error: message,
      });
      return { function: fn.name, ok: false, durationMs: Date.now() - started, error: message };
    }
  };

  const arm = (
    fn: FunctionSpec,
    trigger: ScheduleTrigger,
    schedule: Schedule,
    job: (typeof jobs)[number],
  ) => {
    if (stopped) return;
    const next = schedule.next(new Date());
    job.next = next?.toISOString();
    if (!next) return;
    const key = `${fn.name}|${trigger.expression}`;
    const wait = next.getTime() - Date.now();
    const timer = setTimeout(
      () => {
        if (wait > MAX_TIMER_MS) arm(fn, trigger, schedule, job);
        else void run(fn, trigger, false).finally(() => arm(fn, trigger, schedule, job));
      },
      Math.min(Math.max(0, wait), MAX_TIMER_MS),
    );
    timer.unref();
    timers.set(key, timer);
  };

  for (const fn of opts.functions) {
    for (const trigger of fn.triggers) {
      if (trigger.type !== "schedule") continue;
      const job = { function: fn.name, expression: trigger.expression } as (typeof jobs)[number];
      jobs.push(job);
      try {
        arm(fn, trigger, parseSchedule(trigger.expression), job);
      } catch (error) {
        opts.activity?.record("cron", "invalid-expression", { function: fn.name, error: String(error) });
      }
    }
  }

  return {
    jobs,
    async trigger(name) {
      const fn = opts.invoker.find(name);
      const trigger = fn?.triggers.find((t): t is ScheduleTrigger => t.type === "schedule");
      if (!fn || !trigger) return undefined;
      return run(fn, trigger, true);
    },
    stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
