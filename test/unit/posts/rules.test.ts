/** The validation matrix: each platform rule, one case that passes and one that fails. */
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../functions/posts/domain/limits.js";
import type { MediaInfo } from "../../../functions/posts/domain/media.js";
import type { Post } from "../../../functions/posts/domain/post.js";
import { checkPost, countHashtags, countMentions, hasErrors } from "../../../functions/posts/domain/rules.js";
import { JPEG_OK, MP4_OK, PDF_OK, target } from "./fakes.js";

type Shape = Pick<Post, "content" | "variants" | "targetIds">;
type Ok = Omit<Extract<MediaInfo, { ok: true }>, "ok" | "url">;

const FB = target("fb", "facebook");
const IG = target("ig", "instagram");
const LI = target("li", "linkedin");
const targets = new Map([FB, IG, LI].map((t) => [t.id, t]));

function run(post: Shape, media: Record<string, Ok | { fail: string }> = {}) {
  const infos = new Map<string, MediaInfo>(
    Object.entries(media).map(([url, m]) => [
      url,
      "fail" in m ? { ok: false, url, code: m.fail, message: "x" } : { ok: true, url, ...m },
    ]),
  );
  return checkPost({ post, targets, media: infos });
}

const codes = (issues: ReturnType<typeof run>, targetId?: string) =>
  issues
    .filter((i) => i.severity === "error" && (targetId === undefined || i.targetId === targetId))
    .map((i) => i.code);
const warnings = (issues: ReturnType<typeof run>) =>
  issues.filter((i) => i.severity === "warning").map((i) => i.code);

const img = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `https://cdn.example/${i}.jpg` }));
const imgMedia = (n: number, info: Ok = JPEG_OK) =>
  Object.fromEntries(img(n).map((m) => [m.url, info])) as Record<string, Ok>;

describe("common", () => {
  it("flags unknown, inactive and duplicate targets", () => {
    const issues = checkPost({
      post: { content: { text: "hi" }, targetIds: ["nope", "off", "fb", "fb"] },
      targets: new Map([
        ["off", target("off", "facebook", "NEEDS_REAUTH")],
        ["fb", FB],
      ]),
      media: new Map(),
    });
    expect(issues.find((i) => i.targetId === "nope")?.code).toBe("target_not_found");
    expect(issues.find((i) => i.targetId === "off")?.code).toBe("target_not_active");
    expect(issues.find((i) => i.path === "targetIds.3")?.code).toBe("duplicate_target");
  });

  it("reports an unreachable or blocked media URL once, at its path", () => {
    const issues = run(
      { content: { text: "x", media: [{ url: "https://a/x.jpg" }] }, targetIds: ["fb", "li"] },
      { "https://a/x.jpg": { fail: "media_host_blocked" } },
    );
    const blocked = issues.filter((i) => i.code === "media_host_blocked");
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.path).toBe("content.media.0.url");
    expect(blocked[0]?.targetId).toBeUndefined();
  });

  it("counts hashtags and mentions, not e-mail addresses or URL fragments", () => {
    expect(countHashtags("#one #two x#three &#39; #four_5")).toBe(3);
    expect(countMentions("@alice hi @bob.smith mail me at a@b.com")).toBe(2);
  });
});

describe("Facebook", () => {
  it.each([
    ["a text post", { content: { text: "hello" } }, {}, []],
    ["an empty post", { content: {} }, {}, ["content_empty"]],
    ["a message at the limit", { content: { text: "a".repeat(LIMITS.facebook.messageMaxChars) } }, {}, []],
    [
      "a message over the limit",
      { content: { text: "a".repeat(LIMITS.facebook.messageMaxChars + 1) } },
      {},
      ["text_too_long"],
    ],
    ["a photo", { content: { media: img(1) } }, imgMedia(1), []],
    [
      "a photo over 4 MB",
      { content: { media: img(1) } },
      imgMedia(1, { ...JPEG_OK, sizeBytes: 4_000_001 }),
      ["media_too_large"],
    ],
    [
      "a WebP photo",
      { content: { media: img(1) } },
      imgMedia(1, { mime: "image/webp", kind: "image" }),
      ["media_type_unsupported"],
    ],
    ["multi-photo", { content: { media: img(3) } }, imgMedia(3), []],
    [
      "post format with media",
      { content: { text: "x", media: img(1) }, variants: { facebook: { format: "post" } } },
      imgMedia(1),
      ["format_media_mismatch"],
    ],
    [
      "multi_photo with one image",
      { content: { media: img(1) }, variants: { facebook: { format: "multi_photo" } } },
      imgMedia(1),
      ["media_count"],
    ],
    ["a video", { content: { media: [{ url: "https://v/1.mp4" }] } }, { "https://v/1.mp4": MP4_OK }, []],
  ] as const)("%s", (_name, post, media, expected) => {
    expect(codes(run({ ...(post as Shape), targetIds: ["fb"] }, media as Record<string, Ok>))).toEqual(
      expected,
    );
  });

  it("uses the Facebook variant's text instead of the shared text", () => {
    const issues = run({
      content: { text: "a".repeat(70_000) },
      variants: { facebook: { text: "short" } },
      targetIds: ["fb"],
    });
    expect(hasErrors(issues)).toBe(false);
  });
});

