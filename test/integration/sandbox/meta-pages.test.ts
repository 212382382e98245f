import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox } from "../../../local/sandbox/index.js";
import {
  APP,
  advance,
  BAKERY,
  BOOKS,
  control,
  expectGraphError,
  GARDEN,
  graph,
  mint,
  published,
  type Sandbox,
} from "./meta-support.js";

/** Facebook Page publishing against the sandbox: feed, photos, multi-photo, videos, comments, reads, deletes, usage. */
let sb: Sandbox;
let pageToken: string;
let userToken: string;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());
beforeEach(async () => {
  await control(sb, "POST", "/_sandbox/reset");
  const t = await mint(sb);
  pageToken = t.page_tokens[BAKERY]!;
  userToken = t.access_token;
});

const feed = (params: Record<string, string>, page = BAKERY, token = pageToken) =>
  graph(sb, "POST", `${page}/feed`, { access_token: token, ...params });

describe("POST /{page-id}/feed", () => {
  it("publishes a text post as {id: '<page>_<post>'} and records it with a permalink", async () => {
    const a = await feed({ message: "Fresh bread today" });
    expect(a.status).toBe(200);
    expect(Object.keys(a.body)).toEqual(["id"]);
    const id = a.body.id as string;
    expect(id).toMatch(new RegExp(`^${BAKERY}_\\d+$`));
    const log = await published(sb, BAKERY);
    expect(log.count).toBe(1);
    expect(log.items[0]).toMatchObject({
      provider: "meta",
      target: BAKERY,
      kind: "facebook-post",
      providerId: id,
      text: "Fresh bread today",
      permalink: `https://www.facebook.com/${BAKERY}/posts/${id.split("_")[1]}`,
    });
  });

  it("answers 506 for the same message twice in a row, not for a different one", async () => {
    expect((await feed({ message: "Same words" })).status).toBe(200);
    const dup = await feed({ message: "Same words" });
    const e = expectGraphError(dup, 506, 1455006);
    expect(e.message).toBe("(#506) Duplicate status message");
    expect((await feed({ message: "Other words" })).status).toBe(200);
    expect((await published(sb, BAKERY)).count).toBe(2);
  });

  it("allows the same message again once the duplicate window has passed", async () => {
    await feed({ message: "Weekly special" });
    await advance(sb, 61 * 60_000);
    expect((await feed({ message: "Weekly special" })).status).toBe(200);
  });

  it("schedules with published=false inside the window and refuses the rest", async () => {
    const inAnHour = String(Math.floor(Date.now() / 1000) + 3_600);
    const ok = await feed({ message: "Later", published: "false", scheduled_publish_time: inAnHour });
    expect(ok.status).toBe(200);
    const e1 = expectGraphError(await feed({ message: "x", scheduled_publish_time: inAnHour }), 100);
    expect(e1.message).toBe("(#100) You cannot specify a scheduled publish time on a published post");
    const tooFar = String(Math.floor(Date.now() / 1000) + 31 * 86_400);
    const e2 = expectGraphError(
      await feed({ message: "y", published: "false", scheduled_publish_time: tooFar }),
      100,
    );
    expect(e2.message).toBe("(#100) The specified scheduled publish time is invalid.");
    const tooSoon = String(Math.floor(Date.now() / 1000) + 60);
    expectGraphError(await feed({ message: "z", published: "false", scheduled_publish_time: tooSoon }), 100);
    // The scheduled post is not on the feed until its time comes on the sandbox clock.
    const before = await graph(sb, "GET", `${BAKERY}/feed`, { access_token: pageToken });
    expect(before.body.data).toEqual([]);
    await advance(sb, 2 * 3_600_000);
    const after = await graph(sb, "GET", `${BAKERY}/feed`, { access_token: pageToken });
    expect((after.body.data as { message: string }[]).map((p) => p.message)).toEqual(["Later"]);
  });

  it("the scheduling ceiling is configurable", async () => {
    await control(sb, "PUT", "/_sandbox/config", { meta: { scheduledPublishMaxDays: 75 } });
    const in60Days = String(Math.floor(Date.now() / 1000) + 60 * 86_400);
    expect(
      (await feed({ message: "far", published: "false", scheduled_publish_time: in60Days })).status,
    ).toBe(200);
  });

  it("needs a Page token of that Page with pages_manage_posts", async () => {
    expectGraphError(await feed({ message: "as user" }, BAKERY, userToken), 200);
    expectGraphError(await feed({ message: "other page" }, BOOKS), 200);
    const other = await mint(sb, { userId: "100000000000002" });
    expectGraphError(await feed({ message: "x" }, BAKERY, other.page_tokens[GARDEN]!), 200);
  });

  it("refuses an empty post", async () => {
    expectGraphError(await feed({}), 100);
  });
});

