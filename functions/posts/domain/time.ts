/**
 * Wall-clock time in IANA zones, with the zone rules taken from the runtime's ICU data through
 * `Intl.DateTimeFormat` (never hand-written offsets).
 *
 * A local time that does not exist (the hour skipped when clocks go forward) is moved forward
 * by the length of the gap — 01:30 on the London spring-forward day becomes 02:30 BST — and
 * reported as `adjusted`. A local time that exists twice (the hour repeated when clocks go
 * back) means the earlier of the two instants (the first pass, still in summer time). This is
 * the "compatible" disambiguation of ECMAScript Temporal and of RFC 5545 (iCalendar).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string) => {
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
};

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall-clock fields of an instant in a zone. */
export function localParts(epochMs: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Wall-clock fields read as if they were UTC (a comparable number, not a real instant). */
const wallMs = (p: LocalParts) => Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export const offsetMs = (epochMs: number, timeZone: string) =>
  wallMs(localParts(Math.floor(epochMs / 1000) * 1000, timeZone)) - Math.floor(epochMs / 1000) * 1000;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export function parseLocal(localTime: string): LocalParts | undefined {
  const m = LOCAL.exec(localTime);
  if (!m) return undefined;
  const p = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
  };
  // Round-trip through Date.UTC to refuse 2026-02-30 or 25:00.
  const d = new Date(wallMs(p));
  const back = d.toISOString().slice(0, 19);
  const want = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}`;
  return back === want ? p : undefined;
}

export interface Resolved {
  /** The instant, epoch ms. */
  readonly epochMs: number;
  /** The local time did not exist (DST gap) and was moved forward. */
  readonly adjusted: boolean;
  /** The local time existed twice (DST overlap); the earlier instant was taken. */
  readonly ambiguous: boolean;
}

/** The instant of a wall-clock time in a zone (see the module comment for gaps and overlaps). */
export function resolveLocal(local: LocalParts, timeZone: string): Resolved {
  const wall = wallMs(local);
  // Offsets in force a day either side cover every real-world transition.
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) {
    candidates.add(wall - offsetMs(probe - offsetMs(probe, timeZone), timeZone));
  }
  const exact = [...candidates].filter((t) => wallMs(localParts(t, timeZone)) === wall).sort((a, b) => a - b);
  if (exact.length > 0) {
    return { epochMs: exact[0] as number, adjusted: false, ambiguous: exact.length > 1 };
  }
  // Gap: interpret with the offset before the transition, which lands after it by the gap length.
  const before = offsetMs(wall - 86_400_000, timeZone);
  return { epochMs: wall - before, adjusted: true, ambiguous: false };
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function localDate(epochMs: number, timeZone: string): string {
  const p = localParts(epochMs, timeZone);
  return `${String(p.year).padStart(4, "0")}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** `YYYY-MM-DDTHH:mm:ss` of an instant in a zone. */
export function localDateTime(epochMs: number, timeZone: string): string {
  const p = localParts(epochMs, timeZone);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${localDate(epochMs, timeZone)}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** The calendar day after `YYYY-MM-DD` (pure calendar arithmetic, no zone involved). */
export function nextDate(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
