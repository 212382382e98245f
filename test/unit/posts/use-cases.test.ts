/** Use cases against in-memory fakes of the ports: approval, ETags, scheduling, compensation, races. */
import { beforeEach, describe, expect, it } from "vitest";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import { calendar, listDeliveries } from "../../../functions/posts/use-cases/deliveries.js";
import {
  approvePost,
  createPost,
  deletePost,
  rejectPost,
  submitPost,
  updatePost,
  validatePost,
} from "../../../functions/posts/use-cases/posts.js";
import {
  cancelDelivery,
  cancelPost,
  rescheduleDelivery,
  reschedulePost,
  schedulePost,
} from "../../../functions/posts/use-cases/scheduling.js";
import { IllegalTransitionError } from "../../../functions/posts/use-cases/transitions.js";
import { JPEG_OK, target, type World, world } from "./fakes.js";

const editor = { tenantId: "acme", userId: "ed" };
const admin = { tenantId: "acme", userId: "boss" };
const TOMORROW = "2026-06-02T09:00:00+02:00";

let w: World;
beforeEach(() => {
  w = world();
  w.targets.set("fb", target("fb", "facebook"));
  w.targets.set("ig", target("ig", "instagram"));
  w.media.set("https://cdn.example/a.jpg", JPEG_OK);
});

const draft = (targetIds = ["fb", "ig"]) =>
  createPost(w.deps, editor, {
    content: { text: "Hello #world", media: [{ url: "https://cdn.example/a.jpg" }] },
    targetIds,
  });