describe("photos, multi-photo and videos", () => {
  it("a published photo answers {id, post_id}; published=false answers {id} only", async () => {
    const url = `${sb.url}/media/square-1080.jpg`;
    const pub = await graph(sb, "POST", `${BAKERY}/photos`, {
      access_token: pageToken,
      url,
      caption: "Cake",
    });
    expect(pub.status).toBe(200);
    expect(Object.keys(pub.body).sort()).toEqual(["id", "post_id"]);
    expect(pub.body.post_id).toMatch(new RegExp(`^${BAKERY}_\\d+$`));
    const unpub = await graph(sb, "POST", `${BAKERY}/photos`, {
      access_token: pageToken,
      url,
      published: "false",
    });
    expect(Object.keys(unpub.body)).toEqual(["id"]);
    expect((await published(sb, BAKERY)).items.map((i) => i.kind)).toEqual(["facebook-photo"]);
  });

  it("refuses a photo over 4 MB or in a wrong format with 1366046, and a missing one with 324", async () => {
    const big = `${sb.url}/media/large.jpg?bytes=${5 * 1024 * 1024}`;
    const e = expectGraphError(
      await graph(sb, "POST", `${BAKERY}/photos`, { access_token: pageToken, url: big }),
      100,
      1366046,
    );
    expect(e.error_user_title).toBe("Can't Read Files");
    const pdf = `${sb.url}/media/sample.pdf`;
    expectGraphError(
      await graph(sb, "POST", `${BAKERY}/photos`, { access_token: pageToken, url: pdf }),
      100,
      1366046,
    );
    const missing = `${sb.url}/media/nope.jpg`;
    expectGraphError(
      await graph(sb, "POST", `${BAKERY}/photos`, { access_token: pageToken, url: missing }),
      324,
    );
    expect((await published(sb)).count).toBe(0);
  });

  it("publishes a multi-photo post from unpublished photos via attached_media, once", async () => {
    const ids: string[] = [];
    for (const name of ["square-1080.jpg", "portrait-1080x1350.jpg"]) {
      const a = await graph(sb, "POST", `${BAKERY}/photos`, {
        access_token: pageToken,
        url: `${sb.url}/media/${name}`,
        published: "false",
      });
      ids.push(a.body.id as string);
    }
    const post = await feed({
      message: "Two photos",
      attached_media: JSON.stringify(ids.map((media_fbid) => ({ media_fbid }))),
      fields: "id,permalink_url",
    });
    expect(post.status).toBe(200);
    expect(post.body.permalink_url).toBe(
      `https://www.facebook.com/${BAKERY}/posts/${(post.body.id as string).split("_")[1]}`,
    );
    const log = await published(sb, BAKERY);
    expect(log.count).toBe(1);
    expect(log.items[0]!.media).toEqual(ids);
    // Form-style attached_media[i] works too, but a photo cannot be posted twice.
    const again = await feed({
      message: "Again",
      "attached_media[0]": JSON.stringify({ media_fbid: ids[0] }),
    });
    expectGraphError(again, 100, 1366051);
  });

  it("videos answer {id}; status goes from processing to ready on the sandbox clock", async () => {
    const v = await graph(sb, "POST", `${BAKERY}/videos`, {
      access_token: pageToken,
      file_url: `${sb.url}/media/sample.mp4`,
      description: "Kneading",
    });
    expect(Object.keys(v.body)).toEqual(["id"]);
    const status = async () =>
      (await graph(sb, "GET", v.body.id as string, { access_token: pageToken, fields: "status" })).body as {
        id: string;
        status: { video_status: string };
      };
    const first = await status();
    expect(first.id).toBe(v.body.id);
    expect(first.status.video_status).toBe("processing");
    await advance(sb, 10_001);
    expect((await status()).status).toMatchObject({
      video_status: "ready",
      processing_phase: { status: "complete" },
    });
    const bad = await graph(sb, "POST", `${BAKERY}/videos`, {
      access_token: pageToken,
      file_url: `${sb.url}/media/square-1080.jpg`,
    });
    expectGraphError(bad, 352);
    const missing = await graph(sb, "POST", `${BAKERY}/videos`, {
      access_token: pageToken,
      file_url: `${sb.url}/media/none.mp4`,
    });
    expectGraphError(missing, 389);
  });
});

