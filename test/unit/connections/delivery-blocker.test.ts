import { describe, expect, it } from "vitest";
import { storeDeliveryBlocker } from "../../../functions/connections/adapters/delivery-blocker.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import {
  type DeliveryFilter,
  type DeliveryStore,
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

class Store implements Partial<DeliveryStore> {
  readonly items = new Map<string, Delivery>();
  readonly filters: DeliveryFilter[] = [];
  claimedBehindOurBack = new Set<string>();
  async list(_t: string, f: DeliveryFilter) {
    this.filters.push(f);
    // Key-ordered pages of one item, the cursor being the last key read (as DynamoDB's is),
    // with the status filter applied after the page is read.
    const ordered = [...this.items.values()].sort((x, y) => x.id.localeCompare(y.id));
    const after = f.cursor ? ordered.findIndex((d) => d.id === f.cursor) + 1 : 0;
    const page = ordered.slice(after, after + 1);
    const items = page.filter(
      (d) => d.targetId === f.targetId && d.status === f.status && (!f.from || d.publishAt >= f.from),
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

describe("delivery blocker", () => {
  it("blocks SCHEDULED and RETRYING deliveries of the targets with the reconnect action, leaving others alone", async () => {
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
    store.claimedBehindOurBack.add("d6");
    const blocker = storeDeliveryBlocker(store as unknown as DeliveryStore, () => now);
    const action = { type: "reconnect" as const, message: "Reconnect LinkedIn." };
    const n = await blocker.blockForTargets({ tenantId: "acme", targetIds: ["t1"], action, by: "user:u1" });
    expect(n).toBe(3);
    expect(["d1", "d2", "d3"].map((id) => store.items.get(id)!.status)).toEqual([
      "BLOCKED",
      "BLOCKED",
      "BLOCKED",
    ]);
    expect(store.items.get("d4")!.status).toBe("PUBLISHED");
    expect(store.items.get("d5")!.status).toBe("SCHEDULED");
    expect(store.items.get("d6")!.status).toBe("SCHEDULED");
    const d1 = store.items.get("d1")!;
    expect(d1.version).toBe(4);
    expect(d1.ledger.at(-1)).toMatchObject({
      event: "blocked",
      status: "BLOCKED",
      detail: "Reconnect LinkedIn.",
      by: "user:u1",
    });
    expect(store.filters.every((f) => f.from === "2026-11-19T10:00:00.000Z")).toBe(true);
  });
});
