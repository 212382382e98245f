/**
 * The publish worker through the running stack (Scheduler emulator → publish queue → poller →
 * worker → provider sandbox) with the sandbox's faults, using the production retry policies:
 * dropped connections after the provider acted, 5xx storms, throttling (429 / BUC), a token
 * revoked while posts wait, Instagram containers in ERROR or EXPIRED, every format with a first
 * comment. In every case the sandbox's publication log shows at most one post per delivery, and
 * every delivery ends PUBLISHED, FAILED with its reason, or waiting for a window it names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, eventually } from "../../support/stack.js";
import { adminToken, newTenant, sandbox } from "../connections/helpers.js";
import {
  connectAll,
  connectedWorld,
  fault,
  getDelivery,
  IG_BAKERY,
  marker,
  media,
  ORG_A,
  ORG_B,
  PAGE_BAKERY,
  PAGE_BOOKS,
  publishedWith,
  removeFault,
  schedulePost,
  settled,
  settledPost,
  type World,
} from "./support.js";

let w: World;
const faults: string[] = [];
let savedConfig: Record<string, unknown> | undefined;

async function patchConfig(patch: Record<string, unknown>) {
  const out = await sandbox("/_sandbox/config", { method: "PUT", json: patch });
  expect(out.status, JSON.stringify(out.body)).toBe(200);
}

beforeAll(async () => {
  w = await connectedWorld("pubf");
  savedConfig = (await sandbox("/_sandbox/config")).body;
});

afterAll(async () => {
  for (const id of faults) await removeFault(id);
  const meta = savedConfig?.meta as Record<string, unknown> | undefined;
  if (meta) {
    await patchConfig({
      meta: {
        igImageProcessingMs: meta.igImageProcessingMs,
        igVideoProcessingMs: meta.igVideoProcessingMs,
        fbVideoProcessingMs: meta.fbVideoProcessingMs,
      },
    });
  }
});

const addFault = async (rule: Record<string, unknown>) => {
  const id = await fault(rule);
  faults.push(id);
  return id;
};

/** The next `times` posts as `target` (a Page's feed, LinkedIn's /rest/posts) answer the error `preset`. */
const failPosts = (provider: "meta" | "linkedin", target: string, times: number, preset: string) =>
  addFault({
    provider,
    path: provider === "meta" ? "/feed$" : "/rest/posts$",
    target,
    times,
    fault: { kind: "error", preset },
  });