describe("Instagram", () => {
  const ig = (post: Omit<Shape, "targetIds">, media: Record<string, Ok | { fail: string }> = {}) =>
    run({ ...post, targetIds: ["ig"] }, media);

  it.each([
    ["needs media", { content: { text: "hi" } }, {}, ["media_required"]],
    ["a square JPEG feed post", { content: { media: img(1) } }, imgMedia(1), []],
    [
      "a PNG",
      { content: { media: img(1) } },
      imgMedia(1, { mime: "image/png", kind: "image", width: 1080, height: 1080 }),
      ["media_type_unsupported"],
    ],
    [
      "exactly 8 MiB",
      { content: { media: img(1) } },
      imgMedia(1, { ...JPEG_OK, sizeBytes: 8 * 1024 * 1024 }),
      ["media_too_large"],
    ],
    [
      "just under 8 MiB",
      { content: { media: img(1) } },
      imgMedia(1, { ...JPEG_OK, sizeBytes: 8 * 1024 * 1024 - 1 }),
      [],
    ],
    [
      "4:5 portrait",
      { content: { media: img(1) } },
      imgMedia(1, { ...JPEG_OK, width: 1080, height: 1350 }),
      [],
    ],
    [
      "taller than 4:5",
      { content: { media: img(1) } },
      imgMedia(1, { ...JPEG_OK, width: 1080, height: 1351 }),
      ["aspect_ratio_out_of_range"],
    ],
    [
      "1.91:1 landscape",
      { content: { media: img(1) } },
      imgMedia(1, { ...JPEG_OK, width: 1146, height: 600 }),
      [],
    ],
    [
      "wider than 1.91:1",
      { content: { media: img(1) } },
      imgMedia(1, { ...JPEG_OK, width: 1200, height: 600 }),
      ["aspect_ratio_out_of_range"],
    ],
    ["carousel of 2", { content: { media: img(2) } }, imgMedia(2), []],
    ["carousel of 10", { content: { media: img(10) } }, imgMedia(10), []],
    ["carousel of 11", { content: { media: img(11) } }, imgMedia(11), ["carousel_size"]],
    [
      "carousel of 1",
      { content: { media: img(1) }, variants: { instagram: { format: "carousel" } } },
      imgMedia(1),
      ["carousel_size"],
    ],
    [
      "a single video as feed",
      { content: { media: [{ url: "https://v/1.mp4" }] }, variants: { instagram: { format: "feed" } } },
      { "https://v/1.mp4": MP4_OK },
      ["use_reel_for_video"],
    ],
    ["a reel", { content: { media: [{ url: "https://v/1.mp4" }] } }, { "https://v/1.mp4": MP4_OK }, []],
    [
      "a reel with an image",
      { content: { media: img(1) }, variants: { instagram: { format: "reel" } } },
      imgMedia(1),
      ["media_kind_mismatch"],
    ],
    [
      "a reel over 300 MB",
      { content: { media: [{ url: "https://v/1.mp4" }] } },
      { "https://v/1.mp4": { ...MP4_OK, sizeBytes: 300_000_001 } },
      ["media_too_large"],
    ],
    [
      "a story video over 100 MB",
      { content: { media: [{ url: "https://v/1.mp4" }] }, variants: { instagram: { format: "story" } } },
      { "https://v/1.mp4": { ...MP4_OK, sizeBytes: 100_000_001 } },
      ["media_too_large"],
    ],
    [
      "a 9:16 story image (no aspect rule)",
      { content: { media: img(1) }, variants: { instagram: { format: "story" } } },
      imgMedia(1, { ...JPEG_OK, width: 1080, height: 1920 }),
      [],
    ],
    [
      "a document",
      { content: { media: [{ url: "https://d/1.pdf" }] } },
      { "https://d/1.pdf": PDF_OK },
      ["media_type_unsupported"],
    ],
  ] as const)("%s", (_name, post, media, expected) => {
    expect(codes(ig(post as Omit<Shape, "targetIds">, media as Record<string, Ok>))).toEqual(expected);
  });

  it("limits the caption to 2,200 characters (emoji count as one)", () => {
    const at = "😀".repeat(LIMITS.instagram.captionMaxChars);
    expect(codes(ig({ content: { text: at, media: img(1) } }, imgMedia(1)))).toEqual([]);
    expect(codes(ig({ content: { text: `${at}x`, media: img(1) } }, imgMedia(1)))).toEqual([
      "caption_too_long",
    ]);
  });

  it("allows 30 hashtags and 20 mentions, not one more", () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `#t${i}`).join(" ");
    const ats = (n: number) => Array.from({ length: n }, (_, i) => `@u${i}`).join(" ");
    expect(codes(ig({ content: { text: `${tags(30)} ${ats(20)}`, media: img(1) } }, imgMedia(1)))).toEqual(
      [],
    );
    expect(codes(ig({ content: { text: tags(31), media: img(1) } }, imgMedia(1)))).toEqual([
      "too_many_hashtags",
    ]);
    expect(codes(ig({ content: { text: ats(21), media: img(1) } }, imgMedia(1)))).toEqual([
      "too_many_mentions",
    ]);
  });

  it("warns (does not block) on width outside 320–1440, unknown dimensions and ignored options", () => {
    const issues = ig(
      {
        content: { media: img(1), link: "https://x.example" },
        variants: { instagram: { shareToFeed: true } },
      },
      imgMedia(1, { mime: "image/jpeg", kind: "image", width: 2000, height: 2000 }),
    );
    expect(hasErrors(issues)).toBe(false);
    expect(warnings(issues).sort()).toEqual(["link_not_clickable", "option_ignored", "width_out_of_range"]);
    expect(
      warnings(ig({ content: { media: img(1) } }, imgMedia(1, { mime: "image/jpeg", kind: "image" }))),
    ).toEqual(["dimensions_unknown"]);
  });

  it("names the variant path when the Instagram variant brings its own media", () => {
    const issues = ig(
      { content: { text: "x" }, variants: { instagram: { media: img(1), format: "carousel" } } },
      imgMedia(1),
    );
    expect(issues[0]?.path).toBe("variants.instagram.media");
  });
});

