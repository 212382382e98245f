/**
 * Against DynamoDB Local: status and target filters on the post and delivery lists still give
 * full pages. A page carrying `nextCursor` holds exactly `limit` items, and following the
 * cursors returns every matching item once, in index order.
 */
import { randomUUID } from "node:crypto";
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryItem, deliveryRepository } from "../../../functions/posts/adapters/delivery-repository.js";
import { postItem, postRepository } from "../../../functions/posts/adapters/post-repository.js";
import type { Delivery, Post } from "../../../functions/posts/domain/post.js";
import type { Page } from "../../../functions/posts/use-cases/ports.js";
import { stackDocumentClient, stackInfo } from "../../support/stack.js";

let doc: DynamoDBDocumentClient;
const table = () => stackInfo().resources.table;

beforeAll(() => {
  doc = stackDocumentClient();
});
afterAll(() => doc?.destroy());

async function putAll(items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25) {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [table()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

/** Follow cursors to the end; every page with a cursor must be full. */
async function readAll<T>(
  limit: number,
  list: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const seen: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await list(cursor);
    if (page.nextCursor) expect(page.items).toHaveLength(limit);
    else expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error("cursor never ran out");
}

// Matches are sparse and uneven, so one index page can hold none, one or several of them.
const PATTERN = [1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1];

describe("filtered lists fill their pages", () => {
  const tenantId = `it-${randomUUID().slice(0, 8)}`;
  const base = Date.parse("2030-03-01T00:00:00.000Z");
  const at = (i: number) => new Date(base + i * 60_000).toISOString();

  const deliveries: Delivery[] = PATTERN.map((hit, i) => ({
    tenantId,
    id: `dlv_${String(i).padStart(3, "0")}`,
    postId: `pst_${i}`,
    targetId: hit ? "tgt_li" : i % 2 ? "tgt_li" : "tgt_fb",
    platform: "linkedin",
    status: hit ? "SCHEDULED" : "CANCELLED",
    version: 1,
    publishAt: at(i),
    timeZone: "UTC",
    scheduleName: `dlv-${i}`,
    ledger: [],
    createdAt: at(0),
    updatedAt: at(0),
  }));
  const posts: Post[] = PATTERN.map((hit, i) => ({
    tenantId,
    id: `pst_${String(i).padStart(3, "0")}`,
    status: hit ? "DRAFT" : "SCHEDULED",
    version: 1,
    content: { text: `p${i}` },
    targetIds: hit ? ["tgt_a", "tgt_b"] : ["tgt_b"],
    deliveryIds: [],
    history: [],
    createdAt: at(i),
    createdBy: "u",
    updatedAt: at(i),
  }));

  beforeAll(async () => {
    await putAll([...deliveries.map(deliveryItem), ...posts.map(postItem)]);
  });

  it.each([1, 2, 3, 5])("deliveries by status, limit %i", async (limit) => {
    const repo = deliveryRepository(doc, table());
    const got = await readAll(limit, (cursor) =>
      repo.list(tenantId, { status: "SCHEDULED", limit, ...(cursor ? { cursor } : {}) }),
    );
    expect(got.map((d) => d.id)).toEqual(deliveries.filter((d) => d.status === "SCHEDULED").map((d) => d.id));
  });

  it.each([2, 4])("deliveries by target and time range, limit %i", async (limit) => {
    const repo = deliveryRepository(doc, table());
    const filter = { targetId: "tgt_fb", from: at(2), to: at(20), limit };
    const got = await readAll(limit, (cursor) =>
      repo.list(tenantId, { ...filter, ...(cursor ? { cursor } : {}) }),
    );
    const want = deliveries.filter(
      (d) => d.targetId === "tgt_fb" && d.publishAt >= at(2) && d.publishAt < at(20),
    );
    expect(want.length).toBeGreaterThan(limit);
    expect(got.map((d) => d.id)).toEqual(want.map((d) => d.id));
  });

  it.each([1, 3, 4])("posts by status and target, newest first, limit %i", async (limit) => {
    const repo = postRepository(doc, table());
    const got = await readAll(limit, (cursor) =>
      repo.list(tenantId, { status: "DRAFT", targetId: "tgt_a", limit, ...(cursor ? { cursor } : {}) }),
    );
    expect(got.map((p) => p.id)).toEqual(
      posts
        .filter((p) => p.status === "DRAFT")
        .map((p) => p.id)
        .reverse(),
    );
  });

  it("a filter that matches nothing answers one empty page without a cursor", async () => {
    const page = await deliveryRepository(doc, table()).list(tenantId, { status: "PUBLISHED", limit: 3 });
    expect(page).toEqual({ items: [] });
  });
});