describe("every format, with first comments", () => {
  it("publishes multi-photo, carousel and multi-image posts with their first comment, once each", async () => {
    const m = marker("formats");
    const { deliveries, postId } = await schedulePost(w, {
      content: {
        text: `Two pictures ${m}`,
        media: [{ url: media("square-1080.jpg") }, { url: media("portrait-1080x1350.jpg") }],
      },
      variants: {
        facebook: { format: "multi_photo", firstComment: `FB comment ${m}` },
        instagram: { format: "carousel", firstComment: `IG comment ${m}` },
        linkedin: { format: "multi_image", firstComment: `LI comment ${m}` },
      },
      targetIds: [w.target(PAGE_BAKERY).id, w.target(IG_BAKERY).id, w.target("member").id],
    });
    const done = await Promise.all(deliveries.map((d) => settled(w, d.id)));
    for (const d of done) expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
    const log = await publishedWith(m);
    expect(
      log
        .filter((p) => !p.kind.includes("comment"))
        .map((p) => p.kind)
        .sort(),
    ).toEqual(["facebook-post", "instagram-carousel", "post"].sort());
    expect(log.filter((p) => p.kind.includes("comment"))).toHaveLength(3);
    expect((await settledPost(w, postId)).status).toBe("PUBLISHED");
  });

  it("publishes videos (Facebook video, Instagram reel, LinkedIn multipart video), a story, an article and a document", async () => {
    await patchConfig({ meta: { igVideoProcessingMs: 3_000, fbVideoProcessingMs: 3_000 } });
    const m = marker("video");
    const video = await schedulePost(w, {
      content: { text: `Watch this ${m}`, media: [{ url: media("sample.mp4") }] },
      variants: {
        facebook: { format: "video" },
        instagram: { format: "reel" },
        linkedin: { format: "video" },
      },
      targetIds: [w.target(PAGE_BAKERY).id, w.target(IG_BAKERY).id, w.target("member").id],
    });
    const story = await schedulePost(w, {
      content: { text: `Story ${m}`, media: [{ url: media("story-1080x1920.jpg") }] },
      variants: { instagram: { format: "story" } },
      targetIds: [w.target(IG_BAKERY).id],
    });
    const article = await schedulePost(w, {
      content: { text: `Read our article ${m}`, link: "https://example.com/herald/article" },
      variants: { linkedin: { format: "article", articleTitle: "Herald" } },
      targetIds: [w.target(ORG_A).id],
    });
    const doc = await schedulePost(w, {
      content: { text: `Our brochure ${m}`, media: [{ url: media("sample.pdf") }] },
      variants: { linkedin: { format: "document", documentTitle: "Brochure" } },
      targetIds: [w.target("member").id],
    });
    const all = [...video.deliveries, ...story.deliveries, ...article.deliveries, ...doc.deliveries];
    const done = await Promise.all(all.map((d) => settled(w, d.id)));
    for (const d of done) {
      expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
      expect(d.permalink).toMatch(/^https:\/\//);
    }
    const kinds = (await publishedWith(m)).map((p) => p.kind).sort();
    expect(kinds).toEqual(["facebook-video", "instagram-reel", "post", "post", "post"].sort());
    // The story has no caption; it is in the log under the IG account.
    const stories = (
      (await sandbox(`/_sandbox/published?target=${IG_BAKERY}`)).body.items as {
        kind: string;
        providerId: string;
      }[]
    ).filter((p) => p.kind === "instagram-story");
    expect(stories.map((s) => s.providerId)).toContain(done[3]!.providerPostId);
  });
});

describe("the provider acted, then the connection dropped", () => {
  it("adopts what the provider did instead of publishing again (Page feed, IG publish, LinkedIn post)", async () => {
    const m = marker("drop");
    for (const [provider, path, target] of [
      ["meta", "/feed$", PAGE_BAKERY],
      ["meta", "/media_publish$", IG_BAKERY],
      ["linkedin", "/rest/posts$", w.target("member").externalId],
    ] as const) {
      await addFault({ provider, path, target, times: 1, fault: { kind: "drop-after" } });
    }
    const { deliveries } = await schedulePost(w, {
      content: { text: `Dropped after accept ${m}`, media: [{ url: media("square-1080.jpg") }] },
      variants: { facebook: { format: "post", media: [] }, linkedin: { format: "text", media: [] } },
      targetIds: [w.target(PAGE_BAKERY).id, w.target(IG_BAKERY).id, w.target("member").id],
    });
    const done = await Promise.all(deliveries.map((d) => settled(w, d.id, undefined, 110_000)));
    for (const d of done) {
      expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
      expect(d.ledger.some((e) => e.event === "error" && /network/.test(e.detail ?? ""))).toBe(true);
    }
    const log = await publishedWith(m);
    expect(log).toHaveLength(3);
    expect(new Set(log.map((p) => p.target)).size).toBe(3);
  }, 120_000);
});

describe("5xx storms", () => {
  it("retries with backoff through a run of server errors and publishes once", async () => {
    const m = marker("storm");
    await failPosts("meta", PAGE_BAKERY, 3, "server-500");
    await failPosts("linkedin", ORG_A, 2, "unavailable-503");
    const { deliveries } = await schedulePost(w, {
      content: { text: `Through the storm ${m}` },
      targetIds: [w.target(PAGE_BAKERY).id, w.target(ORG_A).id],
    });
    const done = await Promise.all(deliveries.map((d) => settled(w, d.id, undefined, 170_000)));
    for (const d of done) expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
    expect(done[0]!.ledger.filter((e) => e.event === "error")).toHaveLength(3);
    expect(done[1]!.ledger.filter((e) => e.event === "error")).toHaveLength(2);
    expect(await publishedWith(m)).toHaveLength(2);
  }, 180_000);
});

describe("throttling", () => {
  it("moves a throttled delivery to when the window frees (queue delay or Scheduler) and publishes nothing meanwhile", async () => {
    const m = marker("throttle");
    await failPosts("meta", PAGE_BOOKS, 1, "page-throttled-80001");
    await failPosts("linkedin", ORG_B, 1, "member-daily-limit-429");
    const { deliveries } = await schedulePost(w, {
      content: { text: `Slow down ${m}` },
      targetIds: [w.target(PAGE_BOOKS).id, w.target(ORG_B).id],
    });
    const waiting = await Promise.all(
      deliveries.map((d) =>
        eventually(
          async () => {
            const x = await getDelivery(w, d.id);
            return x.ledger.some((e) => e.event === "rescheduled" || e.event === "waiting") ? x : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 250, what: "a rescheduled delivery" },
        ),
      ),
    );
    for (const d of waiting) {
      expect(d.status).toBe("RETRYING");
      // Up to 15 min stays on the queue (a delayed message); longer goes to the Scheduler.
      // The API says when, and why: no ledger text to parse.
      expect(Date.parse(d.nextAttemptAt!)).toBeGreaterThan(Date.now() + 10 * 60_000);
      expect(d.lastError).toMatchObject({ class: "rate_limited", action: "wait" });
    }
    expect(await publishedWith(m)).toHaveLength(0);
    // The person decides not to wait: cancelling ends it.
    for (const d of waiting) {
      const res = await api(`/v1/deliveries/${d.id}/cancel`, {
        method: "POST",
        token: w.token,
        headers: { "if-match": `"${d.version}"` },
      });
      expect([200, 201]).toContain(res.status);
    }
  });
});

describe("a token revoked while posts wait", () => {
  it("fails the deliveries with 'reconnect' and flags the connection NEEDS_REAUTH", async () => {
    // Users of their own, so revoking them does not disturb other tests.
    const tenant = newTenant("pubr");
    const other = { tenant, token: await adminToken(tenant) } as World;
    const metaConnection = await connectAll(other.token, "meta", "100000000000002");
    const liConnection = await connectAll(other.token, "linkedin", "Yq7Pm3sLhD");
    const targets: { id: string; externalId: string; kind: string }[] = [];
    for (const c of [metaConnection, liConnection]) {
      const res = await api(`/v1/connections/${c}/targets`, { token: other.token });
      targets.push(...((await res.json()) as { items: typeof targets }).items);
    }
    const page = targets.find((t) => t.externalId === "200000000000003")!;
    const grace = targets.find((t) => t.kind === "linkedin_member" && t.externalId.includes("Yq7Pm3sLhD"))!;
    const m = marker("revoked");
    const { deliveries } = await schedulePost(
      other,
      { content: { text: `Waiting ${m}` }, targetIds: [page.id, grace.id] },
      8_000,
    );
    expect((await sandbox("/_sandbox/meta/users/100000000000002/revoke", { json: {} })).status).toBe(200);
    expect((await sandbox("/_sandbox/linkedin/members/Yq7Pm3sLhD/revoke", { json: {} })).status).toBe(200);
    const done = await Promise.all(deliveries.map((d) => settled(other, d.id)));
    for (const d of done) {
      expect(d.status).toBe("FAILED");
      expect(d.ledger.at(-1)!.detail).toMatch(/[Rr]econnect/);
    }
    expect(await publishedWith(m)).toHaveLength(0);
    for (const c of [metaConnection, liConnection]) {
      const res = await api(`/v1/connections/${c}`, { token: other.token });
      expect(((await res.json()) as { status: string }).status).toBe("NEEDS_REAUTH");
    }
  });
});

describe("Instagram containers", () => {
  it("prepares a new container after ERROR (server) or EXPIRED, fails with the reason after ERROR (content)", async () => {
    await patchConfig({ meta: { igImageProcessingMs: 6_000 } });
    const m = marker("container");
    const ig = w.target(IG_BAKERY).id;
    const serverError = await schedulePost(w, {
      content: { text: `Server error ${m}`, media: [{ url: media("square-1080.jpg") }] },
      targetIds: [ig],
    });
    const contentError = await schedulePost(w, {
      content: { text: `Bad media ${m}`, media: [{ url: media("portrait-1080x1350.jpg") }] },
      targetIds: [ig],
    });
    const failContainer = async (deliveryId: string, subcode: number) => {
      const id = await eventually(
        async () => {
          const d = await getDelivery(w, deliveryId);
          return d.ledger.map((e) => /container (\d+) created/.exec(e.detail ?? "")?.[1]).find(Boolean);
        },
        { timeoutMs: 30_000, intervalMs: 100, what: "a container" },
      );
      expect((await sandbox(`/_sandbox/meta/containers/${id}/fail`, { json: { subcode } })).status).toBe(200);
    };
    await Promise.all([
      failContainer(serverError.deliveries[0]!.id, 2207001),
      failContainer(contentError.deliveries[0]!.id, 2207026),
    ]);
    await patchConfig({ meta: { igImageProcessingMs: 1_000 } });
    const [a, b] = await Promise.all([
      settled(w, serverError.deliveries[0]!.id),
      settled(w, contentError.deliveries[0]!.id),
    ]);
    expect(a.status, JSON.stringify(a.ledger)).toBe("PUBLISHED");
    expect(a.ledger.filter((e) => /container \d+ created/.test(e.detail ?? ""))).toHaveLength(2);
    expect(b.status).toBe("FAILED");
    expect(b.ledger.at(-1)!.detail).toMatch(/MP4/);

    const expired = marker("expired");
    await addFault({
      provider: "meta",
      path: "/media_publish$",
      target: IG_BAKERY,
      times: 1,
      fault: { kind: "error", preset: "ig-container-expired" },
    });
    const e = await schedulePost(w, {
      content: { text: `Expired ${expired}`, media: [{ url: media("square-1080.jpg") }] },
      targetIds: [ig],
    });
    const c = await settled(w, e.deliveries[0]!.id);
    expect(c.status, JSON.stringify(c.ledger)).toBe("PUBLISHED");
    expect(c.ledger.filter((x) => /container \d+ created/.test(x.detail ?? ""))).toHaveLength(2);
    expect(await publishedWith(m)).toHaveLength(1);
    expect(await publishedWith(expired)).toHaveLength(1);
  }, 120_000);
});

describe("usage-header pacing", () => {
  it("stops before the next call when Meta's usage headers say the account is at its limit", async () => {
    // An Instagram account of its own (Oskar's), so the block does not slow other tests.
    const tenant = newTenant("pubu");
    const own = { tenant, token: await adminToken(tenant) } as World;
    const connection = await connectAll(own.token, "meta", "100000000000002");
    const res = await api(`/v1/connections/${connection}/targets`, { token: own.token });
    const ig = ((await res.json()) as { items: { id: string; externalId: string }[] }).items.find(
      (t) => t.externalId === "17841400000000002",
    )!;
    // The quota read answers normally but reports the account at 100 % with access back in 3 min.
    await addFault({
      provider: "meta",
      method: "GET",
      path: "/content_publishing_limit$",
      target: ig.externalId,
      times: 1,
      fault: {
        kind: "response",
        status: 200,
        body: { data: [{ quota_usage: 0, config: { quota_total: 100, quota_duration: 86400 } }] },
        headers: {
          "content-type": "application/json",
          "x-business-use-case-usage": JSON.stringify({
            [ig.externalId]: [
              {
                type: "instagram",
                call_count: 100,
                total_cputime: 20,
                total_time: 20,
                estimated_time_to_regain_access: 3,
              },
            ],
          }),
        },
      },
    });
    const m = marker("usage");
    const { deliveries } = await schedulePost(own, {
      content: { text: `Paced ${m}`, media: [{ url: media("square-1080.jpg") }] },
      targetIds: [ig.id],
    });
    const d = await eventually(
      async () => {
        const x = await getDelivery(own, deliveries[0]!.id);
        return x.ledger.some((e) => /usage says wait/.test(e.detail ?? "")) ? x : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: "a paced delivery" },
    );
    expect(d.status).toBe("RETRYING");
    expect(Date.parse(d.nextAttemptAt!)).toBeGreaterThan(Date.now() + 60_000);
    // No container was created: the call after the usage reading never went out.
    const calls = (
      await sandbox(`/_sandbox/requests?provider=meta&path=${encodeURIComponent(`${ig.externalId}/media`)}`)
    ).body.items as unknown[];
    expect(calls).toHaveLength(0);
    expect(await publishedWith(m)).toHaveLength(0);
    const cancel = await api(`/v1/deliveries/${d.id}/cancel`, { method: "POST", token: own.token });
    expect(cancel.status).toBe(200);
  });
});
