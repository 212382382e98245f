/** Rule messages read as English: "an" before a vowel sound ("An Instagram carousel", "an image"). */
import { describe, expect, it } from "vitest";
import type { MediaInfo } from "../../../functions/posts/domain/media.js";
import { checkPost, withArticle } from "../../../functions/posts/domain/rules.js";
import { JPEG_OK, target } from "./fakes.js";

const img = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `https://cdn.example/${i}.jpg` }));
const infos = (n: number) =>
  new Map<string, MediaInfo>(img(n).map((m) => [m.url, { ok: true, url: m.url, ...JPEG_OK }]));

describe("rule messages choose a/an", () => {
  it("says 'An Instagram carousel', not 'A Instagram carousel'", () => {
    const issues = checkPost({
      post: { content: { text: "x", media: img(11) }, targetIds: ["ig"] },
      targets: new Map([["ig", target("ig", "instagram")]]),
      media: infos(11),
    });
    const size = issues.find((i) => i.code === "carousel_size");
    expect(size?.message).toMatch(/^An Instagram carousel needs 2–10 media items/);
  });

  it("says 'this item is an image'", () => {
    const issues = checkPost({
      post: {
        content: { text: "x", media: img(1) },
        variants: { linkedin: { format: "video" } },
        targetIds: ["li"],
      },
      targets: new Map([["li", target("li", "linkedin")]]),
      media: infos(1),
    });
    const mismatch = issues.find((i) => i.code === "media_kind_mismatch");
    expect(mismatch?.message).toContain("this item is an image.");
  });

  it.each([
    ["Instagram carousel", "an Instagram carousel"],
    ["image", "an image"],
    ["Facebook photo post", "a Facebook photo post"],
    ["LinkedIn video post", "a LinkedIn video post"],
    ["video", "a video"],
    ["unknown kind", "an unknown kind"],
  ])("withArticle(%s)", (noun, expected) => {
    expect(withArticle(noun)).toBe(expected);
  });
});
