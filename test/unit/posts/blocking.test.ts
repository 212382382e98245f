/** A disconnected target's deliveries are BLOCKED (the firing is then dropped) and come back after a reconnect. */
import { beforeEach, describe, expect, it } from "vitest";
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

async function scheduled(at = "2026-06-02T09:00:00Z") {
  const p = await createPost(w.deps, admin, { content: { text: "hi" }, targetIds: ["fb", "li"] });
  return (await schedulePost(w.deps, admin, p.id, { publishAt: at }, "c")).deliveries;
}

describe("blocking deliveries of a disconnected target", () => {
  it("blocks only that target's live deliveries, with the reconnect action in the ledger", async () => {
    const [fb, li] = (await scheduled()) as [Delivery, Delivery];
    const out = await blockTargetDeliveries(w.deps, {
      tenantId: "acme",
      targetIds: ["fb"],
      reason: "revoked",
      action: "Reconnect the Facebook account.",
    });
    expect(out.changed.map((d) => d.id)).toEqual([fb.id]);
    const stored = await w.deliveries.get("acme", fb.id);
    expect(stored).toMatchObject({ status: "BLOCKED", version: 2 });
    expect(stored?.ledger.at(-1)).toMatchObject({
      event: "blocked",
      detail: "revoked: Reconnect the Facebook account.",
    });
    expect((await w.deliveries.get("acme", li.id))?.status).toBe("SCHEDULED");
  });

  it("leaves publishing, published and cancelled deliveries alone", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    await w.deliveries.replace({ ...fb, status: "PUBLISHING", version: 2 }, 1, ["SCHEDULED"]);
    const out = await blockTargetDeliveries(w.deps, {
      tenantId: "acme",
      targetIds: ["fb"],
      reason: "revoked",
      action: "x",
    });
    expect(out.changed).toHaveLength(0);
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("PUBLISHING");
  });

  it("unblocks after a reconnect: SCHEDULED again with a new version and a rewritten schedule", async () => {
    const [fb] = (await scheduled()) as [Delivery];
    await blockTargetDeliveries(w.deps, {
      tenantId: "acme",
      targetIds: ["fb"],
      reason: "needs_reauth",
      action: "x",
    });
    const out = await unblockTargetDeliveries(w.deps, {
      tenantId: "acme",
      targetIds: ["fb"],
      correlationId: "c2",
    });
    expect(out.changed.map((d) => [d.status, d.version])).toEqual([["SCHEDULED", 3]]);
    expect(w.schedules.schedules.get(fb.scheduleName)).toMatchObject({ version: 3, correlationId: "c2" });
  });

  it("keeps a delivery BLOCKED when its time has passed (an admin reschedules it)", async () => {
    const [fb] = (await scheduled("2026-06-01T10:05:00Z")) as [Delivery];
    await blockTargetDeliveries(w.deps, {
      tenantId: "acme",
      targetIds: ["fb"],
      reason: "revoked",
      action: "x",
    });
    w.clock.now = new Date("2026-06-01T10:30:00Z");
    const out = await unblockTargetDeliveries(w.deps, {
      tenantId: "acme",
      targetIds: ["fb"],
      correlationId: "c",
    });
    expect(out.skipped).toEqual([fb.id]);
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("BLOCKED");
  });
});
