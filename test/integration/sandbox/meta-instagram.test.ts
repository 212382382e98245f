import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox } from "../../../local/sandbox/index.js";
import {
  advance,
  BAKERY,
  BAKERY_IG,
  control,
  expectGraphError,
  GARDEN_IG,
  graph,
  mint,
  published,
  type Sandbox,
} from "./meta-support.js";

/** Instagram content publishing against the sandbox: containers, status, publish, quota, rules. */
let sb: Sandbox;
let token: string;
let pageToken: string;
const img = (name = "square-1080.jpg") => `${sb.url}/media/${name}`;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());
beforeEach(async () => {
  await control(sb, "POST", "/_sandbox/reset");
  const t = await mint(sb);
  token = t.access_token;
  pageToken = t.page_tokens[BAKERY]!;
});

const container = (params: Record<string, string>, ig = BAKERY_IG) =>
  graph(sb, "POST", `${ig}/media`, { access_token: token, ...params });
const status = async (id: string) =>
  (await graph(sb, "GET", id, { access_token: token, fields: "status_code,status" })).body as {
    id: string;
    status_code: string;
    status: string;
  };
const publish = (id: string) =>
  graph(sb, "POST", `${BAKERY_IG}/media_publish`, { access_token: token, creation_id: id });
const ready = async (params: Record<string, string> = { image_url: img(), caption: "Hello" }) => {
  const c = await container(params);
  expect(c.status).toBe(200);
  await advance(sb, 2_001);
  return c.body.id as string;
};

