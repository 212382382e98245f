/**
 * A disconnected target's deliveries are BLOCKED (the firing is then dropped) and come back
 * after a reconnect; whichever of the two events occurred later wins, in any arrival order.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { TargetStatus } from "../../../functions/connections/domain/target.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import {
  blockTargetDeliveries,
  unblockTargetDeliveries,
} from "../../../functions/posts/use-cases/blocking.js";
import { createPost } from "../../../functions/posts/use-cases/posts.js";
import { schedulePost } from "../../../functions/posts/use-cases/scheduling.js";
import { target, type World, world } from "./fakes.js";

let w: World;
const admin = { tenantId: "acme", userId: "boss" };
beforeEach(() => {
  w = world();
  w.targets.set("fb", target("fb", "facebook"));
  w.targets.set("li", target("li", "linkedin"));
});

/** What the connections context does before it announces a loss or a restore. */
const setStatus = (id: string, status: TargetStatus) => w.targets.set(id, { ...w.targets.get(id)!, status });

async function scheduled(at = "2026-06-02T09:00:00Z") {
  const p = await createPost(w.deps, admin, { content: { text: "hi" }, targetIds: ["fb", "li"] });
  return (await schedulePost(w.deps, admin, p.id, { publishAt: at }, "c")).deliveries;
}

const LOST_AT = "2026-06-01T10:00:30.000Z";
const block = (occurredAt = LOST_AT, reason = "revoked") =>
  blockTargetDeliveries(w.deps, { tenantId: "acme", targetIds: ["fb"], reason, action: "x", occurredAt });
const unblock = (occurredAt: string, correlationId = "c2") =>
  unblockTargetDeliveries(w.deps, { tenantId: "acme", targetIds: ["fb"], correlationId, occurredAt });

describe("blocking deliveries of a disconnected target", () => {
  it("blocks only that target's live deliveries, with the reconnect action in the ledger", async () => {
    const [fb, li] = (await scheduled()) as [Delivery, Delivery];
    setStatus("fb", "NEEDS_REAUTH");
    const out = await blockTargetDeliveries(w.deps, {
      tenantId: "acme",
      targetIds: ["fb"],
      reason: "revoked",
      action: "Reconnect the Facebook account.",
      occurredAt: LOST_AT,
    });
    expect(out.changed.map((d) => d.id)).toEqual([fb.id]);
    const stored = await w.deliveries.get("acme", fb.id);
    expect(stored).toMatchObject({ status: "BLOCKED", version: 2 });
    expect(stored?.ledger.at(-1)).toMatchObject({
      event: "blocked",
      detail: "revoked: Reconnect the Facebook account.",
      occurredAt: LOST_AT,
    });
    expect((await w.deliveries.get("acme", li.id))?.status).toBe("SCHEDULED");
  });

  it("leaves publishing, published and cancelled deliveries alone", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    setStatus("fb", "DISCONNECTED");
    await w.deliveries.replace({ ...fb, status: "PUBLISHING", version: 2 }, 1, ["SCHEDULED"]);
    const out = await block();
    expect(out.changed).toHaveLength(0);
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("PUBLISHING");
  });

  it("unblocks after a reconnect: SCHEDULED again with a new version and a rewritten schedule", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    setStatus("fb", "NEEDS_REAUTH");
    await block(LOST_AT, "needs_reauth");
    setStatus("fb", "ACTIVE");
    w.clock.now = new Date("2026-06-01T10:05:00Z");
    const out = await unblock("2026-06-01T10:04:00.000Z");
    expect(out.changed.map((d) => [d.status, d.version])).toEqual([["SCHEDULED", 3]]);
    expect(out.changed[0]?.ledger.at(-1)).toMatchObject({
      event: "unblocked",
      occurredAt: "2026-06-01T10:04:00.000Z",
    });
    expect(w.schedules.schedules.get(fb.scheduleName)).toMatchObject({ version: 3, correlationId: "c2" });
  });

  it("keeps a delivery BLOCKED when its time has passed (an admin reschedules it)", async () => {
    const [fb] = (await scheduled("2026-06-01T10:05:00Z")) as [Delivery];
    setStatus("fb", "NEEDS_REAUTH");
    await block();
    setStatus("fb", "ACTIVE");
    w.clock.now = new Date("2026-06-01T10:30:00Z");
    const out = await unblock("2026-06-01T10:29:00.000Z");
    expect(out.skipped).toEqual([fb.id]);
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("BLOCKED");
  });
});

