/**
 * `npm run tail`: follow the local stack's activity log (`.herald/activity.jsonl`) and print
 * one readable line per event, so a post can be watched travelling
 * API → scheduler → queue → worker → bus. `--json` prints the raw lines; `--from-start`
 * replays what already happened first.
 */
import { closeSync, existsSync, openSync, readSync, statSync, watchFile } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultLocalDir } from "../local/stack/index.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    "from-start": { type: "boolean", default: false },
  },
});

const file = join(defaultLocalDir(), "activity.jsonl");
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const SOURCE_COLORS: Record<string, number> = {
  gateway: 36,
  poller: 35,
  cron: 33,
  sqs: 34,
  scheduler: 32,
  eventbridge: 95,
  secretsmanager: 90,
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

/** One line for one activity event. `HH:MM:SS.mmm source type key=value…`. */
function formatEvent(line: string): string | undefined {
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

let offset = 0;
let partial = "";
const pump = () => {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size < offset) offset = 0; // truncated: a new stack started
  if (size === offset) return;
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(size - offset);
  readSync(fd, buf, 0, buf.length, offset);
  closeSync(fd);
  offset = size;
  const lines = (partial + buf.toString("utf8")).split("\n");
  partial = lines.pop() ?? "";
  for (const line of lines) {
    if (!line.trim()) continue;
    if (values.json) console.log(line);
    else {
      const text = formatEvent(line);
      if (text) console.log(text);
    }
  }
};

if (!existsSync(file)) console.error(`Waiting for ${file} (start the stack with \`npm start\`)…`);
else if (!values["from-start"]) offset = statSync(file).size;
pump();
watchFile(file, { interval: 200 }, pump);
process.on("SIGINT", () => process.exit(0));
