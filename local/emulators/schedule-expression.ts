/**
 * EventBridge Scheduler expressions: `at(yyyy-mm-ddThh:mm:ss)`, `rate(n unit)` and
 * `cron(min hour day-of-month month day-of-week year)`, and the IANA-zone arithmetic that turns
 * an `at()` wall-clock time into a UTC instant. Pure functions, no clock.
 */

export type ScheduleExpression =
  | { readonly kind: "at"; readonly local: string }
  | { readonly kind: "rate"; readonly value: number; readonly unit: "minute" | "hour" | "day" }
  | { readonly kind: "cron"; readonly fields: readonly string[] };

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(([^()]+)\)$/;
// One pattern per cron field, in order; the syntax check only (values are not range-checked).
const CRON_FIELDS = [
  /^[0-9,\-*/]+$/,
  /^[0-9,\-*/]+$/,
  /^[0-9,\-*/?LW]+$/,
  /^[0-9A-Za-z,\-*/]+$/,
  /^[0-9A-Za-z,\-*/?L#]+$/,
  /^[0-9,\-*/]+$/,
];

/** Parses a schedule expression, or returns undefined when AWS would refuse it. */
export function parseScheduleExpression(expression: string): ScheduleExpression | undefined {
  const at = AT.exec(expression);
  if (at) {
    const local = at[1]!;
    // A real calendar time: Date.parse accepts 2026-02-30, the round trip does not.
    const ms = Date.parse(`${local}Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== local) return undefined;
    return { kind: "at", local };
  }
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const word = rate[2]!;
    const plural = word.endsWith("s");
    // AWS wants the singular unit for 1 and the plural otherwise.
    if (value < 1 || (value === 1) === plural) return undefined;
    return { kind: "rate", value, unit: (plural ? word.slice(0, -1) : word) as "minute" | "hour" | "day" };
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6 || !fields.every((f, i) => CRON_FIELDS[i]!.test(f))) return undefined;
    // Exactly one of day-of-month and day-of-week must be `?`.
    if ((fields[2] === "?") === (fields[4] === "?")) return undefined;
    return { kind: "cron", fields };
  }
  return undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for an IANA zone name the runtime knows (e.g. `Europe/Paris`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in ms (Paris in winter: +3 600 000). */
function offsetMs(utcMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(new Date(utcMs))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.parse(
    `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}Z`,
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}

const DAY_MS = 86_400_000;

/**
 * The UTC instant (ms) at which the wall-clock time `local` (yyyy-mm-ddThh:mm:ss) occurs in
 * `timeZone`. A time that occurs twice (DST overlap) resolves to the first pass; a time that
 * does not exist (DST gap) is moved forward by the gap, e.g. 02:30 → 03:30.
 */
export function zonedTimeToUtcMs(local: string, timeZone: string): number {
  const asIfUtc = Date.parse(`${local}Z`);
  // The zone's offsets a day either side bracket any single transition near `local`.
  const before = asIfUtc - offsetMs(asIfUtc - DAY_MS, timeZone);
  const after = asIfUtc - offsetMs(asIfUtc + DAY_MS, timeZone);
  const matching = [before, after].filter((c) => c + offsetMs(c, timeZone) === asIfUtc);
  return matching.length > 0 ? Math.min(...matching) : before;
}