describe("posts and approval", () => {
  it("records who did what in the history: create, submit, reject, edit, submit, approve", async () => {
    const p = await draft();
    await submitPost(w.deps, editor, p.id);
    await rejectPost(w.deps, admin, p.id, "Fix the typo");
    const rejected = (await w.posts.get("acme", p.id))!;
    await updatePost(w.deps, editor, p.id, rejected.version, {
      content: { text: "Hello, #world", media: [{ url: "https://cdn.example/a.jpg" }] },
    });
    await submitPost(w.deps, editor, p.id);
    const approved = await approvePost(w.deps, admin, p.id, "ok");
    expect(approved.status).toBe("APPROVED");
    expect(approved.history.map((h) => [h.action, h.by, h.from, h.to, h.comment])).toEqual([
      ["created", "ed", undefined, "DRAFT", undefined],
      ["submit", "ed", "DRAFT", "PENDING_APPROVAL", undefined],
      ["reject", "boss", "PENDING_APPROVAL", "REJECTED", "Fix the typo"],
      ["edit", "ed", "REJECTED", "DRAFT", undefined],
      ["submit", "ed", "DRAFT", "PENDING_APPROVAL", undefined],
      ["approve", "boss", "PENDING_APPROVAL", "APPROVED", "ok"],
    ]);
    expect(approved.version).toBe(6);
  });

  it("an edit after approval sends the post back to approval when the tenant requires it", async () => {
    w.settings = { ...w.settings, approvalRequired: true };
    const p = await draft();
    await submitPost(w.deps, editor, p.id);
    const approved = await approvePost(w.deps, admin, p.id);
    const edited = await updatePost(w.deps, editor, p.id, approved.version, { targetIds: ["fb"] });
    expect(edited.status).toBe("PENDING_APPROVAL");
    expect(edited.history.at(-1)?.action).toBe("edited-after-approval");
    await expect(schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c")).rejects.toMatchObject({
      statusCode: 409,
      extensions: { currentStatus: "PENDING_APPROVAL" },
    });
  });

  it("a stale ETag is 412 and changes nothing", async () => {
    const p = await draft();
    await updatePost(w.deps, editor, p.id, 1, { targetIds: ["fb"] });
    await expect(updatePost(w.deps, editor, p.id, 1, { targetIds: ["ig"] })).rejects.toMatchObject({
      statusCode: 412,
      extensions: { currentEtag: '"2"' },
    });
    expect((await w.posts.get("acme", p.id))?.targetIds).toEqual(["fb"]);
  });

  it("a write that loses a race after the read is 412 too (conditional on version)", async () => {
    const p = await draft();
    const realGet = w.posts.get.bind(w.posts);
    let raced = false;
    w.posts.get = async (t, id) => {
      const got = await realGet(t, id);
      if (!raced && got) {
        raced = true;
        await w.posts.replace({ ...got, version: got.version + 1 }, got.version); // someone else saves first
      }
      return got;
    };
    await expect(updatePost(w.deps, editor, p.id, 1, { targetIds: ["fb"] })).rejects.toMatchObject({
      statusCode: 412,
    });
  });

  it("only admins' actions approve; reject needs PENDING_APPROVAL", async () => {
    const p = await draft();
    await expect(rejectPost(w.deps, admin, p.id, "no")).rejects.toBeInstanceOf(IllegalTransitionError);
  });

  it("delete works on a draft and is 409 once scheduled", async () => {
    const a = await draft();
    await deletePost(w.deps, editor, a.id);
    expect(await w.posts.get("acme", a.id)).toBeUndefined();
    const b = await draft();
    await schedulePost(w.deps, admin, b.id, { publishAt: TOMORROW }, "c");
    await expect(deletePost(w.deps, editor, b.id)).rejects.toMatchObject({
      statusCode: 409,
      extensions: { currentStatus: "SCHEDULED" },
    });
  });

  it("a foreign tenant's post is 404", async () => {
    const p = await draft();
    await expect(submitPost(w.deps, { tenantId: "other", userId: "x" }, p.id)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("validate reports per-target issues without changing the post", async () => {
    const p = await createPost(w.deps, editor, {
      content: { text: "no media" },
      targetIds: ["fb", "ig", "nope"],
    });
    const r = await validatePost(w.deps, editor, p.id);
    expect(r.valid).toBe(false);
    expect(r.issues.map((i) => `${i.targetId}:${i.code}`).sort()).toEqual([
      "ig:media_required",
      "nope:target_not_found",
    ]);
    expect((await w.posts.get("acme", p.id))?.version).toBe(1);
  });
});

describe("schedule", () => {
  it("creates one SCHEDULED delivery and one schedule per target, and marks the post SCHEDULED", async () => {
    const p = await draft();
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "corr-1");
    expect(r.post.status).toBe("SCHEDULED");
    expect(r.deliveries.map((d) => [d.targetId, d.platform, d.status, d.version, d.publishAt])).toEqual([
      ["fb", "facebook", "SCHEDULED", 1, "2026-06-02T07:00:00.000Z"],
      ["ig", "instagram", "SCHEDULED", 1, "2026-06-02T07:00:00.000Z"],
    ]);
    for (const d of r.deliveries) {
      expect(w.schedules.schedules.get(d.scheduleName)).toEqual({
        publishAt: d.publishAt,
        version: 1,
        correlationId: "corr-1",
      });
      expect(d.scheduleName.length).toBeLessThanOrEqual(64);
      expect(d.ledger[0]).toMatchObject({ event: "scheduled", by: "boss" });
    }
    expect((await w.posts.get("acme", p.id))?.deliveryIds).toEqual(r.deliveries.map((d) => d.id));
  });

  it("schedules a subset of targets, and refuses targets not in the post", async () => {
    const p = await draft();
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW, targetIds: ["ig"] }, "c");
    expect(r.deliveries.map((d) => d.targetId)).toEqual(["ig"]);
    const q = await draft();
    await expect(
      schedulePost(w.deps, admin, q.id, { publishAt: TOMORROW, targetIds: ["li"] }, "c"),
    ).rejects.toMatchObject({
      statusCode: 400,
      issues: [expect.objectContaining({ code: "target_not_in_post" })],
    });
  });

  it("refuses an invalid post with 422 and its issues, writing nothing", async () => {
    const p = await createPost(w.deps, editor, { content: { text: "text only" }, targetIds: ["ig"] });
    await expect(schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c")).rejects.toMatchObject({
      statusCode: 422,
      extensions: { issues: [expect.objectContaining({ targetId: "ig", code: "media_required" })] },
    });
    expect(w.deliveries.items.size).toBe(0);
    expect(w.schedules.schedules.size).toBe(0);
    expect((await w.posts.get("acme", p.id))?.status).toBe("DRAFT");
  });

  it("refuses a target that is disconnected", async () => {
    w.targets.set("fb", target("fb", "facebook", "DISCONNECTED"));
    const p = await draft(["fb"]);
    await expect(schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c")).rejects.toMatchObject({
      statusCode: 422,
    });
  });

  it("when the second schedule fails: removes the first, cancels both deliveries, restores the post, fails", async () => {
    const p = await draft();
    w.schedules.failOn = 2;
    await expect(schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c")).rejects.toThrow(
      /Scheduler unavailable/,
    );
    expect(w.schedules.schedules.size).toBe(0);
    expect([...w.deliveries.items.values()].map((d) => d.status)).toEqual(["CANCELLED", "CANCELLED"]);
    const after = (await w.posts.get("acme", p.id))!;
    expect(after.status).toBe("DRAFT");
    expect(after.history.at(-1)?.action).toBe("schedule-failed");
    // …and a retry succeeds.
    w.schedules.failOn = undefined;
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    expect(r.post.status).toBe("SCHEDULED");
    expect(w.schedules.schedules.size).toBe(2);
  });
});

