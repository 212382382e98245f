import { describe, expect, it } from "vitest";
import {
  ADA,
  ADA_URN,
  control,
  createPost,
  GRACE,
  mintToken,
  ORG_ADMIN,
  ORG_ANALYST,
  rest,
  type Sandbox,
  sampleBytes,
  uploadAsset,
  useLinkedInSandbox,
} from "./linkedin-support.js";

/**
 * The Posts API on the sandbox (providers.md B5, B7, B8): 201 + x-restli-id, read and delete
 * by encoded URN, authors, little-text truncation, the 3,000-character limit, content variants,
 * DUPLICATE_POST naming the first post, daily limits resetting at midnight UTC, comments, and
 * the publication log.
 */

let sb: Sandbox;
let token: string;
useLinkedInSandbox({
  started: (running) => {
    sb = running;
  },
  afterReset: async (running) => {
    token = await mintToken(running);
  },
});

interface Published {
  count: number;
  items: {
    target: string;
    kind: string;
    providerId: string;
    text?: string;
    permalink?: string;
    media?: string[];
  }[];
}
const published = async (target?: string): Promise<Published> =>
  (await (
    await fetch(
      `${sb.url}/_sandbox/published?provider=linkedin${target ? `&target=${encodeURIComponent(target)}` : ""}`,
    )
  ).json()) as Published;

async function postText(commentary: string, extra: Record<string, unknown> = {}) {
  const res = await createPost(sb, token, { commentary, ...extra });
  expect(res.status).toBe(201);
  return res.headers.get("x-restli-id") as string;
}

const getPost = async (urn: string) => rest(sb, `/rest/posts/${encodeURIComponent(urn)}`, { token });

describe("create, read, delete", () => {
  it("201 with an empty body and x-restli-id: urn:li:share:…, recorded once in the publication log", async () => {
    const res = await createPost(sb, token, { commentary: "Hello from the sandbox" });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe("");
    const urn = res.headers.get("x-restli-id") as string;
    expect(urn).toMatch(/^urn:li:share:\d{19}$/);
    expect(res.headers.get("x-restli-protocol-version")).toBe("2.0.0");
    const log = await published(ADA_URN);
    expect(log.count).toBe(1);
    expect(log.items[0]).toMatchObject({
      target: ADA_URN,
      kind: "post",
      providerId: urn,
      text: "Hello from the sandbox",
      permalink: `https://www.linkedin.com/feed/update/${urn}/`,
    });
  });

  it("GET /rest/posts/{encoded-urn} reads it; DELETE → 204; then 404", async () => {
    const urn = await postText("read me");
    const got = await getPost(urn);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({
      id: urn,
      author: ADA_URN,
      commentary: "read me",
      visibility: "PUBLIC",
      lifecycleState: "PUBLISHED",
      isReshareDisabledByAuthor: false,
    });
    const del = await rest(sb, `/rest/posts/${encodeURIComponent(urn)}`, { token, method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await getPost(urn)).status).toBe(404);
  });

  it("GET /rest/posts?q=author lists the author's posts, newest first (needs a read scope)", async () => {
    const a = await postText("older");
    await control(sb, "/_sandbox/clock", { advanceMs: 1_000 });
    const b = await postText("newer");
    const q = `/rest/posts?q=author&author=${encodeURIComponent(ADA_URN)}&count=10`;
    expect((await rest(sb, q, { token })).status).toBe(403);
    const reader = await mintToken(sb, ADA.sub, ["w_member_social", "r_member_social"]);
    const res = await rest(sb, q, { token: reader });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { elements: { id: string }[]; paging: { total: number } };
    expect(body.elements.map((e) => e.id)).toEqual([b, a]);
    expect(body.paging.total).toBe(2);
  });

  it("PARTIAL_UPDATE edits the commentary", async () => {
    const urn = await postText("before");
    const res = await rest(sb, `/rest/posts/${encodeURIComponent(urn)}`, {
      token,
      body: { patch: { $set: { commentary: "after" } } },
      headers: { "x-restli-method": "PARTIAL_UPDATE" },
    });
    expect(res.status).toBe(204);
    expect(await (await getPost(urn)).json()).toMatchObject({ commentary: "after" });
  });

  it("an organisation the member administers may author; an ANALYST-only org or another member → 403", async () => {
    expect((await createPost(sb, token, { commentary: "as the org", author: ORG_ADMIN })).status).toBe(201);
    for (const author of [ORG_ANALYST, `urn:li:person:${GRACE.sub}`]) {
      const res = await createPost(sb, token, { commentary: "not mine", author });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        status: 403,
        serviceErrorCode: 100,
        code: "ACCESS_DENIED",
        message: "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260101",
      });
    }
    expect((await published(ORG_ADMIN)).count).toBe(1);
    expect((await published(ORG_ANALYST)).count).toBe(0);
  });

  it("losing the ADMINISTRATOR role (acls control) makes org posts 403", async () => {
    const res = await control(
      sb,
      "/_sandbox/linkedin/acls",
      { member: ADA.sub, organization: 2414183, role: "ADMINISTRATOR", state: "REVOKED" },
      "PUT",
    );
    expect(res.status).toBe(200);
    expect((await createPost(sb, token, { commentary: "gone", author: ORG_ADMIN })).status).toBe(403);
  });

  it("posting as an org needs w_organization_social", async () => {
    const memberOnly = await mintToken(sb, ADA.sub, ["openid", "profile", "w_member_social"]);
    const res = await createPost(sb, memberOnly, { commentary: "org", author: ORG_ADMIN });
    expect(res.status).toBe(403);
  });

  it("a missing required field → 422 in the Rest.li validation shape", async () => {
    const res = await createPost(sb, token, { commentary: "x", visibility: undefined });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      errorDetailType: "com.linkedin.common.error.BadRequest",
      status: 422,
      errorDetails: { inputErrors: [{ code: "FIELD_VALUE_MISSING" }] },
    });
  });
});