describe("containers and publishing", () => {
  it("creates a container {id}, IN_PROGRESS then FINISHED on the sandbox clock", async () => {
    const c = await container({ image_url: img(), caption: "Croissants #bakery" });
    expect(c.status).toBe(200);
    expect(Object.keys(c.body)).toEqual(["id"]);
    const id = c.body.id as string;
    expect(await status(id)).toEqual({ id, status_code: "IN_PROGRESS", status: "In progress" });
    await advance(sb, 2_001);
    expect(await status(id)).toEqual({ id, status_code: "FINISHED", status: "Finished" });
  });

  it("media_publish before FINISHED answers 9007/2207027 in the reference envelope", async () => {
    const id = (await container({ image_url: img() })).body.id as string;
    const a = await publish(id);
    const e = expectGraphError(a, 9007, 2207027);
    expect(e).toMatchObject({
      message: "Media ID is not available",
      type: "OAuthException",
      is_transient: false,
      error_user_title: "Media not ready for publishing",
      error_user_msg: "The media is not ready for publishing, please wait for a moment",
    });
    expect((await published(sb)).count).toBe(0);
  });

  it("publishes a FINISHED container: {id}, permalink, PUBLISHED status, recorded once; a second publish is refused", async () => {
    const id = await ready();
    const a = await publish(id);
    expect(a.status).toBe(200);
    expect(Object.keys(a.body)).toEqual(["id"]);
    const mediaId = a.body.id as string;
    const media = await graph(sb, "GET", mediaId, {
      access_token: token,
      fields: "id,permalink,media_type,caption,timestamp",
    });
    expect(media.body).toMatchObject({ id: mediaId, media_type: "IMAGE", caption: "Hello" });
    expect(media.body.permalink).toMatch(/^https:\/\/www\.instagram\.com\/p\/[\w-]{11}\/$/);
    expect((await status(id)).status_code).toBe("PUBLISHED");
    const log = await published(sb, BAKERY_IG);
    expect(log.count).toBe(1);
    expect(log.items[0]).toMatchObject({
      kind: "instagram-image",
      providerId: mediaId,
      permalink: media.body.permalink,
    });
    const again = await publish(id);
    expectGraphError(again, 100);
    expect((await published(sb, BAKERY_IG)).count).toBe(1);
    const list = await graph(sb, "GET", `${BAKERY_IG}/media`, {
      access_token: token,
      fields: "id,permalink,caption",
    });
    expect(list.body.data).toEqual([{ id: mediaId, permalink: media.body.permalink, caption: "Hello" }]);
  });

  it("works with the linked Page's token too, and refuses another user's IG account", async () => {
    const c = await graph(sb, "POST", `${BAKERY_IG}/media`, { access_token: pageToken, image_url: img() });
    expect(c.status).toBe(200);
    expectGraphError(await container({ image_url: img() }, GARDEN_IG), 100, 33);
  });

  it("over the configured 24 h quota answers 9/2207042, and content_publishing_limit reports the usage", async () => {
    await control(sb, "PUT", "/_sandbox/config", { meta: { igPublishQuota: 2 } });
    for (let i = 0; i < 2; i++)
      expect((await publish(await ready({ image_url: img(), caption: `n${i}` }))).status).toBe(200);
    const third = await ready({ image_url: img(), caption: "n3" });
    const e = expectGraphError(await publish(third), 9, 2207042);
    expect(e.error_user_title).toBe("Reached publishing limit");
    const limit = await graph(sb, "GET", `${BAKERY_IG}/content_publishing_limit`, {
      access_token: token,
      fields: "quota_usage,config",
    });
    expect(limit.status).toBe(200);
    expect(limit.body).toEqual({
      data: [{ quota_usage: 2, config: { quota_total: 2, quota_duration: 86400 } }],
    });
    expect((await published(sb, BAKERY_IG)).count).toBe(2);
    // The window moves: 24 h later the usage is back to 0 and a new container publishes.
    await advance(sb, 86_400_000);
    const usage = await graph(sb, "GET", `${BAKERY_IG}/content_publishing_limit`, {
      access_token: token,
      fields: "quota_usage",
    });
    expect(usage.body).toEqual({ data: [{ quota_usage: 0 }] });
    expect((await publish(await ready({ image_url: img(), caption: "next day" }))).status).toBe(200);
  });

  it("the default quota is 100", async () => {
    const limit = await graph(sb, "GET", `${BAKERY_IG}/content_publishing_limit`, {
      access_token: token,
      fields: "config",
    });
    expect(limit.body).toEqual({ data: [{ config: { quota_total: 100, quota_duration: 86400 } }] });
  });

  it("a failed container reports ERROR with the sentence form; publishing it is refused", async () => {
    const id = (await container({ image_url: img() })).body.id as string;
    await control(sb, "POST", `/_sandbox/meta/containers/${id}/fail`, { subcode: 2207026 });
    expect(await status(id)).toEqual({
      id,
      status_code: "ERROR",
      status: "Error: Media upload has failed with error code 2207026",
    });
    expectGraphError(await publish(id), 9007, 2207027);
  });

  it("an unpublished container EXPIRES after 24 h and cannot be published", async () => {
    const id = await ready();
    await advance(sb, 86_400_000);
    expect((await status(id)).status_code).toBe("EXPIRED");
    expectGraphError(await publish(id), -2, 2207020);
  });

  it("reels: video_url + REELS, processing takes longer; a non-video ends in ERROR 2207026", async () => {
    const reel = await container({
      media_type: "REELS",
      video_url: `${sb.url}/media/sample.mp4`,
      share_to_feed: "true",
    });
    const id = reel.body.id as string;
    await advance(sb, 2_001);
    expect((await status(id)).status_code).toBe("IN_PROGRESS");
    await advance(sb, 30_000);
    expect((await status(id)).status_code).toBe("FINISHED");
    const mediaId = (await publish(id)).body.id as string;
    const media = await graph(sb, "GET", mediaId, {
      access_token: token,
      fields: "permalink,media_product_type",
    });
    expect(media.body.permalink).toMatch(/^https:\/\/www\.instagram\.com\/reel\//);
    expect(media.body.media_product_type).toBe("REELS");
    const notVideo = await container({ media_type: "REELS", video_url: img() });
    await advance(sb, 30_001);
    expect((await status(notVideo.body.id as string)).status).toBe(
      "Error: Media upload has failed with error code 2207026",
    );
  });

  it("resumable reels: {id, uri}, bytes POSTed to rupload, then processing on the sandbox clock", async () => {
    const c = await container({ media_type: "REELS", upload_type: "resumable", caption: "Uploaded" });
    expect(Object.keys(c.body).sort()).toEqual(["id", "uri"]);
    const id = c.body.id as string;
    expect(c.body.uri).toBe(`${sb.url}/meta/rupload/ig-api-upload/v25.0/${id}`);
    await advance(sb, 60_000);
    expect((await status(id)).status_code).toBe("IN_PROGRESS");
    expectGraphError(await publish(id), 9007, 2207027);
    const video = Buffer.from(await (await fetch(`${sb.url}/media/sample.mp4`)).arrayBuffer());
    const upload = (headers: Record<string, string>) =>
      fetch(c.body.uri as string, { method: "POST", headers, body: video });
    const denied = await upload({
      authorization: "OAuth nope",
      offset: "0",
      file_size: String(video.length),
    });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ debug_info: { retriable: false, type: "OAuthException" } });
    const done = await upload({
      authorization: `OAuth ${token}`,
      offset: "0",
      file_size: String(video.length),
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ success: true, message: "Upload successful." });
    expect((await status(id)).status_code).toBe("IN_PROGRESS");
    await advance(sb, 30_001);
    expect((await status(id)).status_code).toBe("FINISHED");
    expect((await publish(id)).status).toBe(200);
  });

  it("stories accept 9:16 images", async () => {
    const c = await container({ media_type: "STORIES", image_url: img("story-1080x1920.jpg") });
    expect(c.status).toBe(200);
  });
});

