/**
 * Against DynamoDB Local (the local stack's): the conditional writes behind cancel, the
 * worker's claim, ETags and the scheduling transaction, raced for real; cursor pagination
 * and time ranges over the real GSI.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../../functions/platform/keys.js";
import { deliveryRepository } from "../../../functions/posts/adapters/delivery-repository.js";
import { postRepository } from "../../../functions/posts/adapters/post-repository.js";
import { dynamoTargetLookup } from "../../../functions/posts/adapters/target-lookup.js";
import type { Delivery, Post } from "../../../functions/posts/domain/post.js";
import { deliveryFromStates } from "../../../functions/posts/domain/transitions.js";
import { calendar, listDeliveries } from "../../../functions/posts/use-cases/deliveries.js";
import { type PostsDeps, WriteConflict } from "../../../functions/posts/use-cases/ports.js";
import { createPost, listPosts, updatePost } from "../../../functions/posts/use-cases/posts.js";
import { cancelDelivery, schedulePost } from "../../../functions/posts/use-cases/scheduling.js";
import { settingsRepository } from "../../../functions/tenants/adapters/settings-repository.js";
import { stackDocumentClient, stackInfo } from "../../support/stack.js";
import { MemoryMedia, MemorySchedules } from "../../unit/posts/fakes.js";

let doc: DynamoDBDocumentClient;
let deps: PostsDeps;
let schedules: MemorySchedules;
const tenant = () => `it-${randomUUID().slice(0, 8)}`;

beforeAll(() => {
  const { resources } = stackInfo();
  doc = stackDocumentClient();
  schedules = new MemorySchedules();
  deps = {
    posts: postRepository(doc, resources.table),
    deliveries: deliveryRepository(doc, resources.table),
    targets: dynamoTargetLookup(doc, resources.table),
    media: new MemoryMedia(),
    schedules,
    settings: settingsRepository(doc, resources.table),
    log: { warn: () => undefined },
    now: () => new Date(),
    newId,
    limits: { minLeadSeconds: 60, horizonDays: 365 },
  };
});
afterAll(() => doc?.destroy());

const delivery = (t: string, publishAt = new Date(Date.now() + 3600_000).toISOString()): Delivery => {
  const id = newId("dlv");
  return {
    tenantId: t,
    id,
    postId: "pst_x",
    targetId: "tgt_fb",
    platform: "facebook",
    status: "SCHEDULED",
    version: 1,
    publishAt,
    timeZone: "UTC",
    scheduleName: `dlv-${id}`,
    ledger: [],
    createdAt: publishAt,
    updatedAt: publishAt,
  };
};

async function seedDelivery(d: Delivery) {
  const post: Post = {
    tenantId: d.tenantId,
    id: d.postId,
    status: "SCHEDULED",
    version: 1,
    content: { text: "x" },
    targetIds: [d.targetId],
    deliveryIds: [],
    history: [],
    createdAt: d.createdAt,
    createdBy: "u",
    updatedAt: d.createdAt,
  };
  await deps.posts.create(post).catch(() => undefined);
  const current = (await deps.posts.get(d.tenantId, d.postId)) as Post;
  await deps.deliveries.createWithPost([d], { ...current, version: current.version + 1 }, current.version);
}

async function seedTarget(t: string, id: string, platform: "facebook" | "linkedin") {
  const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
  await doc.send(
    new PutCommand({
      TableName: stackInfo().resources.table,
      Item: {
        PK: `TENANT#${t}#TARGET#${id}`,
        SK: "TARGET",
        tenantId: t,
        id,
        platform,
        status: "ACTIVE",
        name: id,
      },
    }),
  );
}

describe("cancel racing the worker's claim (two conditional writes at once)", () => {
  it("ends CANCELLED or PUBLISHING, never both, in every one of 30 races", async () => {
    const t = tenant();
    const outcomes = { cancelled: 0, claimed: 0 };
    for (let i = 0; i < 30; i++) {
      const d = delivery(t);
      await seedDelivery(d);
      const at = new Date().toISOString();
      const cancel = () =>
        deps.deliveries.replace(
          { ...d, status: "CANCELLED", version: 2, updatedAt: at },
          1,
          deliveryFromStates("cancel"),
        );
      const claim = () =>
        deps.deliveries.replace(
          { ...d, status: "PUBLISHING", version: 2, updatedAt: at },
          1,
          deliveryFromStates("claim"),
        );
      // Both requests go out together; alternate which one is issued first.
      const settled = await Promise.allSettled(i % 2 ? [cancel(), claim()] : [claim(), cancel()]);
      const [c, w] = (i % 2 ? settled : [settled[1], settled[0]]) as [
        PromiseSettledResult<void>,
        PromiseSettledResult<void>,
      ];
      const wins = [c, w].filter((r) => r.status === "fulfilled").length;
      expect(wins).toBe(1);
      const loser = [c, w].find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(WriteConflict);
      const final = (await deps.deliveries.get(t, d.id)) as Delivery;
      if (c.status === "fulfilled") {
        outcomes.cancelled++;
        expect(final.status).toBe("CANCELLED");
      } else {
        outcomes.claimed++;
        expect(final.status).toBe("PUBLISHING");
        expect((loser.reason as WriteConflict).current).toEqual({ version: 2, status: "PUBLISHING" });
      }
    }
    expect(outcomes.cancelled + outcomes.claimed).toBe(30);
  });

  it("the cancel use case answers 409 naming PUBLISHING when the claim got there first", async () => {
    const t = tenant();
    const d = delivery(t);
    await seedDelivery(d);
    await deps.deliveries.replace({ ...d, status: "PUBLISHING", version: 2 }, 1, deliveryFromStates("claim"));
    await expect(cancelDelivery(deps, { tenantId: t, userId: "u" }, d.id)).rejects.toMatchObject({
      statusCode: 409,
      extensions: { currentStatus: "PUBLISHING" },
    });
  });

  it("a claim after a cancel fails: a stale firing cannot publish a cancelled delivery", async () => {
    const t = tenant();
    const d = delivery(t);
    await seedDelivery(d);
    const cancelled = await cancelDelivery(deps, { tenantId: t, userId: "u" }, d.id);
    expect(cancelled.status).toBe("CANCELLED");
    await expect(
      deps.deliveries.replace({ ...d, status: "PUBLISHING", version: 2 }, 1, deliveryFromStates("claim")),
    ).rejects.toBeInstanceOf(WriteConflict);
  });
});

describe("ETags under concurrency", () => {
  it("two edits from the same read: one wins, the other is 412", async () => {
    const t = tenant();
    const actor = { tenantId: t, userId: "u" };
    const p = await createPost(deps, actor, { content: { text: "v1" }, targetIds: ["tgt_fb"] });
    const results = await Promise.allSettled([
      updatePost(deps, actor, p.id, 1, { content: { text: "A" } }),
      updatePost(deps, actor, p.id, 1, { content: { text: "B" } }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason.statusCode).toBe(412);
    const stored = (await deps.posts.get(t, p.id)) as Post;
    expect(stored.version).toBe(2);
    const won = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<Post>).value;
    expect(stored.content.text).toBe(won.content.text);
  });

  it("the scheduling transaction writes nothing when the post moved on", async () => {
    const t = tenant();
    const d = delivery(t);
    const post: Post = {
      tenantId: t,
      id: "pst_tx",
      status: "DRAFT",
      version: 3,
      content: { text: "x" },
      targetIds: ["tgt_fb"],
      deliveryIds: [],
      history: [],
      createdAt: d.createdAt,
      createdBy: "u",
      updatedAt: d.createdAt,
    };
    await deps.posts.create(post);
    await expect(
      deps.deliveries.createWithPost(
        [{ ...d, postId: post.id }],
        { ...post, status: "SCHEDULED", version: 3 },
        2,
      ),
    ).rejects.toBeInstanceOf(WriteConflict);
    expect(await deps.deliveries.get(t, d.id)).toBeUndefined();
    expect((await deps.posts.get(t, post.id))?.status).toBe("DRAFT");
  });
});

describe("schedule against real DynamoDB", () => {
  it("writes the deliveries and the post in one go; the target lookup reads the documented key layout", async () => {
    const t = tenant();
    const actor = { tenantId: t, userId: "u" };
    await seedTarget(t, "tgt_fb", "facebook");
    await seedTarget(t, "tgt_li", "linkedin");
    const p = await createPost(deps, actor, { content: { text: "hello" }, targetIds: ["tgt_fb", "tgt_li"] });
    const r = await schedulePost(
      deps,
      actor,
      p.id,
      { publishAt: new Date(Date.now() + 7200_000).toISOString() },
      "corr",
    );
    expect(r.deliveries.map((d) => d.platform)).toEqual(["facebook", "linkedin"]);
    const stored = await Promise.all(r.deliveries.map((d) => deps.deliveries.get(t, d.id)));
    expect(stored.map((d) => d?.status)).toEqual(["SCHEDULED", "SCHEDULED"]);
    expect((await deps.posts.get(t, p.id))?.status).toBe("SCHEDULED");
  });
});

describe("lists over the real GSI", () => {
  it("pages posts newest first with an opaque cursor, and filters by status", async () => {
    const t = tenant();
    const actor = { tenantId: t, userId: "u" };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await createPost(deps, actor, { content: { text: `p${i}` }, targetIds: ["tgt_fb"] })).id);
      await new Promise((r) => setTimeout(r, 3)); // distinct createdAt for a stable order
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listPosts(deps, actor, { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const other = await listPosts(deps, { tenantId: tenant(), userId: "u" }, { limit: 10 });
    expect(other.items).toHaveLength(0);
    await updatePost(deps, actor, ids[0] as string, 1, { content: { text: "edited" } });
    const page = await listPosts(deps, actor, { limit: 10, status: "DRAFT" });
    expect(page.items).toHaveLength(5);
  });

  it("lists deliveries in a publish-time range and builds a calendar from them", async () => {
    const t = tenant();
    const actor = { tenantId: t, userId: "u" };
    const times = [
      "2026-10-24T22:59:00.000Z",
      "2026-10-24T23:00:00.000Z",
      "2026-10-25T23:30:00.000Z",
      "2026-10-26T00:00:00.000Z",
    ];
    const made: Delivery[] = [];
    for (const at of times) {
      const d = { ...delivery(t, at), postId: `pst_${made.length}` };
      await seedDelivery(d);
      made.push(d);
    }
    const page = await listDeliveries(deps, actor, {
      from: "2026-10-24T23:00:00Z",
      to: "2026-10-26T00:00:00Z",
      limit: 10,
    });
    expect(page.items.map((d) => d.publishAt)).toEqual([times[1], times[2]]);
    const days = await calendar(deps, actor, {
      from: "2026-10-24",
      to: "2026-10-26",
      timeZone: "Europe/London",
    });
    expect(days.map((d) => d.deliveries.length)).toEqual([1, 2, 1]);
  });
});