describe("little text", () => {
  it.each([
    ["Launch day (finally)!", "Launch day "],
    ["Save 20% now #sale", "Save 20% now "],
    ["snake_case is cut", "snake"],
    ["email me at a@b.c", "email me at a"],
    ["pipes | too", "pipes "],
  ])("unescaped reserved characters cut %j at the first one", async (input, kept) => {
    const urn = await postText(input);
    expect(await (await getPost(urn)).json()).toMatchObject({ commentary: kept });
    const log = await published(ADA_URN);
    expect(log.items.at(-1)).toMatchObject({ providerId: urn, text: kept });
  });

  it("escaped characters are kept (unescaped in the text readers see)", async () => {
    const urn = await postText("Launch day \\(finally\\) 50% off \\#sale \\@team a\\_b \\\\o/");
    const log = await published(ADA_URN);
    expect(log.items.at(-1)).toMatchObject({
      providerId: urn,
      text: "Launch day (finally) 50% off #sale @team a_b \\o/",
    });
  });

  it("mention and hashtag templates pass through", async () => {
    const input = "Thanks @[Herald Demo Co](urn:li:organization:2414183) for {hashtag|\\#|launch} day";
    const urn = await postText(input);
    expect(await (await getPost(urn)).json()).toMatchObject({ commentary: input });
    const log = await published(ADA_URN);
    expect(log.items.at(-1)?.text).toBe("Thanks Herald Demo Co for #launch day");
  });

  it("commentary over 3,000 characters → 422; exactly 3,000 is fine", async () => {
    expect((await createPost(sb, token, { commentary: "a".repeat(3_000) })).status).toBe(201);
    const res = await createPost(sb, token, { commentary: "b".repeat(3_001) });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      status: 422,
      errorDetails: { inputErrors: [{ code: "MAX_LENGTH_EXCEEDED" }] },
    });
  });
});

describe("duplicates", () => {
  it("two identical posts in a row: the second gets 422 DUPLICATE_POST naming the first", async () => {
    const first = await postText("Same words twice");
    const res = await createPost(sb, token, { commentary: "Same words twice" });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      errorDetailType: "com.linkedin.common.error.BadRequest",
      message: `com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of ${first}`,
      errorDetails: {
        inputErrors: [{ description: "Duplicate post is detected", input: {}, code: "DUPLICATE_POST" }],
      },
      status: 422,
    });
    expect((await published(ADA_URN)).count).toBe(1);
  });

  it("another author, other text, or after duplicateWindowMinutes is not a duplicate", async () => {
    await postText("window");
    expect((await createPost(sb, token, { commentary: "window", author: ORG_ADMIN })).status).toBe(201);
    expect((await createPost(sb, token, { commentary: "window 2" })).status).toBe(201);
    await control(sb, "/_sandbox/clock", { advanceMs: 61 * 60_000 });
    expect((await createPost(sb, token, { commentary: "window" })).status).toBe(201);
  });
});