describe("carousels", () => {
  const child = async (name = "square-1080.jpg") =>
    (await container({ image_url: img(name), is_carousel_item: "true" })).body.id as string;

  it("publishes 2–10 children as one post that counts once against the quota", async () => {
    const children = [await child(), await child("portrait-1080x1350.jpg")];
    const parent = await container({ media_type: "CAROUSEL", children: children.join(","), caption: "Two" });
    expect(parent.status).toBe(200);
    await advance(sb, 2_001);
    const mediaId = (await publish(parent.body.id as string)).body.id as string;
    const media = await graph(sb, "GET", mediaId, { access_token: token, fields: "media_type" });
    expect(media.body.media_type).toBe("CAROUSEL_ALBUM");
    const usage = await graph(sb, "GET", `${BAKERY_IG}/content_publishing_limit`, {
      access_token: token,
      fields: "quota_usage",
    });
    expect(usage.body).toEqual({ data: [{ quota_usage: 1 }] });
    expect((await published(sb, BAKERY_IG)).items.map((i) => i.kind)).toEqual(["instagram-carousel"]);
  });

  it("refuses 1 or 11 children with 100/2207028, reels inside, and VIDEO as a single post", async () => {
    const one = await child();
    expectGraphError(await container({ media_type: "CAROUSEL", children: one }), 100, 2207028);
    const many = Array.from({ length: 11 }, () => one).join(",");
    expectGraphError(await container({ media_type: "CAROUSEL", children: many }), 100, 2207028);
    const reelChild = await container({
      media_type: "REELS",
      video_url: `${sb.url}/media/sample.mp4`,
      is_carousel_item: "true",
    });
    expectGraphError(reelChild, 100, 2207023);
    expectGraphError(
      await container({ media_type: "VIDEO", video_url: `${sb.url}/media/sample.mp4` }),
      100,
      2207023,
    );
    const videoChild = await container({
      media_type: "VIDEO",
      video_url: `${sb.url}/media/sample.mp4`,
      is_carousel_item: "true",
    });
    expect(videoChild.status).toBe(200);
  });
});

