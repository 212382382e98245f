/**
 * The in-process function invoker: what the Lambda service does for the local stack. It
 * imports a function's handler from the manifest's `entry` (through tsx, so the very same
 * TypeScript module runs), builds a realistic Lambda `Context` and enforces the function's
 * timeout. Handlers do not know they are local; the environment (set by the stack) points
 * their SDK clients at the emulators.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import type { FunctionSpec } from "../../functions/manifest.js";

/** Repository root (two levels above local/runtime/). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The function ran longer than its configured timeout (Lambda: "Task timed out"). */
export class FunctionTimeoutError extends Error {}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface InvokeResult<T> {
  readonly requestId: string;
  readonly result: T;
  readonly durationMs: number;
}

export interface FunctionInvoker {
  /** Lambda physical name of a function: `herald-<stage>-<name>`. */
  functionName(fn: FunctionSpec): string;
  functionArn(fn: FunctionSpec): string;
  /** Find a function by its name or its (local) ARN. */
  find(nameOrArn: string): FunctionSpec | undefined;
  invoke<T = unknown>(fn: FunctionSpec, event: unknown): Promise<InvokeResult<T>>;
  /** Import every handler now (cold starts at startup, not on the first request). */
  warm(): Promise<void>;
}

export interface InvokerOptions {
  readonly functions: readonly FunctionSpec[];
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
  /** Root that `entry` paths are relative to; defaults to the repository root. */
  readonly root?: string;
}

export function createInvoker(opts: InvokerOptions): FunctionInvoker {
  const root = opts.root ?? REPO_ROOT;
  const loaded = new Map<string, Promise<Handler>>();

  const functionName = (fn: FunctionSpec) => `herald-${opts.stage}-${fn.name}`;
  const functionArn = (fn: FunctionSpec) =>
    `arn:aws:lambda:${opts.region}:${opts.accountId}:function:${functionName(fn)}`;

  const load = (fn: FunctionSpec): Promise<Handler> => {
    let p = loaded.get(fn.name);
    if (!p) {
      p = import(pathToFileURL(resolve(root, fn.entry)).href).then((mod: { handler?: unknown }) => {
        if (typeof mod.handler !== "function")
          throw new Error(`${fn.entry} does not export a handler function`);
        return mod.handler as Handler;
      });
      // A failed import is retried on the next invocation (after the developer fixes the file).
      p.catch(() => loaded.delete(fn.name));
      loaded.set(fn.name, p);
    }
    return p;
  };

  const context = (fn: FunctionSpec, requestId: string, deadline: number): Context => ({
    callbackWaitsForEmptyEventLoop: true,
    functionName: functionName(fn),
    functionVersion: "$LATEST",
    invokedFunctionArn: functionArn(fn),
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName(fn)}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${randomUUID().replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  });

  return {
    functionName,
    functionArn,
    find: (nameOrArn) =>
      opts.functions.find(
        (fn) => fn.name === nameOrArn || functionName(fn) === nameOrArn || functionArn(fn) === nameOrArn,
      ),
    async invoke<T>(fn: FunctionSpec, event: unknown): Promise<InvokeResult<T>> {
      const handler = await load(fn);
      const requestId = randomUUID();
      const started = Date.now();
      const timeoutMs = fn.timeoutSeconds * 1000;
      const deadline = started + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new FunctionTimeoutError(`Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`)),
          timeoutMs,
        );
      });
      try {
        const result = (await Promise.race([handler(event, context(fn, requestId, deadline)), timeout])) as T;
        return { requestId, result, durationMs: Date.now() - started };
      } finally {
        clearTimeout(timer);
      }
    },
    async warm() {
      await Promise.all(opts.functions.map((fn) => load(fn)));
    },
  };
}
