/**
 * `npm start`: the whole of Herald on this machine (see docs/local-stack.md).
 *
 *   npm start                     in-memory, API on :3000
 *   npm start -- --persist        keep DynamoDB data in .herald/data
 *   npm start -- --api-port 0     any free port (HERALD_API_PORT works too)
 *   npm start -- --stage demo --quiet
 *
 * Ctrl-C (SIGINT), SIGTERM or a crash stop every part; DynamoDB Local's java is killed by PID
 * (and by its watchdog if this process is killed outright).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { JavaMissingError, type RunningStack, startStack } from "../local/stack/index.js";
import { guardOutput, isBrokenOutput, SHUTDOWN_GRACE_MS } from "../local/stack/shutdown.js";

// The SDK's Node 20 end-of-support notice would top the summary; docs/local-stack.md mentions it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { values } = parseArgs({
  options: {
    persist: { type: "boolean", default: false },
    "api-port": { type: "string" },
    stage: { type: "string" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log("usage: npm start -- [--persist] [--api-port <port>] [--stage <name>] [--quiet]");
  process.exit(0);
}

const portText = values["api-port"] ?? process.env.HERALD_API_PORT ?? "3000";
const apiPort = Number(portText);
if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535) {
  console.error(`--api-port must be a port number (0 = any free port), got ${portText}`);
  process.exit(2);
}

let stack: RunningStack | undefined;
let stopping = false;
// A closed stdout/stderr (the terminal went away, `npm start | head`) must not break the stop.
const output = guardOutput();

async function shutdown(code: number, why: string) {
  if (stopping) return;
  stopping = true;
  // Whatever happens below (a part that never stops, a stuck write), the process ends; the
  // `exit` hook of the stack then SIGKILLs the children by PID.
  setTimeout(() => process.exit(code || 1), SHUTDOWN_GRACE_MS);
  if (!values.quiet && output.outputWorks()) console.log(`\n${why}: stopping the local stack…`);
  try {
    await stack?.stop();
  } finally {
    process.exit(code);
  }
}

/** Reports an unexpected error once, unless it is about the output itself or a stop is under way. */
function crash(label: string, error: unknown) {
  if (!isBrokenOutput(error) && !stopping && output.outputWorks()) console.error(label, error);
  void shutdown(1, "crash");
}

process.on("SIGINT", () => void shutdown(0, "SIGINT"));
process.on("SIGTERM", () => void shutdown(0, "SIGTERM"));
process.on("SIGHUP", () => void shutdown(0, "SIGHUP"));
process.on("uncaughtException", (error) => crash("uncaught error:", error));
process.on("unhandledRejection", (error) => crash("unhandled rejection:", error));

/** Parent PID and state of a process, from /proc (Linux). */
function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(ppid), state: state ?? "" };
  } catch {
    return undefined;
  }
}

/**
 * The processes that launched us: up to and including `npm` when started by `npm start`
 * (npm → sh → tsx → this), else the direct parent. If one of them is killed by PID (an IDE
 * stopping `npm start`), signals are not always forwarded down the chain, so we watch them.
 */
function launchers(): number[] {
  if (process.platform !== "linux") return [process.ppid];
  const chain: number[] = [];
  let pid = process.ppid;
  for (let i = 0; i < 4 && pid > 1; i++) {
    chain.push(pid);
    let cmd = "";
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      break;
    }
    if (/(^|[\s/])npm(-cli\.js)?(\s|$)/.test(cmd)) return chain;
    pid = procStat(pid)?.ppid ?? 0;
  }
  return [process.ppid];
}

const watched = launchers();
const launcherGone = () =>
  watched.some((pid) => {
    const stat = procStat(pid);
    return process.platform === "linux" ? stat === undefined || stat.state === "Z" : process.ppid !== pid;
  });
setInterval(() => {
  if (launcherGone()) void shutdown(0, "launcher exited");
}, 1000).unref();

try {
  stack = await startStack({ persist: values.persist, apiPort, quiet: values.quiet, stage: values.stage });
  // One machine-readable line for scripts and tests waiting on readiness.
  console.log(
    `herald-local ready ${JSON.stringify({ apiUrl: stack.info.apiUrl, startupMs: stack.info.startupMs })}`,
  );
  if (stopping) await stack.stop();
} catch (error) {
  if (error instanceof JavaMissingError) {
    console.error(error.message);
  } else if ((error as NodeJS.ErrnoException)?.code === "EADDRINUSE") {
    console.error(
      `Port ${apiPort} is busy (another \`npm start\`?). Stop it, or pick another port: npm start -- --api-port 3001`,
    );
  } else {
    console.error("The local stack could not start:", error);
  }
  process.exit(1);
}