describe("media and caption rules (Meta fetches the media)", () => {
  it("caption over 2,200 chars, 31 hashtags or 21 mentions answers 36004/2207010", async () => {
    expectGraphError(await container({ image_url: img(), caption: "a".repeat(2_201) }), 36004, 2207010);
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(" ");
    expectGraphError(await container({ image_url: img(), caption: tags }), 36004, 2207010);
    const mentions = Array.from({ length: 21 }, (_, i) => `@u${i}`).join(" ");
    expectGraphError(await container({ image_url: img(), caption: mentions }), 36004, 2207010);
    expect((await container({ image_url: img(), caption: "a".repeat(2_200) })).status).toBe(200);
  });

  it("an image over 8 MiB answers 36000/2207004 exactly as the reference sample", async () => {
    const e = expectGraphError(await container({ image_url: img("large-9mb.jpg") }), 36000, 2207004);
    expect(e).toMatchObject({
      message: "The image size is too large.",
      type: "OAuthException",
      is_transient: false,
      error_user_title: "Image size too large",
      error_user_msg: "The image is too large to download. It should be less than 8 MiB.",
    });
  });

  it("a PNG answers 36001/2207005; an aspect outside 4:5..1.91:1 answers 36003/2207009", async () => {
    expectGraphError(await container({ image_url: img("image-640x480.png") }), 36001, 2207005);
    const e = expectGraphError(await container({ image_url: img("wide-2000x800.jpg") }), 36003, 2207009);
    expect(e.message).toContain("2000/800");
    expectGraphError(await container({ image_url: img("story-1080x1920.jpg") }), 36003, 2207009);
    expect((await container({ image_url: img("portrait-1080x1350.jpg") })).status).toBe(200);
    expect((await container({ image_url: img("landscape-1920x1080.jpg") })).status).toBe(200);
  });

  it("an unreachable media URL answers 9004/2207052", async () => {
    expectGraphError(await container({ image_url: `${sb.url}/media/missing.jpg` }), 9004, 2207052);
    expectGraphError(await container({ image_url: "http://127.0.0.1:9/x.jpg" }), 9004, 2207052);
  });

  it("needs instagram_content_publish (code 10)", async () => {
    const weak = await mint(sb, { scopes: ["pages_show_list", "instagram_basic"] });
    expectGraphError(
      await graph(sb, "POST", `${BAKERY_IG}/media`, { access_token: weak.access_token, image_url: img() }),
      10,
    );
  });
});

describe("profile, comments, usage", () => {
  it("reads the IG profile with the requested fields", async () => {
    const a = await graph(sb, "GET", BAKERY_IG, {
      access_token: token,
      fields: "id,username,name,profile_picture_url,followers_count,media_count",
    });
    expect(a.body).toEqual({
      id: BAKERY_IG,
      username: "herald.sandbox.bakery",
      name: "Herald Sandbox Bakery",
      profile_picture_url: `${sb.url}/media/square-1080.jpg`,
      followers_count: 1234,
      media_count: 0,
    });
  });

  it("comments on a published media {id} and reports instagram usage keyed by the IG account", async () => {
    const mediaId = (await publish(await ready())).body.id as string;
    const c = await graph(sb, "POST", `${mediaId}/comments`, { access_token: token, message: "Yum" });
    expect(Object.keys(c.body)).toEqual(["id"]);
    const buc = JSON.parse(c.headers.get("x-business-use-case-usage")!);
    expect(Object.keys(buc)).toEqual([BAKERY_IG]);
    expect(buc[BAKERY_IG][0].type).toBe("instagram");
    expect((await published(sb, BAKERY_IG)).items.at(-1)).toMatchObject({
      kind: "instagram-comment",
      text: "Yum",
    });
  });

  it("enforced usage on an IG account answers 80002", async () => {
    await control(sb, "PUT", "/_sandbox/config", {
      meta: { bucCallBudgetPerHour: 1, enforceUsageLimits: true },
    });
    await graph(sb, "GET", BAKERY_IG, { access_token: token });
    await graph(sb, "GET", BAKERY_IG, { access_token: token });
    const e = expectGraphError(await graph(sb, "GET", BAKERY_IG, { access_token: token }), 80002);
    expect(e.message).toMatch(/^\(#80002\) There have been too many calls to this Instagram account\./);
  });
});
