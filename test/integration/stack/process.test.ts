/**
 * Stopping the stack leaves nothing running. `bin/local.ts` runs as a child (ephemeral API
 * port, its files in a temporary HERALD_LOCAL_DIR so a developer's stack is untouched); the
 * test records every process descending from it, then stops it and checks each is gone:
 * once with SIGINT (Ctrl-C) and once with SIGKILL, where no hook of the parent can run and
 * DynamoDB Local's watchdog must kill java.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalStackInfo } from "../../../local/stack/info.js";
import { SHUTDOWN_GRACE_MS } from "../../../local/stack/shutdown.js";
import { eventually } from "../../support/stack.js";

const REPO = join(import.meta.dirname, "../../..");

/** pid → [ppid, state, command] for every live process, from /proc. */
function processTable(): Map<number, { ppid: number; state: string; cmd: string }> {
  const table = new Map<number, { ppid: number; state: string; cmd: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // comm may contain spaces and parentheses: split after the last ')'.
      const close = stat.lastIndexOf(")");
      const cmd = stat.slice(stat.indexOf("(") + 1, close);
      const [state, ppid] = stat.slice(close + 2).split(" ");
      table.set(Number(entry), { ppid: Number(ppid), state: state ?? "", cmd });
    } catch {
      // exited while we read
    }
  }
  return table;
}

function descendants(root: number): number[] {
  const table = processTable();
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, p] of table) {
      if (p.ppid === parent && !out.includes(pid)) {
        out.push(pid);
        queue.push(pid);
      }
    }
  }
  return out;
}

/** Alive = present and not a zombie (a zombie has exited; only its exit status remains). */
const alive = (pid: number) => {
  const p = processTable().get(pid);
  return p !== undefined && p.state !== "Z";
};

interface Started {
  child: ChildProcess;
  info: LocalStackInfo;
  dir: string;
  exit: Promise<number | null>;
}

async function startChild({ quiet = true } = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), "herald-proc-"));
  const args = ["--import", "tsx", "bin/local.ts", "--api-port", "0", ...(quiet ? ["--quiet"] : [])];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, HERALD_LOCAL_DIR: dir, POWERTOOLS_LOG_LEVEL: "SILENT" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await eventually(async () => (out.includes("herald-local ready") ? true : undefined), {
    timeoutMs: 120_000,
    what: `bin/local.ts to be ready (output so far: ${out})`,
  });
  const info = JSON.parse(readFileSync(join(dir, "local.json"), "utf8")) as LocalStackInfo;
  return { child, info, dir, exit };
}

const started: Started[] = [];
afterEach(() => {
  // Belt and braces: never leave a test's stack behind, even when an assertion failed.
  for (const s of started.splice(0)) {
    for (const pid of [s.child.pid, ...s.info.children]) {
      try {
        if (pid) process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(s.dir, { recursive: true, force: true });
  }
});

// Each case starts a whole second stack (java included) while the suite's own stack and
// other tiers share the same two cores: give it room. These are deadlines, not speed checks.
describe("stopping the local stack", { timeout: 180_000 }, () => {
  it("SIGINT stops every process of the stack, java included, and the API stops answering", async () => {
    const s = await startChild();
    started.push(s);
    const tree = descendants(s.child.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(2); // java and its watchdog at least
    expect(tree).toEqual(expect.arrayContaining([...s.info.children]));
    expect(processTable().get(s.info.children[0]!)?.cmd).toBe("java");
    expect((await fetch(`${s.info.apiUrl}/health`)).status).toBe(200);

    s.child.kill("SIGINT");
    expect(await s.exit).toBe(0);
    await eventually(async () => ([s.child.pid!, ...tree].some(alive) ? undefined : true), {
      timeoutMs: 30_000,
      what: "every process of the stack to exit",
    });
    await expect(fetch(`${s.info.apiUrl}/health`)).rejects.toThrow();
  });

  it("SIGINT after stdout and stderr were closed still stops every process (no EPIPE loop)", async () => {
    // Not quiet: the stop announces itself on stdout, which is the write that fails.
    const s = await startChild({ quiet: false });
    started.push(s);
    const tree = descendants(s.child.pid!);
    s.child.stdout?.destroy();
    s.child.stderr?.destroy();

    s.child.kill("SIGINT");
    // The stop may take up to the grace period before the process exits on its own; the
    // margin covers java's own exit and a loaded machine.
    await eventually(async () => ([s.child.pid!, ...tree].some(alive) ? undefined : true), {
      timeoutMs: SHUTDOWN_GRACE_MS + 20_000,
      what: "every process of the stack to exit after its output pipes closed",
    });
    await expect(fetch(`${s.info.apiUrl}/health`)).rejects.toThrow();
  });

  it("SIGKILL of the Node parent still takes java down (watchdog)", async () => {
    const s = await startChild();
    started.push(s);
    const tree = descendants(s.child.pid!);
    const javaPid = s.info.children[0]!;
    expect(alive(javaPid)).toBe(true);

    s.child.kill("SIGKILL");
    await s.exit;
    await eventually(async () => (tree.some(alive) ? undefined : true), {
      timeoutMs: 30_000,
      what: `java (${javaPid}) and the watchdog to exit after the parent was killed`,
    });
    expect(alive(javaPid)).toBe(false);
  });
});

describe("starting without Java", { timeout: 120_000 }, () => {
  it("exits non-zero with a message naming Java 17 and how to install it, leaving nothing behind", async () => {
    // A PATH holding only node: `java` cannot be found.
    const bin = mkdtempSync(join(tmpdir(), "herald-nojava-"));
    const dir = mkdtempSync(join(tmpdir(), "herald-proc-"));
    symlinkSync(process.execPath, join(bin, "node"));
    try {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "bin/local.ts", "--api-port", "0", "--quiet"],
        {
          cwd: REPO,
          env: { ...process.env, PATH: bin, HERALD_LOCAL_DIR: dir },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let err = "";
      child.stderr?.on("data", (d: Buffer) => {
        err += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      expect(code).toBe(1);
      expect(err).toMatch(/Java 17/);
      expect(err).toMatch(/apt-get install/);
      expect(descendants(child.pid!)).toEqual([]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
