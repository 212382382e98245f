/**
 * The publish worker through the running local stack: posts scheduled via the API fire from
 * the Scheduler emulator into the publish queue, the queue poller runs the worker, and the
 * provider sandbox plays Meta and LinkedIn. The sandbox's publication log is the duplicate
 * detector: every case checks exactly one post per delivery.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  connectedWorld,
  IG_BAKERY,
  marker,
  media,
  PAGE_BAKERY,
  publishedWith,
  schedulePost,
  sendPublishRequested,
  settled,
  settledPost,
  type World,
} from "./support.js";

let w: World;

/** Resolve at `epochMs` (a deadline to act at, not a wait for a condition). */
const waitUntil = (epochMs: number) => new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));

beforeAll(async () => {
  w = await connectedWorld("pub");
});

describe("publishing through the local stack", () => {
  it("publishes one post to a Facebook Page, an Instagram account and a LinkedIn member, once each, though every message arrives three times", async () => {
    const m = marker("hello");
    const fb = w.target(PAGE_BAKERY);
    const ig = w.target(IG_BAKERY);
    const li = w.target("member");
    const { postId, deliveries } = await schedulePost(w, {
      content: { text: `Fresh bread today ${m}`, media: [{ url: media("square-1080.jpg") }] },
      variants: { facebook: { format: "photo" }, linkedin: { format: "image" } },
      targetIds: [fb.id, ig.id, li.id],
    });
    expect(deliveries).toHaveLength(3);
    // The Scheduler sends one message each at publishAt; two more copies of each, sent then too,
    // make three deliveries of every message. (Copies sent earlier are dropped as too early.)
    await waitUntil(Date.parse(deliveries[0]!.publishAt));
    for (const d of deliveries) {
      await sendPublishRequested(w.tenant, d.id, d.version);
      await sendPublishRequested(w.tenant, d.id, d.version);
    }
    const done = await Promise.all(deliveries.map((d) => settled(w, d.id)));
    for (const d of done) {
      expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
      expect(d.providerPostId).toBeTruthy();
      expect(d.permalink).toMatch(/^https:\/\//);
      expect(d.ledger.map((e) => e.event)).toContain("published");
      const publishedAt = d.ledger.find((e) => e.event === "published")!.at;
      expect(Date.parse(publishedAt)).toBeGreaterThanOrEqual(Date.parse(deliveries[0]!.publishAt) - 2_000);
    }
    const published = await publishedWith(m);
    const posts = published.filter((p) => !p.kind.includes("comment"));
    expect(posts.map((p) => p.target).sort()).toEqual([fb.externalId, ig.externalId, li.externalId].sort());
    expect((await settledPost(w, postId)).status).toBe("PUBLISHED");
  });
});