describe("deliveries: reschedule and cancel", () => {
  const scheduled = async () => {
    const p = await draft(["fb"]);
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    return { post: r.post, d: r.deliveries[0] as Delivery };
  };

  it("reschedule moves the time, bumps the version and replaces the schedule's payload version", async () => {
    const { d } = await scheduled();
    const next = await rescheduleDelivery(
      w.deps,
      admin,
      d.id,
      { localTime: "2026-06-03T08:00", timeZone: "Europe/London" },
      "c2",
    );
    expect(next).toMatchObject({
      version: 2,
      publishAt: "2026-06-03T07:00:00.000Z",
      timeZone: "Europe/London",
      status: "SCHEDULED",
    });
    expect(w.schedules.schedules.get(d.scheduleName)).toMatchObject({
      version: 2,
      publishAt: "2026-06-03T07:00:00.000Z",
    });
    expect(next.ledger.map((l) => l.event)).toEqual(["scheduled", "rescheduled"]);
  });

  it("cancel marks CANCELLED and removes the schedule; a second cancel is 409 naming CANCELLED", async () => {
    const { d } = await scheduled();
    const c = await cancelDelivery(w.deps, admin, d.id);
    expect(c).toMatchObject({ status: "CANCELLED", version: 2 });
    expect(w.schedules.schedules.has(d.scheduleName)).toBe(false);
    await expect(cancelDelivery(w.deps, admin, d.id)).rejects.toMatchObject({
      statusCode: 409,
      extensions: { currentStatus: "CANCELLED" },
    });
  });

  it("cancel racing the worker's claim: the claim wins here, so the cancel is 409 naming PUBLISHING", async () => {
    const { d } = await scheduled();
    const realGet = w.deliveries.get.bind(w.deliveries);
    let claimed = false;
    w.deliveries.get = async (t, id) => {
      const got = await realGet(t, id);
      if (!claimed && got) {
        claimed = true;
        // The worker claims between the cancel's read and its write (condition: status + version).
        await w.deliveries.replace({ ...got, status: "PUBLISHING", version: got.version + 1 }, got.version, [
          "SCHEDULED",
        ]);
      }
      return got;
    };
    await expect(cancelDelivery(w.deps, admin, d.id)).rejects.toMatchObject({
      statusCode: 409,
      extensions: { currentStatus: "PUBLISHING" },
    });
    expect((await realGet("acme", d.id))?.status).toBe("PUBLISHING");
    expect(w.schedules.schedules.has(d.scheduleName)).toBe(true);
  });

  it("cancelling a post's last live delivery one by one cancels the post too", async () => {
    const p = await draft();
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const [a, b] = r.deliveries as [Delivery, Delivery];
    await cancelDelivery(w.deps, admin, a.id);
    expect((await w.posts.get("acme", p.id))?.status).toBe("SCHEDULED");
    await cancelDelivery(w.deps, admin, b.id);
    const post = (await w.posts.get("acme", p.id))!;
    expect(post.status).toBe("CANCELLED");
    expect(post.history.at(-1)).toMatchObject({
      action: "cancel",
      by: "boss",
      from: "SCHEDULED",
      to: "CANCELLED",
    });
  });

  it("post-level cancel cancels every delivery and the post", async () => {
    const p = await draft();
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const out = await cancelPost(w.deps, admin, p.id);
    expect(out.post.status).toBe("CANCELLED");
    expect(out.deliveries.map((d) => d.status)).toEqual(["CANCELLED", "CANCELLED"]);
    expect(w.schedules.schedules.size).toBe(0);
    expect(r.deliveries).toHaveLength(2);
  });

  it("post-level cancel keeps the post when one delivery is already publishing", async () => {
    const p = await draft();
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const first = r.deliveries[0] as Delivery;
    await w.deliveries.replace({ ...first, status: "PUBLISHING", version: 2 }, 1, ["SCHEDULED"]);
    const out = await cancelPost(w.deps, admin, p.id);
    expect(out.deliveries.map((d) => d.status)).toEqual(["PUBLISHING", "CANCELLED"]);
    expect(out.post.status).toBe("SCHEDULED");
  });

  it("post-level reschedule moves every scheduled delivery", async () => {
    const p = await draft();
    await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const out = await reschedulePost(w.deps, admin, p.id, { publishAt: "2026-06-10T10:00:00Z" }, "c");
    expect(out.deliveries.map((d) => [d.publishAt, d.version])).toEqual([
      ["2026-06-10T10:00:00.000Z", 2],
      ["2026-06-10T10:00:00.000Z", 2],
    ]);
    expect(out.post.history.at(-1)?.action).toBe("reschedule");
  });
});

