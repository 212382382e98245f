/**
 * Meta rate-limit headers → usage percentages and regain times, per scope.
 *
 * - `X-App-Usage: {"call_count":28,"total_time":25,"total_cputime":25}` — the app as a whole
 *   (user and app tokens).
 * - `X-Business-Use-Case-Usage: {"<object id>":[{"type":"pages","call_count":95,
 *   "total_cputime":20,"total_time":20,"estimated_time_to_regain_access":0}]}` — per Page /
 *   Instagram account / business (Page and system-user tokens); the regain time is in minutes.
 * - `X-Page-Usage: {"call_count":…,"total_cputime":…,"total_time":…}` — legacy, for the Page
 *   called; whole percentages that can exceed 100, fields omitted near 0.
 *
 * Headers appear only once enough calls were made, and their contents are not guaranteed:
 * absent, unparsable or odd values are ignored, never thrown.
 */

/** One scope's reading: the highest of its percentages, and when access comes back. */
export interface UsageReading {
  /** Highest of call_count / total_cputime / total_time (percent; may exceed 100). */
  readonly pct: number;
  /** When Meta expects access back (ISO-8601 UTC), when it said so (> 0 minutes). */
  readonly regainAt?: string;
}

export interface BusinessUsageReading extends UsageReading {
  /** BUC types reported for the object (`pages`, `instagram`, …). */
  readonly types: readonly string[];
}

export interface MetaUsage {
  /** `X-App-Usage`. */
  readonly app?: UsageReading;
  /** `X-Business-Use-Case-Usage`, by object id (Page, IG user, business). */
  readonly objects: Readonly<Record<string, BusinessUsageReading>>;
  /** `X-Page-Usage` (legacy), for the Page the call addressed. */
  readonly page?: UsageReading;
  /** The highest reading of all, with the latest regain time; absent when no header was usable. */
  readonly max?: UsageReading;
}

type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (k.toLowerCase() !== wanted || v === undefined) continue;
    return typeof v === "string" ? v : v.join(",");
  }
  return undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.length === 0 || text.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A non-negative finite number, also from a numeric string. */
function num(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : undefined;
}

const PCT_FIELDS = ["call_count", "total_cputime", "total_time"] as const;

function pctOf(o: Record<string, unknown>): number | undefined {
  const values = PCT_FIELDS.map((f) => num(o[f])).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

const MINUTE = 60_000;
// A regain estimate longer than a day is not believable; cap what garbage can do.
const MAX_REGAIN_MINUTES = 24 * 60;

function flatReading(raw: unknown): UsageReading | undefined {
  if (!isRecord(raw)) return undefined;
  const pct = pctOf(raw);
  return pct === undefined ? undefined : { pct };
}

/** Parse Meta's usage headers from a response. `now` anchors the regain times. */
export function parseMetaUsage(headers: HeaderSource, now: Date): MetaUsage {
  const app = flatReading(parseJson(header(headers, "x-app-usage")));
  const page = flatReading(parseJson(header(headers, "x-page-usage")));

  const objects: Record<string, BusinessUsageReading> = {};
  const buc = parseJson(header(headers, "x-business-use-case-usage"));
  if (isRecord(buc)) {
    for (const [id, entries] of Object.entries(buc)) {
      const list = Array.isArray(entries) ? entries : [entries];
      let pct: number | undefined;
      let regainMinutes = 0;
      const types: string[] = [];
      for (const e of list) {
        if (!isRecord(e)) continue;
        const p = pctOf(e);
        if (p !== undefined) pct = Math.max(pct ?? 0, p);
        const m = num(e.estimated_time_to_regain_access);
        if (m !== undefined) regainMinutes = Math.max(regainMinutes, Math.min(m, MAX_REGAIN_MINUTES));
        if (typeof e.type === "string" && e.type !== "" && !types.includes(e.type)) types.push(e.type);
      }
      if (pct === undefined && regainMinutes === 0) continue;
      objects[id] = {
        pct: pct ?? 0,
        types,
        ...(regainMinutes > 0
          ? { regainAt: new Date(now.getTime() + regainMinutes * MINUTE).toISOString() }
          : {}),
      };
    }
  }

  const all: UsageReading[] = [app, page, ...Object.values(objects)].filter((r): r is UsageReading => !!r);
  const max =
    all.length === 0
      ? undefined
      : {
          pct: Math.max(...all.map((r) => r.pct)),
          ...latestRegain(all),
        };
  return {
    objects,
    ...(app ? { app } : {}),
    ...(page ? { page } : {}),
    ...(max ? { max } : {}),
  };
}

function latestRegain(readings: readonly UsageReading[]): { regainAt?: string } {
  const times = readings.map((r) => r.regainAt).filter((t): t is string => t !== undefined);
  if (times.length === 0) return {};
  return { regainAt: times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) };
}

/**
 * The reading that governs one target (Page or IG account id): its BUC entry and the legacy
 * Page header, whichever is higher (regain time: the later one).
 */
export function usageForObject(usage: MetaUsage, objectId: string): UsageReading | undefined {
  const readings = [usage.objects[objectId], usage.page].filter((r): r is UsageReading => !!r);
  if (readings.length === 0) return undefined;
  return { pct: Math.max(...readings.map((r) => r.pct)), ...latestRegain(readings) };
}
