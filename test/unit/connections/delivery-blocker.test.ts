import { describe, expect, it } from "vitest";
import { postsDeliveryBlocker } from "../../../functions/connections/adapters/delivery-blocker.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import {
  type DeliveryFilter,
  type DeliveryStore,
  type ScheduleGateway,
  WriteConflict,
} from "../../../functions/posts/use-cases/ports.js";

const now = new Date("2026-11-26T10:00:00.000Z");
const delivery = (
  id: string,
  targetId: string,
  status: Delivery["status"],
  publishAt = "2026-11-27T10:00:00.000Z",
): Delivery => ({
  tenantId: "acme",
  id,
  postId: "pst_1",
  targetId,
  platform: "linkedin",
  status,
  version: 3,
  publishAt,
  timeZone: "UTC",
  scheduleName: `dlv-${id}`,
  ledger: [{ at: "2026-11-25T10:00:00.000Z", event: "scheduled" }],
  createdAt: "2026-11-25T10:00:00.000Z",
  updatedAt: "2026-11-25T10:00:00.000Z",
});

/** Key-ordered pages of one item with the filters applied after the page is read, as DynamoDB does. */
class Store {
  readonly items = new Map<string, Delivery>();
  readonly claimedBehindOurBack = new Set<string>();
  async list(_t: string, f: DeliveryFilter) {
    const ordered = [...this.items.values()].sort((x, y) => x.id.localeCompare(y.id));
    const after = f.cursor ? ordered.findIndex((d) => d.id === f.cursor) + 1 : 0;
    const page = ordered.slice(after, after + 1);
    const items = page.filter(
      (d) => (!f.targetId || d.targetId === f.targetId) && (!f.status || d.status === f.status),
    );
    return { items, nextCursor: after + 1 < ordered.length ? page[0]!.id : undefined };
  }
  async replace(next: Delivery, expectedVersion: number, from: readonly string[]) {
    const cur = this.items.get(next.id)!;
    if (
      this.claimedBehindOurBack.has(next.id) ||
      cur.version !== expectedVersion ||
      !from.includes(cur.status)
    ) {
      throw new WriteConflict({ version: cur.version + 1, status: "PUBLISHING" });
    }
    this.items.set(next.id, next);
  }
}

const action = { type: "reconnect" as const, message: "Reconnect the LinkedIn account." };

function setup() {
  const store = new Store();
  for (const d of [
    delivery("d1", "t1", "SCHEDULED"),
    delivery("d2", "t1", "SCHEDULED", "2026-11-28T10:00:00.000Z"),
    delivery("d3", "t1", "RETRYING"),
    delivery("d4", "t1", "PUBLISHED"),
    delivery("d5", "t2", "SCHEDULED"),
    delivery("d6", "t1", "SCHEDULED"),
  ]) {
    store.items.set(d.id, d);
  }
  const upserts: string[] = [];
  const schedules: ScheduleGateway = {
    upsert: async (d) => {
      upserts.push(d.id);
    },
    remove: async () => undefined,
  };
  const blocker = postsDeliveryBlocker({
    deliveries: store as unknown as DeliveryStore,
    now: () => now,
    schedules,
    limits: { minLeadSeconds: 60, horizonDays: 365 },
  });
  return { store, blocker, upserts };
}

describe("delivery blocker (posts use cases)", () => {
  it("blocks SCHEDULED and RETRYING deliveries of the targets with the reconnect action, leaving the rest", async () => {
    const { store, blocker } = setup();
    store.claimedBehindOurBack.add("d6");
    const n = await blocker.blockForTargets({ tenantId: "acme", targetIds: ["t1"], action, by: "user:u1" });
    expect(n).toBe(3);
    expect(["d1", "d2", "d3"].map((id) => store.items.get(id)!.status)).toEqual([
      "BLOCKED",
      "BLOCKED",
      "BLOCKED",
    ]);
    expect(["d4", "d5", "d6"].map((id) => store.items.get(id)!.status)).toEqual([
      "PUBLISHED",
      "SCHEDULED",
      "SCHEDULED",
    ]);
    const d1 = store.items.get("d1")!;
    expect(d1.version).toBe(4);
    expect(d1.ledger.at(-1)).toMatchObject({ event: "blocked", status: "BLOCKED", action: "reconnect" });
    expect(String(d1.ledger.at(-1)!.detail)).toContain("Reconnect the LinkedIn account.");
  });

  it("puts blocked deliveries back on schedule after a reconnect", async () => {
    const { store, blocker, upserts } = setup();
    await blocker.blockForTargets({ tenantId: "acme", targetIds: ["t1"], action, by: "x" });
    const n = await blocker.unblockForTargets({ tenantId: "acme", targetIds: ["t1"], correlationId: "c" });
    expect(n).toBe(4);
    expect(store.items.get("d1")!.status).toBe("SCHEDULED");
    expect(upserts.sort()).toEqual(["d1", "d2", "d3", "d6"]);
  });

  it("does not unblock without a schedule gateway", async () => {
    const store = new Store();
    store.items.set("d1", delivery("d1", "t1", "BLOCKED"));
    const blocker = postsDeliveryBlocker({ deliveries: store as unknown as DeliveryStore, now: () => now });
    expect(await blocker.unblockForTargets({ tenantId: "acme", targetIds: ["t1"], correlationId: "c" })).toBe(
      0,
    );
    expect(store.items.get("d1")!.status).toBe("BLOCKED");
  });
});