describe("reading, commenting, deleting", () => {
  it("GET /{page}/feed and /posts list recent posts with message, created_time and permalink_url", async () => {
    await feed({ message: "first" });
    await advance(sb, 1_000);
    const second = await feed({ message: "second" });
    for (const edge of ["feed", "posts"]) {
      const a = await graph(sb, "GET", `${BAKERY}/${edge}`, {
        access_token: pageToken,
        fields: "id,message,created_time,permalink_url",
        limit: "10",
      });
      expect(a.status).toBe(200);
      const data = a.body.data as Record<string, string>[];
      expect(data.map((p) => p.message)).toEqual(["second", "first"]);
      expect(data[0]!.id).toBe(second.body.id);
      expect(data[0]!.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      expect(data[0]!.permalink_url).toMatch(/^https:\/\/www\.facebook\.com\/\d+\/posts\/\d+$/);
    }
  });

  it("another user's tokens cannot read the Page's feed", async () => {
    await feed({ message: "private to the Page's admins" });
    const oskar = await mint(sb, { userId: "100000000000002" });
    const a = await graph(sb, "GET", `${BAKERY}/feed`, { access_token: oskar.access_token });
    expectGraphError(a, 100, 33);
    expect((await graph(sb, "GET", `${BAKERY}/feed`, { access_token: userToken })).status).toBe(200);
  });

  it("GET /{post-id}?fields=permalink_url, then DELETE answers {success:true} and the post is gone", async () => {
    const id = (await feed({ message: "to delete" })).body.id as string;
    const got = await graph(sb, "GET", id, { access_token: pageToken, fields: "permalink_url" });
    expect(got.body).toEqual({ permalink_url: expect.stringContaining("/posts/"), id });
    expect((await graph(sb, "DELETE", id, { access_token: pageToken })).body).toEqual({ success: true });
    const gone = expectGraphError(await graph(sb, "GET", id, { access_token: pageToken }), 100, 33);
    expect(gone.type).toBe("GraphMethodException");
  });

  it("comments on a post as the Page", async () => {
    const id = (await feed({ message: "comment me" })).body.id as string;
    const c = await graph(sb, "POST", `${id}/comments`, { access_token: pageToken, message: "First!" });
    expect(c.status).toBe(200);
    expect(Object.keys(c.body)).toEqual(["id"]);
    expect(c.body.id).toMatch(new RegExp(`^${id.split("_")[1]}_\\d+$`));
    const log = await published(sb, BAKERY);
    expect(log.items.at(-1)).toMatchObject({ kind: "facebook-comment", text: "First!" });
  });

  it("subscribes the app to Page webhooks fields, lists and removes the subscription", async () => {
    const sub = await graph(sb, "POST", `${BAKERY}/subscribed_apps`, {
      access_token: pageToken,
      subscribed_fields: "feed,messages",
    });
    expect(sub.body).toEqual({ success: true });
    const list = await graph(sb, "GET", `${BAKERY}/subscribed_apps`, { access_token: pageToken });
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: APP.appId, name: APP.appName, subscribed_fields: ["feed", "messages"] }),
    ]);
    expectGraphError(await graph(sb, "POST", `${BAKERY}/subscribed_apps`, { access_token: pageToken }), 100);
    expect(
      (await graph(sb, "DELETE", `${BAKERY}/subscribed_apps`, { access_token: pageToken })).body,
    ).toEqual({
      success: true,
    });
    expect(
      (await graph(sb, "GET", `${BAKERY}/subscribed_apps`, { access_token: pageToken })).body.data,
    ).toEqual([]);
  });

  it("an unknown path answers Graph's unknown-path error", async () => {
    expectGraphError(await graph(sb, "GET", "nope/edge/x", { access_token: pageToken }), 2500);
  });
});

describe("usage headers", () => {
  it("Page tokens get X-Business-Use-Case-Usage keyed by the Page; user tokens get X-App-Usage", async () => {
    await control(sb, "PUT", "/_sandbox/config", {
      meta: { bucCallBudgetPerHour: 10, appCallBudgetPerHour: 10 },
    });
    await feed({ message: "one" });
    const a = await feed({ message: "two" });
    const buc = JSON.parse(a.headers.get("x-business-use-case-usage")!);
    expect(buc).toEqual({
      [BAKERY]: [
        {
          type: "pages",
          call_count: 20,
          total_cputime: 10,
          total_time: 10,
          estimated_time_to_regain_access: 0,
        },
      ],
    });
    expect(a.headers.get("x-app-usage")).toBeNull();
    const me = await graph(sb, "GET", "me", { access_token: userToken });
    expect(JSON.parse(me.headers.get("x-app-usage")!)).toEqual({
      call_count: 10,
      total_cputime: 5,
      total_time: 5,
    });
  });

  it("enforced: over 100 % a Page token gets 80001 and the regain estimate; user tokens get code 4", async () => {
    await control(sb, "PUT", "/_sandbox/config", {
      meta: { bucCallBudgetPerHour: 2, appCallBudgetPerHour: 1, enforceUsageLimits: true },
    });
    expect((await feed({ message: "a" })).status).toBe(200);
    expect((await feed({ message: "b" })).status).toBe(200);
    expect((await feed({ message: "c" })).status).toBe(200);
    const throttled = await feed({ message: "d" });
    const e = expectGraphError(throttled, 80001);
    expect(e.message).toMatch(
      /^\(#80001\) There have been too many calls to this Page account\. Wait a bit and try again\./,
    );
    const buc = JSON.parse(throttled.headers.get("x-business-use-case-usage")!)[BAKERY][0];
    expect(buc.call_count).toBeGreaterThan(100);
    expect(buc.estimated_time_to_regain_access).toBeGreaterThan(0);
    expect((await published(sb, BAKERY)).count).toBe(3);
    // An hour later on the sandbox clock the budget is free again.
    await advance(sb, 3_600_001);
    expect((await feed({ message: "e" })).status).toBe(200);
    expect((await graph(sb, "GET", "me", { access_token: userToken })).status).toBe(200);
    expect((await graph(sb, "GET", "me", { access_token: userToken })).status).toBe(200);
    expectGraphError(await graph(sb, "GET", "me", { access_token: userToken }), 4);
  });
});
