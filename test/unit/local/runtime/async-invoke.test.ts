/**
 * The local Lambda asynchronous invoke (EventBridge rule targets): accepted at once, retried
 * on a throw, then Lambda's on-failure record to the destination queue.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FunctionSpec } from "../../../../functions/manifest.js";
import { type AsyncInvoker, createAsyncInvoker } from "../../../../local/runtime/async-invoke.js";
import type { FunctionInvoker } from "../../../../local/runtime/invoker.js";
import { createActivityLog } from "../../../../local/stack/activity.js";

const sqsMock = mockClient(SQSClient);
const DLQ = "http://127.0.0.1:1/000000000000/herald-t-events-dlq";
const fn: FunctionSpec = {
  name: "consumer",
  description: "fixture",
  entry: "unused",
  triggers: [{ type: "event", source: "herald.test", detailTypes: ["Happened"], version: 1 }],
  memoryMb: 128,
  timeoutSeconds: 5,
  bindings: {},
};
const event = { version: "0", id: "e-1", source: "herald.test", "detail-type": "Happened", detail: { x: 1 } };

/** An invoker whose handler runs `behaviour` on each call (call number from 1). */
function fakeInvoker(behaviour: (call: number) => Promise<void>) {
  const calls: unknown[] = [];
  const invoker: FunctionInvoker = {
    functionName: (f) => `herald-t-${f.name}`,
    functionArn: (f) => `arn:aws:lambda:us-east-1:000000000000:function:herald-t-${f.name}`,
    find: () => fn,
    async invoke<T>(_f: FunctionSpec, e: unknown) {
      calls.push(e);
      await behaviour(calls.length);
      return { requestId: "r", result: undefined as T, durationMs: 0 };
    },
    warm: async () => undefined,
  };
  return { invoker, calls };
}

let running: AsyncInvoker | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  sqsMock.reset();
});

function start(
  behaviour: (call: number) => Promise<void>,
  over: { destination?: string | undefined; maxEventAgeSeconds?: number; retryBaseMs?: number } = {},
) {
  const { invoker, calls } = fakeInvoker(behaviour);
  const activity = createActivityLog(undefined);
  const seen: { type: string; detail?: Record<string, unknown> }[] = [];
  activity.events.on("activity", (e) => seen.push(e));
  running = createAsyncInvoker({
    invoker,
    sqs: new SQSClient({ region: "us-east-1" }),
    onFailure: () => ("destination" in over ? over.destination : DLQ),
    retryAttempts: 2,
    maxEventAgeSeconds: over.maxEventAgeSeconds ?? 3600,
    retryBaseMs: "retryBaseMs" in over ? over.retryBaseMs : 1,
    activity,
  });
  return { async: running, calls, seen };
}

describe("local asynchronous invoke", () => {
  it("waits 1 s, then 2 s between attempts by default (AWS waits about 1 and 2 minutes: a documented difference)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { async, calls } = start(
        async () => {
          throw new Error("boom");
        },
        { retryBaseMs: undefined },
      );
      async.accept(fn, event);
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(999);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1999);
      expect(calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("accepts before the handler has finished, then runs it once when it succeeds", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { async, calls } = start(() => gate);
    const { requestId } = async.accept(fn, event);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls).toEqual([event]);
    release();
    await async.idle();
    expect(calls).toHaveLength(1);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it("retries a throw and stops at the first success", async () => {
    const { async, calls } = start(async (n) => {
      if (n < 3) throw new Error(`boom ${n}`);
    });
    async.accept(fn, event);
    await async.idle();
    expect(calls).toHaveLength(3);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it("after the retries sends Lambda's on-failure record with the event to the destination", async () => {
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const { async, calls, seen } = start(async () => {
      throw new TypeError("detail is wrong");
    });
    const { requestId } = async.accept(fn, event);
    await async.idle();
    expect(calls).toHaveLength(3);
    const sent = sqsMock.commandCalls(SendMessageCommand);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.args[0].input.QueueUrl).toBe(DLQ);
    const record = JSON.parse(sent[0]!.args[0].input.MessageBody ?? "{}");
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: {
        requestId,
        functionArn: "arn:aws:lambda:us-east-1:000000000000:function:herald-t-consumer:$LATEST",
        condition: "RetriesExhausted",
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { functionError: "Unhandled" },
      responsePayload: { errorType: "TypeError", errorMessage: "detail is wrong" },
    });
    expect(seen.map((e) => e.type)).toContain("async-invoke-dead-lettered");
  });

  it("gives up early when the next try would pass the maximum event age", async () => {
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const { async, calls } = start(
      async () => {
        throw new Error("boom");
      },
      { maxEventAgeSeconds: 0 },
    );
    async.accept(fn, event);
    await async.idle();
    expect(calls).toHaveLength(1);
    const record = JSON.parse(sqsMock.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody ?? "{}");
    expect(record.requestContext).toMatchObject({ condition: "EventAgeExceeded", approximateInvokeCount: 1 });
  });

  it("drops (and says so) when the function has no destination", async () => {
    const { async, seen } = start(
      async () => {
        throw new Error("boom");
      },
      { destination: undefined },
    );
    async.accept(fn, event);
    await async.idle();
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(seen.find((e) => e.type === "async-invoke-dropped")?.detail).toMatchObject({
      function: "consumer",
      condition: "RetriesExhausted",
    });
  });

  it("refuses new invocations once stopped", async () => {
    const { async } = start(async () => undefined);
    await async.stop();
    expect(() => async.accept(fn, event)).toThrow(/stopping/);
  });
});
