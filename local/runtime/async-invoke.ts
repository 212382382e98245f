/**
 * Lambda's asynchronous invocation, for the local stack: what EventBridge rule targets get in
 * AWS. `accept` answers at once (the 202 of `InvocationType: Event`); the handler then runs
 * in the background and a thrown error (or a timeout) is retried `retryAttempts` times with
 * growing delays. When the retries are spent, or the next try would exceed the maximum event
 * age, the invocation record goes to the function's on-failure destination (an SQS queue) in
 * Lambda's format:
 *
 *   { version: "1.0", timestamp, requestContext: { requestId, functionArn, condition:
 *     "RetriesExhausted" | "EventAgeExceeded", approximateInvokeCount }, requestPayload,
 *     responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError:
 *     "Unhandled" }, responsePayload: { errorType, errorMessage } }
 *
 * AWS waits about a minute before the first retry and two before the second; locally the
 * first wait is `retryBaseMs` (default 1 s) and each next one doubles it, so a developer sees
 * the DLQ within seconds.
 */
import { randomUUID } from "node:crypto";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { FunctionSpec } from "../../functions/manifest.js";
import type { ActivityLog } from "../stack/activity.js";
import type { FunctionInvoker } from "./invoker.js";

export interface AsyncInvokerOptions {
  readonly invoker: FunctionInvoker;
  readonly sqs: SQSClient;
  /** The on-failure destination (queue URL) of a function, if it has one. */
  readonly onFailure: (fn: FunctionSpec) => string | undefined;
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
  /** Wait before the first retry; doubles each time. Default 1 000 ms. */
  readonly retryBaseMs?: number;
  readonly activity?: ActivityLog;
}

export interface AsyncInvoker {
  /** Queue an asynchronous invocation; resolves as soon as it is accepted. */
  accept(fn: FunctionSpec, event: unknown): { requestId: string };
  /** Settles when no invocation is running or waiting to retry. */
  idle(): Promise<void>;
  /** Cancel pending retries and wait for running handlers to end. */
  stop(): Promise<void>;
}

const errorOf = (error: unknown) => ({
  errorType: error instanceof Error ? error.name || "Error" : "Error",
  errorMessage: error instanceof Error ? error.message : String(error),
});

/** The EventBridge event id, so the activity log links a put event to its invocations. */
const eventIdOf = (event: unknown): { eventId?: string } => {
  const id = (event as { id?: unknown } | null)?.id;
  return typeof id === "string" ? { eventId: id } : {};
};

export function createAsyncInvoker(opts: AsyncInvokerOptions): AsyncInvoker {
  const baseMs = opts.retryBaseMs ?? 1000;
  const maxAgeMs = opts.maxEventAgeSeconds * 1000;
  const running = new Set<Promise<void>>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let stopped = false;
  const record = (type: string, detail: Record<string, unknown>) =>
    opts.activity?.record("lambda", type, detail);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  const run = async (fn: FunctionSpec, event: unknown, requestId: string, acceptedAt: number) => {
    const functionArn = opts.invoker.functionArn(fn);
    const about = { function: fn.name, requestId, ...eventIdOf(event) };
    let attempts = 0;
    let lastError: unknown;
    let condition: "RetriesExhausted" | "EventAgeExceeded";
    for (;;) {
      attempts++;
      try {
        await opts.invoker.invoke(fn, event);
        record("async-invoke-succeeded", { ...about, attempts });
        return;
      } catch (error) {
        lastError = error;
      }
      if (attempts > opts.retryAttempts) {
        condition = "RetriesExhausted";
        break;
      }
      const delay = baseMs * 2 ** (attempts - 1);
      if (Date.now() + delay - acceptedAt > maxAgeMs) {
        condition = "EventAgeExceeded";
        break;
      }
      record("async-invoke-retried", {
        ...about,
        attempts,
        error: errorOf(lastError).errorMessage,
        nextAttemptInMs: delay,
      });
      await sleep(delay);
      if (stopped) return;
    }
    const destination = opts.onFailure(fn);
    const failure = {
      ...about,
      attempts,
      condition,
      error: errorOf(lastError).errorMessage,
    };
    if (!destination) {
      record("async-invoke-dropped", failure);
      return;
    }
    const invocationRecord = {
      version: "1.0",
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId,
        functionArn: `${functionArn}:$LATEST`,
        condition,
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: errorOf(lastError),
    };
    try {
      await opts.sqs.send(
        new SendMessageCommand({ QueueUrl: destination, MessageBody: JSON.stringify(invocationRecord) }),
      );
      record("async-invoke-dead-lettered", { ...failure, destination });
    } catch (error) {
      record("async-invoke-dropped", { ...failure, destinationError: errorOf(error).errorMessage });
    }
  };

  return {
    accept(fn, event) {
      if (stopped) throw new Error("the local Lambda service is stopping");
      const requestId = randomUUID();
      const p = run(fn, event, requestId, Date.now()).finally(() => running.delete(p));
      running.add(p);
      record("async-invoke-accepted", { function: fn.name, requestId, ...eventIdOf(event) });
      return { requestId };
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async stop() {
      stopped = true;
      for (const t of timers) {
        clearTimeout(t.timer);
        t.resolve();
      }
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}