describe("no silent swallowing: best-effort steps that fail are named or logged", () => {
  it("a schedule that cannot be removed after a cancel: the cancel stands, a warning names the delivery", async () => {
    const p = await draft(["fb"]);
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const d = r.deliveries[0] as Delivery;
    w.schedules.remove = async () => {
      throw new Error("Scheduler unavailable");
    };
    const c = await cancelDelivery(w.deps, admin, d.id);
    expect(c.status).toBe("CANCELLED");
    expect(w.warnings).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/schedule not removed/),
        extra: expect.objectContaining({ deliveryId: d.id, error: "Scheduler unavailable" }),
      }),
    ]);
  });

  it("the post cannot be settled after its last delivery is cancelled: logged, not swallowed", async () => {
    const p = await draft(["fb"]);
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    w.posts.replace = async () => {
      throw new Error("DynamoDB unavailable");
    };
    const c = await cancelDelivery(w.deps, admin, (r.deliveries[0] as Delivery).id);
    expect(c.status).toBe("CANCELLED");
    expect(w.warnings).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/post not settled/),
        extra: expect.objectContaining({ postId: p.id, error: "DynamoDB unavailable" }),
      }),
    ]);
  });

  it("a post that changed meanwhile is a named, expected condition after a cancel: no warning", async () => {
    const p = await draft(["fb"]);
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const realReplace = w.posts.replace.bind(w.posts);
    w.posts.replace = async (next, expected) => realReplace(next, expected + 100);
    await cancelDelivery(w.deps, admin, (r.deliveries[0] as Delivery).id);
    expect(w.warnings).toEqual([]);
  });

  it("a failed schedule whose post cannot be restored: the schedule error is thrown and the restore failure logged", async () => {
    const p = await draft(["fb"]);
    w.schedules.failOn = 1;
    const realReplace = w.posts.replace.bind(w.posts);
    w.posts.replace = async (next, expected) => {
      if (next.history.at(-1)?.action === "schedule-failed") throw new Error("DynamoDB unavailable");
      return realReplace(next, expected);
    };
    await expect(schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c")).rejects.toThrow(
      /Scheduler unavailable/,
    );
    expect(w.warnings).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/post not restored/),
        extra: expect.objectContaining({ postId: p.id, error: "DynamoDB unavailable" }),
      }),
    ]);
  });
});

describe("post-level cancel that loses the race", () => {
  it("answers 409 with the delivery's current status, not the post's old one", async () => {
    const p = await draft(["fb"]);
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const d = r.deliveries[0] as Delivery;
    const realGet = w.deliveries.get.bind(w.deliveries);
    let claimed = false;
    w.deliveries.get = async (t, id) => {
      const got = await realGet(t, id);
      if (!claimed && got) {
        claimed = true;
        // The worker claims between the cancel's read and its write.
        await w.deliveries.replace({ ...got, status: "PUBLISHING", version: got.version + 1 }, got.version, [
          "SCHEDULED",
        ]);
      }
      return got;
    };
    await expect(cancelPost(w.deps, admin, p.id)).rejects.toMatchObject({
      statusCode: 409,
      extensions: {
        currentStatus: "PUBLISHING",
        deliveries: [{ id: d.id, status: "PUBLISHING", version: 2 }],
      },
    });
    expect((await w.posts.get("acme", p.id))?.status).toBe("SCHEDULED");
  });
});

