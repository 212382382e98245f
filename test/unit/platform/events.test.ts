/**
 * The domain-event chain: the EventBridge `detail` is parsed against the contract, the
 * correlation id of the message is on every log line, and any failure (bad message, wrong
 * routing, a failing use case) is logged clearly and thrown so Lambda retries it and then
 * dead-letters it.
 */
import { readFileSync } from "node:fs";
import type { EventBridgeEvent } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The logger reads its level at construction and goes back to it on every invocation.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
});

import { ConnectionDisconnectedV1 } from "../../../events/connection-disconnected.v1.js";
import { type EventContext, eventHandler, MalformedEventError } from "../../../functions/platform/events.js";
import { logger } from "../../../functions/platform/observability.js";
import { lambdaContext } from "../../support/events.js";
import { captureLogLines } from "../../support/log-lines.js";

const sample = JSON.parse(
  readFileSync(new URL("../../../events/samples/connection-disconnected.v1.json", import.meta.url), "utf8"),
) as { metadata: Record<string, unknown>; data: Record<string, unknown> };
const CORRELATION = sample.metadata.correlationId as string;

/** An event as EventBridge hands it to a Lambda target. */
const busEvent = (
  detail: unknown,
  over: Partial<Pick<EventBridgeEvent<string, unknown>, "source" | "detail-type">> = {},
): EventBridgeEvent<string, unknown> => ({
  version: "0",
  id: crypto.randomUUID(),
  "detail-type": ConnectionDisconnectedV1.name,
  source: ConnectionDisconnectedV1.source,
  account: "123456789012",
  time: "2026-11-26T11:00:00Z",
  region: "eu-west-1",
  resources: [],
  detail,
  ...over,
});

/** Every JSON log line the Powertools logger writes while `fn` runs. */
let lines: Record<string, unknown>[];
beforeEach(() => {
  lines = captureLogLines();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const run = (h: ReturnType<typeof eventHandler>, event: unknown) =>
  h(event as EventBridgeEvent<string, unknown>, lambdaContext());

describe("eventHandler", () => {
  it("hands the parsed envelope and its correlation id to the use case", async () => {
    const seen: { data: unknown; ctx: EventContext }[] = [];
    const h = eventHandler(ConnectionDisconnectedV1, async (message, ctx) => {
      seen.push({ data: message.data, ctx });
    });
    await run(h, busEvent(sample));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.data).toEqual(sample.data);
    expect(seen[0]!.ctx.correlationId).toBe(CORRELATION);
    expect(seen[0]!.ctx.messageId).toBe(sample.metadata.id);
  });

  it("puts the message's correlation id on every log line, and not on the next invocation's", async () => {
    const h = eventHandler(ConnectionDisconnectedV1, async () => {
      logger.info("working");
      logger.debug("still working");
    });
    await run(h, busEvent(sample));
    const mine = lines.filter((l) => l.message === "working" || l.message === "still working");
    expect(mine).toHaveLength(2);
    for (const l of mine) {
      expect(l.correlationId).toBe(CORRELATION);
      expect(l).toMatchObject({
        eventName: "ConnectionDisconnected",
        eventVersion: 1,
        messageId: sample.metadata.id,
      });
    }

    lines.length = 0;
    const other = { ...sample, metadata: { ...sample.metadata, correlationId: "other-correlation" } };
    await run(h, busEvent(other));
    const next = lines.filter((l) => l.message === "working");
    expect(next.map((l) => l.correlationId)).toEqual(["other-correlation"]);
  });

  it("throws on a detail that does not match the contract, naming the field, and logs it with the correlation id", async () => {
    const handle = vi.fn(async () => undefined);
    const h = eventHandler(ConnectionDisconnectedV1, handle);
    const bad = { ...sample, data: { ...sample.data, targetIds: "tgt_1" } };
    const error = await run(h, busEvent(bad)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as Error).message).toMatch(/ConnectionDisconnected v1/);
    expect((error as Error).message).toMatch(/data\.targetIds/);
    expect(handle).not.toHaveBeenCalled();
    const logged = lines.filter((l) => l.level === "ERROR");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ correlationId: CORRELATION });
    expect(String(logged[0]!.message)).toMatch(/dead-letter/);
    expect(JSON.stringify(logged[0]!.error)).toMatch(/data\.targetIds/);
  });

  it("refuses another version of the same event (the rule should not have routed it here)", async () => {
    const h = eventHandler(ConnectionDisconnectedV1, async () => undefined);
    const v2 = { ...sample, metadata: { ...sample.metadata, version: 2 } };
    await expect(run(h, busEvent(v2))).rejects.toThrow(/metadata\.version/);
  });

  it("refuses an event of another source or detail-type", async () => {
    const h = eventHandler(ConnectionDisconnectedV1, async () => undefined);
    await expect(run(h, busEvent(sample, { source: "herald.publishing" }))).rejects.toBeInstanceOf(
      MalformedEventError,
    );
    await expect(run(h, busEvent(sample, { "detail-type": "DeliveryFailed" }))).rejects.toThrow(
      /expected herald\.connections \/ ConnectionDisconnected/,
    );
  });

  it("still logs a usable correlation id when the metadata is missing", async () => {
    const h = eventHandler(ConnectionDisconnectedV1, async () => undefined);
    await expect(run(h, busEvent({ data: sample.data }))).rejects.toBeInstanceOf(MalformedEventError);
    const logged = lines.filter((l) => l.level === "ERROR");
    expect(logged).toHaveLength(1);
    expect(logged[0]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("rethrows the use case's failure so Lambda retries the event", async () => {
    const h = eventHandler(ConnectionDisconnectedV1, async () => {
      throw new Error("table unavailable");
    });
    await expect(run(h, busEvent(sample))).rejects.toThrow("table unavailable");
    const logged = lines.filter((l) => l.level === "ERROR");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ correlationId: CORRELATION, eventName: "ConnectionDisconnected" });
  });
});
