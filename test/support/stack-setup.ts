/**
 * vitest global setup for the integration and e2e projects: start the local stack once per
 * test run (both projects share it through one module-level promise), quiet, in-memory, on
 * ephemeral ports, with its files in a temporary directory so a developer's running
 * `npm start` is never disturbed. Tests read the endpoints with `inject("stack")` (see
 * test/support/stack.ts). The last project to finish stops it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import type { LocalStackInfo } from "../../local/stack/info.js";

declare module "vitest" {
  interface ProvidedContext {
    stack: LocalStackInfo;
  }
}

interface Shared {
  promise?: Promise<{ stop(): Promise<void>; info: LocalStackInfo }>;
  users: number;
  dir?: string;
}

// globalThis, not a module variable: vitest may evaluate this file once per project.
const KEY = Symbol.for("herald.test.stack");
const shared: Shared = ((globalThis as Record<symbol, unknown>)[KEY] as Shared | undefined) ?? { users: 0 };
(globalThis as Record<symbol, unknown>)[KEY] = shared;

export default async function setup(project: TestProject) {
  shared.users++;
  if (!shared.promise) {
    shared.dir = mkdtempSync(join(tmpdir(), "herald-stack-"));
    const dir = shared.dir;
    shared.promise = import("../../local/stack/index.js").then(({ startStack }) =>
      startStack({ quiet: true, apiPort: 0, dir }),
    );
  }
  const stack = await shared.promise;
  project.provide("stack", stack.info);
  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    shared.promise = undefined;
    await stack.stop();
    if (shared.dir) rmSync(shared.dir, { recursive: true, force: true });
  };
}
