/** Formatting of activity events for `npm run tail` (bin/tail.ts). */

const SOURCE_COLORS: Record<string, number> = {
  gateway: 36,
  poller: 35,
  cron: 33,
  sqs: 34,
  scheduler: 32,
  eventbridge: 95,
  secretsmanager: 90,
  kms: 93,
  stack: 1,
};

/** The fields worth a glance for each kind of event, in order. */
const KEY_FIELDS = [
  "method",
  "path",
  "status",
  "latencyMs",
  "function",
  "tenant",
  "queue",
  "queueName",
  "name",
  "schedule",
  "group",
  "bus",
  "receiveCount",
  "attempt",
  "detailType",
  "source",
  "messageId",
  "size",
  "deleted",
  "failedIds",
  "ok",
  "error",
  "reason",
];

/** One readable line for one activity JSON line (`undefined` if it is not JSON): `HH:MM:SS.mmm source type key=value…`. */
export function formatActivityLine(line: string, { color = false } = {}): string | undefined {
  const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let e: { at?: string; source?: string; type?: string; detail?: Record<string, unknown> };
  try {
    e = JSON.parse(line) as typeof e;
  } catch {
    return undefined;
  }
  const time = (e.at ?? "").slice(11, 23);
  const source = (e.source ?? "?").padEnd(14);
  const detail = e.detail ?? {};
  const shown = KEY_FIELDS.filter((k) => detail[k] !== undefined).map((k) => {
    const v = detail[k];
    const text = typeof v === "string" ? v : JSON.stringify(v);
    return `${k}=${text.length > 80 ? `${text.slice(0, 77)}…` : text}`;
  });
  const rest = Object.keys(detail).filter((k) => !KEY_FIELDS.includes(k)).length;
  const status = typeof detail.status === "number" && detail.status >= 400;
  const type = (e.type ?? "").padEnd(16);
  return `${paint(90, time)} ${paint(SOURCE_COLORS[e.source ?? ""] ?? 0, source)} ${status || detail.error ? paint(31, type) : type} ${shown.join(" ")}${rest ? paint(90, ` (+${rest})`) : ""}`;
}