describe("LinkedIn", () => {
  const li = (post: Omit<Shape, "targetIds">, media: Record<string, Ok> = {}) =>
    run({ ...post, targetIds: ["li"] }, media);
  it.each([
    ["text", { content: { text: "hi" } }, {}, []],
    ["empty text", { content: {} }, {}, ["content_empty"]],
    ["commentary at 3,000", { content: { text: "a".repeat(3000) } }, {}, []],
    ["commentary over 3,000", { content: { text: "a".repeat(3001) } }, {}, ["text_too_long"]],
    ["article with link", { content: { text: "read", link: "https://blog.example/x" } }, {}, []],
    [
      "article without link",
      { content: { text: "read" }, variants: { linkedin: { format: "article" } } },
      {},
      ["link_required"],
    ],
    ["image", { content: { media: img(1) } }, imgMedia(1), []],
    ["multi-image 20", { content: { media: img(20) } }, imgMedia(20), []],
    [
      "multi-image with 1",
      { content: { media: img(1) }, variants: { linkedin: { format: "multi_image" } } },
      imgMedia(1),
      ["media_count"],
    ],
    [
      "image too many pixels",
      { content: { media: img(1) } },
      imgMedia(1, { ...JPEG_OK, width: 8000, height: 4520 }),
      ["image_too_large"],
    ],
    ["video MP4", { content: { media: [{ url: "https://v/1.mp4" }] } }, { "https://v/1.mp4": MP4_OK }, []],
    [
      "video MOV",
      { content: { media: [{ url: "https://v/1.mov" }] } },
      { "https://v/1.mov": { mime: "video/quicktime", kind: "video" } },
      ["media_type_unsupported"],
    ],
    ["document PDF", { content: { media: [{ url: "https://d/1.pdf" }] } }, { "https://d/1.pdf": PDF_OK }, []],
    [
      "document that is an image",
      { content: { media: img(1) }, variants: { linkedin: { format: "document" } } },
      imgMedia(1),
      ["media_kind_mismatch"],
    ],
  ] as const)("%s", (_name, post, media, expected) => {
    expect(codes(li(post as Omit<Shape, "targetIds">, media as Record<string, Ok>))).toEqual(expected);
  });
});

describe("one post, three platforms", () => {
  it("reports each target's issues under its own id", () => {
    const issues = run({ content: { text: "a".repeat(3500) }, targetIds: ["fb", "ig", "li"] });
    expect(codes(issues, "fb")).toEqual([]);
    expect(codes(issues, "ig").sort()).toEqual(["caption_too_long", "media_required"]);
    expect(codes(issues, "li")).toEqual(["text_too_long"]);
  });
});
