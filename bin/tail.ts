/**
 * `npm run tail`: follow the local stack's activity log (`.herald/activity.jsonl`) and print
 * one readable line per event, so a post can be watched travelling
 * API → scheduler → queue → worker → bus. `--json` prints the raw lines; `--from-start`
 * replays what already happened first.
 */
import { closeSync, existsSync, openSync, readSync, statSync, watchFile } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatActivityLine } from "../local/stack/activity-format.js";
import { defaultLocalDir } from "../local/stack/index.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    "from-start": { type: "boolean", default: false },
  },
});

const file = join(defaultLocalDir(), "activity.jsonl");
const color = process.stdout.isTTY && !process.env.NO_COLOR;

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
      const text = formatActivityLine(line, { color });
      if (text) console.log(text);
    }
  }
};

if (!existsSync(file)) console.error(`Waiting for ${file} (start the stack with \`npm start\`)…`);
else if (!values["from-start"]) offset = statSync(file).size;
pump();
watchFile(file, { interval: 200 }, pump);
process.on("SIGINT", () => process.exit(0));
