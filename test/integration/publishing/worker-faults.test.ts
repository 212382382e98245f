/**
 * The publish worker in this process (worker-harness.ts) against the stack's DynamoDB, SQS and
 * the provider sandbox, with test-sized retry policies and lease:
 * - the worker is "killed" after the provider accepted and before it recorded anything: the
 *   message comes back, the lease has lapsed, the next attempt asks the provider what happened
 *   and adopts the post (Facebook recent-post match, LinkedIn duplicate answer, Instagram
 *   container PUBLISHED) — exactly one post each;
 * - LinkedIn 426 (retired LinkedIn-Version): a clear config error, retried, then the message
 *   lands in the dead-letter queue; replayed after the "fix", it publishes once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RetryPolicy } from "../../../functions/publishing/domain/retry-policy.js";
import type { PublisherPort } from "../../../functions/publishing/use-cases/ports.js";
import { eventually } from "../../support/stack.js";
import {
  connectedWorld,
  fault,
  getDelivery,
  getPost,
  IG_BAKERY,
  marker,
  media,
  ORG_A,
  PAGE_BAKERY,
  publishedWith,
  removeFault,
  schedulePost,
  settled,
  settledPost,
  type World,
} from "./support.js";
import { type Harness, startHarness } from "./worker-harness.js";

const FAST: RetryPolicy = {
  maxAttempts: 2,
  baseMs: 10,
  capMs: 20,
  maxWindowWaits: 2,
  windowSpreadMs: 0,
  shortWaitMaxMs: 15 * 60_000,
};

/** Throws once, right after the first step that got a post id back from the provider. */
function crashAfterAccept(inner: PublisherPort): PublisherPort & { crashes: number } {
  const wrapper = {
    crashes: 0,
    async step(...args: Parameters<PublisherPort["step"]>) {
      const r = await inner.step(...args);
      if ("outcome" in r && r.outcome.state.postId && !args[2].postId && wrapper.crashes === 0) {
        wrapper.crashes += 1;
        throw new Error("simulated crash: the provider accepted, the worker died before recording");
      }
      return r;
    },
  };
  return wrapper;
}

let w: World;
let h: Harness;
let crash: ReturnType<typeof crashAfterAccept>;

beforeAll(async () => {
  w = await connectedWorld("pubh");
  h = await startHarness({
    overrides: { policies: { meta: FAST, linkedin: FAST }, leaseMs: 1_000, random: () => 0.5 },
    wrapPublisher: (inner) => {
      crash = crashAfterAccept(inner);
      return crash;
    },
  });
});

afterAll(async () => {
  await h?.stop();
});

/** Schedule a post, take its schedules away from the stack, and hand its messages to the harness at publishAt. */
async function publishThroughHarness(body: Parameters<typeof schedulePost>[1]) {
  const s = await schedulePost(w, body);
  for (const d of s.deliveries) await h.unschedule(d.scheduleName);
  const due = Date.parse(s.deliveries[0]!.publishAt);
  await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  for (const d of s.deliveries) await h.send(w.tenant, d.id, d.version);
  return s;
}

describe("a worker killed between the provider's answer and the record", () => {
  it("adopts the Facebook post it finds among the Page's recent posts instead of posting again", async () => {
    crash.crashes = 0;
    const m = marker("crash-fb");
    const { deliveries } = await publishThroughHarness({
      content: { text: `Killed after accept ${m}` },
      targetIds: [w.target(PAGE_BAKERY).id],
    });
    const d = await settled(w, deliveries[0]!.id);
    expect(crash.crashes).toBe(1);
    expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
    expect(d.ledger.map((e) => e.event)).toContain("reclaimed");
    expect(d.ledger.some((e) => /adopted/.test(e.detail ?? ""))).toBe(true);
    const posts = await publishedWith(m);
    expect(posts).toHaveLength(1);
    expect(d.providerPostId).toBe(posts[0]!.providerId);
  });

  it("adopts the LinkedIn post named by the duplicate answer", async () => {
    crash.crashes = 0;
    const m = marker("crash-li");
    const { deliveries } = await publishThroughHarness({
      content: { text: `Killed after accept on LinkedIn ${m}` },
      targetIds: [w.target("member").id],
    });
    const d = await settled(w, deliveries[0]!.id);
    expect(crash.crashes).toBe(1);
    expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
    const posts = await publishedWith(m);
    expect(posts).toHaveLength(1);
    expect(d.providerPostId).toBe(posts[0]!.providerId);
    expect(d.ledger.some((e) => /exists .*adopted/.test(e.detail ?? ""))).toBe(true);
  });

  it("adopts the Instagram media of a container that is already PUBLISHED", async () => {
    crash.crashes = 0;
    const m = marker("crash-ig");
    const { deliveries } = await publishThroughHarness({
      content: { text: `Killed after accept on Instagram ${m}`, media: [{ url: media("square-1080.jpg") }] },
      targetIds: [w.target(IG_BAKERY).id],
    });
    const d = await settled(w, deliveries[0]!.id);
    expect(crash.crashes).toBe(1);
    expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
    const posts = await publishedWith(m);
    expect(posts).toHaveLength(1);
    expect(d.providerPostId).toBe(posts[0]!.providerId);
    expect(d.ledger.some((e) => /already PUBLISHED/.test(e.detail ?? ""))).toBe(true);
  });
});

describe("LinkedIn 426: a retired LinkedIn-Version", () => {
  it("is a clear configuration error, retried, then dead-lettered; a replay after the fix publishes once", async () => {
    const m = marker("li426");
    const author = w.target(ORG_A);
    const rule = await fault({
      provider: "linkedin",
      path: "/rest/posts$",
      target: author.externalId,
      fault: { kind: "error", preset: "nonexistent-version" },
    });
    let replayed = false;
    try {
      const { deliveries, postId } = await publishThroughHarness({
        content: { text: `Version check ${m}` },
        targetIds: [author.id],
      });
      const id = deliveries[0]!.id;
      const body = await eventually(async () => (await h.dlqBodies()).find((b) => b.includes(id)), {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: "the message in the DLQ",
      });
      const d = await getDelivery(w, id);
      // Dead-lettered: a distinct status with the reason, typed; the post says so too.
      expect(d.status).toBe("NEEDS_ATTENTION");
      expect(d.lastError).toMatchObject({ class: "config", code: expect.stringMatching(/426|version/i) });
      expect(d).not.toHaveProperty("nextAttemptAt");
      expect((await getPost(w, postId)).status).toBe("NEEDS_ATTENTION");
      const events = d.ledger.map((e) => e.event);
      expect(events.filter((e) => e === "error")).toHaveLength(2);
      expect(events).toContain("dead_lettered");
      const dead = d.ledger.find((e) => e.event === "dead_lettered")!;
      expect(dead.detail).toMatch(/HERALD_LINKEDIN_VERSION/);
      expect(await publishedWith(m)).toHaveLength(0);

      // The operator fixes the configuration and replays the dead-letter queue.
      await removeFault(rule);
      replayed = true;
      const event = JSON.parse(body) as { data: { version: number } };
      await h.send(w.tenant, id, event.data.version);
      const done = await settled(w, id);
      expect(done.status, JSON.stringify(done.ledger)).toBe("PUBLISHED");
      expect(done.ledger.map((e) => e.event)).toContain("replayed");
      // The replay moved the delivery back, and with it the post.
      expect((await settledPost(w, postId)).status).toBe("PUBLISHED");
      expect(await publishedWith(m)).toHaveLength(1);
    } finally {
      if (!replayed) await removeFault(rule);
    }
  });
});
