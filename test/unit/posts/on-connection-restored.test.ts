/**
 * The ConnectionRestored v1 consumer through the real event chain, with in-memory posts ports:
 * the targets' BLOCKED deliveries go back to SCHEDULED with their schedule written again (the
 * event's correlation id on it), other targets and tenants are untouched, a redelivery changes
 * nothing, a restore overtaken by a later loss changes nothing, and a bad message throws.
 */
import type { EventBridgeEvent } from "aws-lambda";
import { beforeEach, describe, expect, it, vi } from "vitest";

await vi.hoisted(async () => {
  const { POSTS_TEST_ENV } = await import("./env.js");
  Object.assign(process.env, POSTS_TEST_ENV);
});

import { readFileSync } from "node:fs";
import { ConnectionRestoredV1 } from "../../../events/connection-restored.v1.js";
import type { TargetStatus } from "../../../functions/connections/domain/target.js";
import { MalformedEventError } from "../../../functions/platform/events.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import { createOnConnectionRestoredHandler } from "../../../functions/posts/handlers/on-connection-restored.handler.js";
import { blockTargetDeliveries } from "../../../functions/posts/use-cases/blocking.js";
import { createPost } from "../../../functions/posts/use-cases/posts.js";
import { schedulePost } from "../../../functions/posts/use-cases/scheduling.js";
import { lambdaContext } from "../../support/events.js";
import { target, type World, world } from "./fakes.js";

let w: World;
const admin = { tenantId: "acme", userId: "boss" };

beforeEach(() => {
  w = world();
  w.targets.set("fb", target("fb", "facebook"));
  w.targets.set("li", target("li", "linkedin"));
});

const setStatus = (id: string, status: TargetStatus) => w.targets.set(id, { ...w.targets.get(id)!, status });

/** Both targets lost at 10:00:30 and their deliveries blocked; then reconnected (ACTIVE) at 10:04. */
async function blockedThenReconnected() {
  const p = await createPost(w.deps, admin, { content: { text: "hi" }, targetIds: ["fb", "li"] });
  const [fb, li] = (await schedulePost(w.deps, admin, p.id, { publishAt: "2026-06-02T09:00:00Z" }, "c"))
    .deliveries as [Delivery, Delivery];
  setStatus("fb", "NEEDS_REAUTH");
  setStatus("li", "NEEDS_REAUTH");
  await blockTargetDeliveries(w.deps, {
    tenantId: "acme",
    targetIds: ["fb", "li"],
    reason: "needs_reauth",
    action: "Reconnect",
    occurredAt: "2026-06-01T10:00:30.000Z",
  });
  setStatus("fb", "ACTIVE");
  w.clock.now = new Date("2026-06-01T10:05:00Z");
  return [fb, li] as const;
}

const restored = (
  data: Partial<ReturnType<typeof ConnectionRestoredV1.create>["data"]> = {},
  occurredAt = "2026-06-01T10:04:00.000Z",
) =>
  ({
    version: "0",
    id: crypto.randomUUID(),
    "detail-type": ConnectionRestoredV1.name,
    source: ConnectionRestoredV1.source,
    account: "123456789012",
    time: occurredAt,
    region: "eu-west-1",
    resources: [],
    detail: ConnectionRestoredV1.create(
      { tenantId: "acme", connectionId: "con_1", provider: "meta", targetIds: ["fb"], ...data },
      { correlationId: "corr-r", occurredAt },
    ),
  }) as EventBridgeEvent<string, unknown>;

describe("ConnectionRestored v1", () => {
  it("parses the sample and refuses unknown fields or another version", () => {
    const sample = JSON.parse(
      readFileSync(new URL("../../../events/samples/connection-restored.v1.json", import.meta.url), "utf8"),
    );
    expect(ConnectionRestoredV1.parse(sample).data.targetIds).toHaveLength(2);
    expect(() => ConnectionRestoredV1.parse({ ...sample, data: { ...sample.data, token: "x" } })).toThrow();
    expect(() =>
      ConnectionRestoredV1.parse({ ...sample, metadata: { ...sample.metadata, version: 2 } }),
    ).toThrow();
  });
});

describe("on-connection-restored", () => {
  it("puts the target's BLOCKED delivery back on schedule and leaves the other target BLOCKED", async () => {
    const [fb, li] = await blockedThenReconnected();
    await createOnConnectionRestoredHandler(w.deps)(restored(), lambdaContext());
    const stored = await w.deliveries.get("acme", fb.id);
    expect(stored).toMatchObject({ status: "SCHEDULED", version: fb.version + 2 });
    expect(stored?.ledger.at(-1)).toMatchObject({
      event: "unblocked",
      occurredAt: "2026-06-01T10:04:00.000Z",
    });
    expect(w.schedules.schedules.get(fb.scheduleName)).toMatchObject({
      version: fb.version + 2,
      correlationId: "corr-r",
    });
    expect((await w.deliveries.get("acme", li.id))?.status).toBe("BLOCKED");
  });

  it("is idempotent: the same message delivered twice changes nothing the second time", async () => {
    const [fb] = await blockedThenReconnected();
    const handler = createOnConnectionRestoredHandler(w.deps);
    const event = restored();
    await handler(event, lambdaContext());
    const once = await w.deliveries.get("acme", fb.id);
    await handler(event, lambdaContext());
    expect(await w.deliveries.get("acme", fb.id)).toEqual(once);
  });

  it("a late restore after a later loss leaves the delivery BLOCKED", async () => {
    const [fb] = await blockedThenReconnected();
    setStatus("fb", "NEEDS_REAUTH"); // lost again at 10:04:30, before this restore is consumed
    await createOnConnectionRestoredHandler(w.deps)(restored(), lambdaContext());
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("BLOCKED");
  });

  it("only touches the event's tenant", async () => {
    const [fb] = await blockedThenReconnected();
    await createOnConnectionRestoredHandler(w.deps)(restored({ tenantId: "other" }), lambdaContext());
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("BLOCKED");
  });

  it("throws (so Lambda retries, then dead-letters) on a message that breaks the contract", async () => {
    const [fb] = await blockedThenReconnected();
    const event = restored();
    (event.detail as { data: Record<string, unknown> }).data.provider = "myspace";
    await expect(createOnConnectionRestoredHandler(w.deps)(event, lambdaContext())).rejects.toBeInstanceOf(
      MalformedEventError,
    );
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("BLOCKED");
  });
});