describe("lists and the calendar follow the time a delivery really goes", () => {
  it("a delivery the quota moved to the next day sorts and groups there, not at its stale publishAt", async () => {
    const p = await draft();
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: "2026-06-02T09:00:00Z" }, "c");
    const [fb, ig] = r.deliveries as [Delivery, Delivery];
    // The worker moved the Instagram delivery past its publishing quota: next attempt tomorrow.
    await w.deliveries.replace(
      { ...ig, status: "RETRYING", version: ig.version + 2, nextAttemptAt: "2026-06-03T08:00:00.000Z" },
      ig.version,
      ["SCHEDULED"],
    );
    const days = await calendar(w.deps, admin, { from: "2026-06-02", to: "2026-06-03", timeZone: "UTC" });
    expect(days.map((d) => [d.date, d.deliveries.map((x) => x.id)])).toEqual([
      ["2026-06-02", [fb.id]],
      ["2026-06-03", [ig.id]],
    ]);
    const tomorrow = await listDeliveries(w.deps, admin, { from: "2026-06-03T00:00:00Z", limit: 10 });
    expect(tomorrow.items.map((d) => d.id)).toEqual([ig.id]);
    // A reschedule replaces the planned attempt: the new time is the one that counts.
    const moved = await rescheduleDelivery(w.deps, admin, ig.id, { publishAt: "2026-06-02T07:00:00Z" }, "c");
    expect(moved.nextAttemptAt).toBeUndefined();
    const all = await listDeliveries(w.deps, admin, { limit: 10 });
    expect(all.items.map((d) => d.id)).toEqual([ig.id, fb.id]);
  });
});

describe("a dead-lettered delivery (NEEDS_ATTENTION)", () => {
  it("can be cancelled by an admin; its post then follows the aggregate rule", async () => {
    const p = await draft(["fb", "ig"]);
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const [fb, ig] = r.deliveries as [Delivery, Delivery];
    await w.deliveries.replace({ ...fb, status: "PUBLISHED", version: 5 }, 1, ["SCHEDULED"]);
    await w.deliveries.replace({ ...ig, status: "NEEDS_ATTENTION", version: 5 }, 1, ["SCHEDULED"]);
    const post = (await w.posts.get("acme", p.id))!;
    await w.posts.replace({ ...post, status: "NEEDS_ATTENTION", version: post.version + 1 }, post.version);
    const c = await cancelDelivery(w.deps, admin, ig.id);
    expect(c.status).toBe("CANCELLED");
    const after = (await w.posts.get("acme", p.id))!;
    expect(after.status).toBe("PUBLISHED");
    expect(after.history.at(-1)).toMatchObject({ by: "boss", from: "NEEDS_ATTENTION", to: "PUBLISHED" });
  });

  it("can be rescheduled: SCHEDULED at the new time, its dead-letter episode over", async () => {
    const p = await draft(["fb"]);
    const r = await schedulePost(w.deps, admin, p.id, { publishAt: TOMORROW }, "c");
    const d = r.deliveries[0] as Delivery;
    await w.deliveries.replace(
      {
        ...d,
        status: "NEEDS_ATTENTION",
        version: 5,
        deadLetter: { fromVersion: 4, messageId: "m", at: "2026-06-01T10:00:00.000Z" },
        nextAttemptAt: "2026-06-02T08:00:00.000Z",
      },
      1,
      ["SCHEDULED"],
    );
    const post = (await w.posts.get("acme", p.id))!;
    await w.posts.replace({ ...post, status: "NEEDS_ATTENTION", version: post.version + 1 }, post.version);
    const next = await rescheduleDelivery(w.deps, admin, d.id, { publishAt: "2026-06-05T10:00:00Z" }, "c");
    expect(next).toMatchObject({ status: "SCHEDULED", publishAt: "2026-06-05T10:00:00.000Z" });
    expect(next.deadLetter).toBeUndefined();
    expect(next.nextAttemptAt).toBeUndefined();
    // Its post no longer needs attention: it is publishing again (the delivery is due anew).
    expect((await w.posts.get("acme", p.id))?.status).toBe("PUBLISHING");
  });
});
