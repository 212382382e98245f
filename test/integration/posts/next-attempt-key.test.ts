/**
 * Against DynamoDB Local: the delivery list's index key follows the time a delivery really
 * goes. A delivery the worker moved (nextAttemptAt) is found in the range of its new time and
 * no longer in its stale publishAt's; a reschedule (which clears nextAttemptAt) moves it again.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryRepository } from "../../../functions/posts/adapters/delivery-repository.js";
import { postRepository } from "../../../functions/posts/adapters/post-repository.js";
import type { Delivery, Post } from "../../../functions/posts/domain/post.js";
import { stackDocumentClient, stackInfo } from "../../support/stack.js";

let doc: DynamoDBDocumentClient;

beforeAll(() => {
  doc = stackDocumentClient();
});
afterAll(() => doc?.destroy());

describe("deliveries list by the time they really go", () => {
  it("GSI1SK follows nextAttemptAt and back to publishAt after a reschedule", async () => {
    const table = stackInfo().resources.table;
    const deliveries = deliveryRepository(doc, table);
    const tenantId = `it-${randomUUID().slice(0, 8)}`;
    const at = "2026-06-01T00:00:00.000Z";
    const post: Post = {
      tenantId,
      id: "pst_1",
      status: "APPROVED",
      version: 1,
      content: { text: "quota" },
      targetIds: ["tgt_ig"],
      deliveryIds: [],
      history: [],
      createdAt: at,
      createdBy: "u",
      updatedAt: at,
    };
    await postRepository(doc, table).create(post);
    const d: Delivery = {
      tenantId,
      id: "dlv_1",
      postId: post.id,
      targetId: "tgt_ig",
      platform: "instagram",
      status: "SCHEDULED",
      version: 1,
      publishAt: "2026-06-02T09:00:00.000Z",
      timeZone: "UTC",
      scheduleName: "dlv-dlv_1",
      ledger: [{ at, event: "scheduled", status: "SCHEDULED", by: "u" }],
      createdAt: at,
      updatedAt: at,
    };
    await deliveries.createWithPost(
      [d],
      { ...post, status: "SCHEDULED", version: 2, deliveryIds: [d.id] },
      1,
    );
    const ids = async (from: string, to: string) =>
      (await deliveries.list(tenantId, { from, to, limit: 10 })).items.map((x) => x.id);
    const day2 = ["2026-06-02T00:00:00.000Z", "2026-06-03T00:00:00.000Z"] as const;
    const day3 = ["2026-06-03T00:00:00.000Z", "2026-06-04T00:00:00.000Z"] as const;
    expect(await ids(...day2)).toEqual([d.id]);

    // The worker moved it past Instagram's quota to the next day.
    const moved: Delivery = {
      ...d,
      status: "RETRYING",
      version: 3,
      nextAttemptAt: "2026-06-03T08:00:00.000Z",
    };
    await deliveries.replace(moved, 1, ["SCHEDULED"]);
    expect(await ids(...day2)).toEqual([]);
    expect(await ids(...day3)).toEqual([d.id]);
    expect((await deliveries.get(tenantId, d.id))?.nextAttemptAt).toBe("2026-06-03T08:00:00.000Z");

    // A reschedule to day 2 clears the planned attempt: the key is publishAt again.
    const { nextAttemptAt: _n, ...rest } = moved;
    await deliveries.replace(
      { ...rest, status: "SCHEDULED", version: 4, publishAt: "2026-06-02T18:00:00.000Z" },
      3,
      ["RETRYING"],
    );
    expect(await ids(...day3)).toEqual([]);
    expect(await ids(...day2)).toEqual([d.id]);
  });
});