describe("daily limits (midnight UTC on the sandbox clock)", () => {
  it("member limit → 429, then allowed again after midnight UTC", async () => {
    await control(sb, "/_sandbox/clock", { set: "2026-03-10T22:00:00Z" });
    await control(sb, "/_sandbox/config", { linkedin: { memberDailyPostLimit: 2 } }, "PUT");
    await postText("one");
    await postText("two");
    const res = await createPost(sb, token, { commentary: "three" });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      message: "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
      status: 429,
    });
    await control(sb, "/_sandbox/clock", { set: "2026-03-10T23:59:00Z" });
    expect((await createPost(sb, token, { commentary: "three" })).status).toBe(429);
    await control(sb, "/_sandbox/clock", { set: "2026-03-11T00:00:30Z" });
    expect((await createPost(sb, token, { commentary: "three" })).status).toBe(201);
  });

  it("application limit → 429 APPLICATION DAY body, reset at midnight UTC", async () => {
    await control(sb, "/_sandbox/clock", { set: "2026-03-10T12:00:00Z" });
    await control(sb, "/_sandbox/config", { linkedin: { applicationDailyLimit: 1 } }, "PUT");
    const other = await mintToken(sb, GRACE.sub);
    await postText("app one");
    const res = await createPost(sb, other, { commentary: "app two", author: `urn:li:person:${GRACE.sub}` });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      message: "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
      status: 429,
    });
    await control(sb, "/_sandbox/clock", { set: "2026-03-11T00:00:01Z" });
    expect(
      (await createPost(sb, other, { commentary: "app two", author: `urn:li:person:${GRACE.sub}` })).status,
    ).toBe(201);
  });
});

describe("content", () => {
  it("single image, multiImage (2–20) and article posts; the log lists the media", async () => {
    const jpeg = await sampleBytes(sb, "square-1080.jpg");
    const a = await uploadAsset(sb, token, "image", jpeg);
    const b = await uploadAsset(sb, token, "image", jpeg);
    const single = await createPost(sb, token, {
      commentary: "one image",
      content: { media: { id: a, altText: "x" } },
    });
    expect(single.status).toBe(201);
    const multi = await createPost(sb, token, {
      commentary: "two images",
      content: { multiImage: { images: [{ id: a }, { id: b }] } },
    });
    expect(multi.status).toBe(201);
    const tooFew = await createPost(sb, token, {
      commentary: "one in multi",
      content: { multiImage: { images: [{ id: a }] } },
    });
    expect(tooFew.status).toBe(422);
    const article = await createPost(sb, token, {
      commentary: "read this",
      content: { article: { source: "https://example.com/a", title: "A", thumbnail: a } },
    });
    expect(article.status).toBe(201);
    const log = await published(ADA_URN);
    expect(log.items.map((i) => i.media)).toEqual([[a], [a, b], [a]]);
  });

  it("media must exist, belong to the author and be AVAILABLE", async () => {
    await control(sb, "/_sandbox/config", { linkedin: { mediaProcessingMs: 600_000 } }, "PUT");
    const pdf = await sampleBytes(sb, "sample.pdf");
    const doc = await uploadAsset(sb, token, "document", pdf);
    const processing = await createPost(sb, token, {
      commentary: "deck",
      content: { media: { id: doc, title: "d.pdf" } },
    });
    expect(processing.status).toBe(422);
    expect(JSON.stringify(await processing.json())).toContain("MEDIA_ASSET_NOT_READY");
    const unknown = await createPost(sb, token, {
      commentary: "ghost",
      content: { media: { id: "urn:li:image:nope" } },
    });
    expect(unknown.status).toBe(422);
    const jpeg = await sampleBytes(sb, "square-1080.jpg");
    const orgImage = await uploadAsset(sb, token, "image", jpeg, ORG_ADMIN);
    const notOwned = await createPost(sb, token, {
      commentary: "not owned",
      content: { media: { id: orgImage } },
    });
    expect(notOwned.status).toBe(422);
    expect(JSON.stringify(await notOwned.json())).toContain("MEDIA_ASSET_NOT_OWNED");
    await control(sb, "/_sandbox/clock", { advanceMs: 600_001 });
    expect(
      (await createPost(sb, token, { commentary: "deck", content: { media: { id: doc, title: "d.pdf" } } }))
        .status,
    ).toBe(201);
  });
});

describe("comments", () => {
  it("POST /rest/socialActions/{urn}/comments → 201 JSON with object, recorded in the log", async () => {
    const urn = await postText("comment on me");
    const res = await rest(sb, `/rest/socialActions/${encodeURIComponent(urn)}/comments`, {
      token,
      body: { actor: ADA_URN, object: urn, message: { text: "First!" } },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      actor: ADA_URN,
      object: urn,
      message: { text: "First!" },
      commentUrn: expect.stringMatching(/^urn:li:comment:\(urn:li:share:\d+,\d+\)$/),
    });
    const log = await published(ADA_URN);
    expect(log.items.at(-1)).toMatchObject({ kind: "comment", providerId: body.commentUrn, text: "First!" });
    const list = (await (
      await rest(sb, `/rest/socialActions/${encodeURIComponent(urn)}/comments`, { token })
    ).json()) as {
      elements: unknown[];
    };
    expect(list.elements).toHaveLength(1);
  });

  it("commenting on an unknown post → 404", async () => {
    const res = await rest(sb, `/rest/socialActions/${encodeURIComponent("urn:li:share:1")}/comments`, {
      token,
      body: { actor: ADA_URN, message: { text: "hello?" } },
    });
    expect(res.status).toBe(404);
  });
});