describe("the later of ConnectionDisconnected and ConnectionRestored wins", () => {
  it("a loss that arrives after the reconnect it preceded blocks nothing (target ACTIVE again)", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    // Lost at 10:00:30, reconnected at 10:02; the restore is consumed first, then the (retried) loss.
    await unblock("2026-06-01T10:02:00.000Z");
    w.clock.now = new Date("2026-06-01T10:03:00Z");
    const out = await block();
    expect(out).toMatchObject({ changed: [], overtaken: ["fb"] });
    expect(await w.deliveries.get("acme", fb.id)).toMatchObject({ status: "SCHEDULED", version: 1 });
  });

  it("a restore that arrives after a later loss unblocks nothing (target out of service again)", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    setStatus("fb", "NEEDS_REAUTH");
    await block("2026-06-01T10:03:00.000Z");
    // Restored at 10:02, consumed only now (retried): the loss at 10:03 is the later word.
    w.clock.now = new Date("2026-06-01T10:04:00Z");
    const out = await unblock("2026-06-01T10:02:00.000Z");
    expect(out).toMatchObject({ changed: [], overtaken: ["fb"] });
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("BLOCKED");
    expect(w.schedules.schedules.get(fb.scheduleName)).toMatchObject({ version: 1 });
  });

  it("a restore older than the loss recorded on the delivery leaves it BLOCKED, even with the target ACTIVE", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    setStatus("fb", "NEEDS_REAUTH");
    await block("2026-06-01T10:03:00.000Z");
    // Reconnected again at 10:05 (target ACTIVE), but the message at hand is the restore of 10:02.
    setStatus("fb", "ACTIVE");
    w.clock.now = new Date("2026-06-01T10:06:00Z");
    expect((await unblock("2026-06-01T10:02:00.000Z")).skipped).toEqual([fb.id]);
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("BLOCKED");
    // The restore of 10:05 (the later one) does unblock it.
    expect((await unblock("2026-06-01T10:05:00.000Z")).changed.map((d) => d.id)).toEqual([fb.id]);
  });

  it("a loss older than a delivery's unblock (by event time) leaves it SCHEDULED", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    setStatus("fb", "NEEDS_REAUTH");
    await block("2026-06-01T10:00:30.000Z");
    setStatus("fb", "ACTIVE");
    w.clock.now = new Date("2026-06-01T10:05:00Z");
    await unblock("2026-06-01T10:04:00.000Z");
    // Lost again at 10:06; a retried copy of the 10:00:30 loss arrives after that.
    setStatus("fb", "NEEDS_REAUTH");
    w.clock.now = new Date("2026-06-01T10:07:00Z");
    expect((await block("2026-06-01T10:00:30.000Z")).skipped).toEqual([fb.id]);
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("SCHEDULED");
    // The 10:06 loss itself blocks it, even though it is consumed after the unblock was written.
    expect((await block("2026-06-01T10:06:00.000Z")).changed.map((d) => d.id)).toEqual([fb.id]);
  });

  it("is idempotent on both sides", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    setStatus("fb", "NEEDS_REAUTH");
    await block();
    const blocked = await w.deliveries.get("acme", fb.id);
    expect((await block()).changed).toEqual([]);
    expect(await w.deliveries.get("acme", fb.id)).toEqual(blocked);
    setStatus("fb", "ACTIVE");
    w.clock.now = new Date("2026-06-01T10:05:00Z");
    await unblock("2026-06-01T10:04:00.000Z");
    const unblocked = await w.deliveries.get("acme", fb.id);
    expect((await unblock("2026-06-01T10:04:00.000Z")).changed).toEqual([]);
    expect(await w.deliveries.get("acme", fb.id)).toEqual(unblocked);
  });
});
