/**
 * Guardrails: what each platform will refuse, checked before anything is scheduled. Pure:
 * the targets and the media inspection results are passed in. Every issue names the target,
 * the field path in the request, a stable code and a sentence a person can act on. Errors
 * block scheduling; warnings do not. Numbers come from `limits.ts`.
 */
import type { RuleIssue } from "../../../schemas/entities/posts.js";
import type { Target } from "../../connections/use-cases/ports.js";
import { LIMITS } from "./limits.js";
import type { MediaInfo, MediaKind } from "./media.js";
import type { Post } from "./post.js";

type Platform = Target["platform"];
type PostShape = Pick<Post, "content" | "variants" | "targetIds">;

export interface RuleInput {
  readonly post: PostShape;
  /** Target by id; undefined for an unknown or foreign id. */
  readonly targets: ReadonlyMap<string, Target | undefined>;
  /** Inspection result by URL (every URL of `mediaUrls(post)`). */
  readonly media: ReadonlyMap<string, MediaInfo>;
}

/** Every media URL the post refers to (shared content, variants, reel cover), once each. */
export function mediaUrls(post: PostShape): string[] {
  const urls = new Set<string>();
  for (const m of post.content.media ?? []) urls.add(m.url);
  const v = post.variants;
  for (const variant of [v?.facebook, v?.instagram, v?.linkedin]) {
    for (const m of variant?.media ?? []) urls.add(m.url);
  }
  if (v?.instagram?.coverUrl) urls.add(v.instagram.coverUrl);
  return [...urls];
}

const HASHTAG = /(^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu;
const MENTION = /(^|[^\p{L}\p{N}_.])@[A-Za-z0-9._]{1,30}/gu;
export const countHashtags = (s: string) => (s.match(HASHTAG) ?? []).length;
export const countMentions = (s: string) => (s.match(MENTION) ?? []).length;
/** Characters as people count them (code points, so an emoji is one). */
export const charCount = (s: string) => Array.from(s).length;

/**
 * `noun` with its indefinite article: "an Instagram carousel", "an image", "a video". Judged by
 * the first letter, which is right for every noun these messages use (none starts with a
 * silent h or a "you" sound).
 */
export const withArticle = (noun: string) => `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const MB = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

interface Effective {
  readonly platform: Platform;
  readonly text: string;
  readonly textPath: string;
  readonly media: readonly { url: string; altText?: string }[];
  readonly mediaPath: string;
  readonly format: string;
  readonly formatPath: string;
  readonly formatGiven: boolean;
}

function kindOf(info: MediaInfo | undefined): MediaKind | undefined {
  return info?.ok ? info.kind : undefined;
}

function effective(post: PostShape, platform: Platform, media: ReadonlyMap<string, MediaInfo>): Effective {
  const variant = post.variants?.[platform];
  const text = variant?.text ?? post.content.text ?? "";
  const textPath = variant?.text !== undefined ? `variants.${platform}.text` : "content.text";
  const items = variant?.media ?? post.content.media ?? [];
  const mediaPath = variant?.media !== undefined ? `variants.${platform}.media` : "content.media";
  const kinds = items.map((m) => kindOf(media.get(m.url)) ?? "image");
  const one = items.length === 1;
  let inferred: string;
  if (platform === "facebook") {
    inferred = items.length === 0 ? "post" : one ? (kinds[0] === "video" ? "video" : "photo") : "multi_photo";
  } else if (platform === "instagram") {
    inferred = items.length > 1 ? "carousel" : kinds[0] === "video" ? "reel" : "feed";
  } else {
    inferred =
      items.length === 0
        ? post.content.link
          ? "article"
          : "text"
        : one
          ? kinds[0] === "video"
            ? "video"
            : kinds[0] === "document"
              ? "document"
              : "image"
          : "multi_image";
  }
  return {
    platform,
    text,
    textPath,
    media: items,
    mediaPath,
    format: variant?.format ?? inferred,
    formatPath: `variants.${platform}.format`,
    formatGiven: variant?.format !== undefined,
  };
}

class Issues {
  readonly list: RuleIssue[] = [];
  constructor(private readonly targetId: string | undefined) {}
  error(path: string, code: string, message: string) {
    this.list.push({
      ...(this.targetId ? { targetId: this.targetId } : {}),
      path,
      code,
      severity: "error",
      message,
    });
  }
  warn(path: string, code: string, message: string) {
    this.list.push({
      ...(this.targetId ? { targetId: this.targetId } : {}),
      path,
      code,
      severity: "warning",
      message,
    });
  }
}

function countRange(
  out: Issues,
  e: Effective,
  min: number,
  max: number,
  what: string,
  code = "media_count",
): boolean {
  const n = e.media.length;
  if (n < min || n > max) {
    const range = min === max ? `exactly ${min}` : `${min}–${max}`;
    out.error(
      e.mediaPath,
      code,
      `${capitalised(withArticle(what))} needs ${range} media item${max === 1 ? "" : "s"}; this post has ${n}.`,
    );
    return false;
  }
  return true;
}

function eachMedia(
  e: Effective,
  media: ReadonlyMap<string, MediaInfo>,
  fn: (info: Extract<MediaInfo, { ok: true }>, path: string, item: { url: string; altText?: string }) => void,
) {
  e.media.forEach((item, i) => {
    const info = media.get(item.url);
    if (info?.ok) fn(info, `${e.mediaPath}.${i}.url`, item);
  });
}

function checkFacebook(out: Issues, e: Effective, post: PostShape, media: ReadonlyMap<string, MediaInfo>) {
  const L = LIMITS.facebook;
  if (charCount(e.text) > L.messageMaxChars) {
    out.error(
      e.textPath,
      "text_too_long",
      `Facebook messages are limited to ${L.messageMaxChars.toLocaleString("en")} characters; this one has ${charCount(e.text).toLocaleString("en")}.`,
    );
  }
  switch (e.format) {
    case "post":
      if (e.media.length > 0) {
        out.error(
          e.formatPath,
          "format_media_mismatch",
          "A Facebook text/link post carries no media; choose photo, multi_photo or video.",
        );
      }
      if (e.text.trim() === "" && !post.content.link) {
        out.error(e.textPath, "content_empty", "A Facebook post needs text, a link or media.");
      }
      break;
    case "photo":
      countRange(out, e, 1, 1, "Facebook photo post");
      break;
    case "multi_photo":
      countRange(out, e, 2, L.multiPhotoMax, "Facebook multi-photo post");
      break;
    case "video":
      countRange(out, e, 1, 1, "Facebook video post");
      break;
  }
  eachMedia(e, media, (info, path) => {
    const wantVideo = e.format === "video";
    if (wantVideo) {
      if (!(L.videoMimeTypes as readonly string[]).includes(info.mime)) {
        out.error(
          path,
          "media_type_unsupported",
          `A Facebook video must be MP4 or MOV; this file is ${info.mime}.`,
        );
      }
      return;
    }
    if (!(L.photoMimeTypes as readonly string[]).includes(info.mime)) {
      out.error(
        path,
        "media_type_unsupported",
        `Facebook photos must be JPEG, PNG or GIF; this file is ${info.mime}.`,
      );
    } else if (info.sizeBytes !== undefined && info.sizeBytes > L.photoMaxBytes) {
      out.error(
        path,
        "media_too_large",
        `Facebook photos must be at most 4 MB; this one is ${MB(info.sizeBytes)}.`,
      );
    }
  });
}

function checkInstagramImage(
  out: Issues,
  info: Extract<MediaInfo, { ok: true }>,
  path: string,
  checkAspect: boolean,
) {
  const L = LIMITS.instagram;
  if (!(L.imageMimeTypes as readonly string[]).includes(info.mime)) {
    out.error(
      path,
      "media_type_unsupported",
      `Instagram accepts JPEG images only; this file is ${info.mime}. Convert it to JPEG.`,
    );
    return;
  }
  if (info.sizeBytes !== undefined && info.sizeBytes >= L.imageMaxBytesExclusive) {
    out.error(
      path,
      "media_too_large",
      `Instagram images must be smaller than 8 MiB; this one is ${MB(info.sizeBytes)}.`,
    );
  }
  if (info.width === undefined || info.height === undefined) {
    out.warn(
      path,
      "dimensions_unknown",
      "Could not read the image's dimensions; Instagram may refuse it if its aspect ratio is outside 4:5 to 1.91:1.",
    );
    return;
  }
  const ratio = info.width / info.height;
  if (checkAspect && (ratio < L.aspectMin - 1e-9 || ratio > L.aspectMax + 1e-9)) {
    out.error(
      path,
      "aspect_ratio_out_of_range",
      `Instagram feed images must have an aspect ratio between 4:5 and 1.91:1; this one is ${info.width}×${info.height} (${ratio.toFixed(2)}:1). Crop it.`,
    );
  }
  if (info.width < L.widthMin || info.width > L.widthMax) {
    out.warn(
      path,
      "width_out_of_range",
      `Instagram scales images to a width between ${L.widthMin} and ${L.widthMax} px; this one is ${info.width} px wide and will be resized.`,
    );
  }
}

function checkInstagram(out: Issues, e: Effective, post: PostShape, media: ReadonlyMap<string, MediaInfo>) {
  const L = LIMITS.instagram;
  const variant = post.variants?.instagram;
  if (charCount(e.text) > L.captionMaxChars) {
    out.error(
      e.textPath,
      "caption_too_long",
      `Instagram captions are limited to ${L.captionMaxChars.toLocaleString("en")} characters; this one has ${charCount(e.text).toLocaleString("en")}.`,
    );
  }
  const tags = countHashtags(e.text);
  if (tags > L.hashtagsMax) {
    out.error(
      e.textPath,
      "too_many_hashtags",
      `Instagram allows at most ${L.hashtagsMax} hashtags; this caption has ${tags}.`,
    );
  }
  const mentions = countMentions(e.text);
  if (mentions > L.mentionsMax) {
    out.error(
      e.textPath,
      "too_many_mentions",
      `Instagram allows at most ${L.mentionsMax} @-mentions; this caption has ${mentions}.`,
    );
  }
  if (post.content.link) {
    out.warn(
      "content.link",
      "link_not_clickable",
      "Links in Instagram captions are not clickable; the link is not sent to Instagram.",
    );
  }
  if (e.media.length === 0) {
    out.error(e.mediaPath, "media_required", "Instagram posts need at least one image or video.");
    return;
  }
  if (variant?.shareToFeed !== undefined && e.format !== "reel") {
    out.warn("variants.instagram.shareToFeed", "option_ignored", "shareToFeed applies to reels only.");
  }
  if (variant?.coverUrl !== undefined && e.format !== "reel") {
    out.warn("variants.instagram.coverUrl", "option_ignored", "coverUrl applies to reels only.");
  }
  const kindAt = (i: number) => kindOf(media.get(e.media[i]?.url ?? ""));
  switch (e.format) {
    case "feed":
      if (countRange(out, e, 1, 1, "Instagram feed post") && kindAt(0) === "video") {
        out.error(
          e.formatPath,
          "use_reel_for_video",
          "Instagram publishes single videos as reels; set the format to reel.",
        );
      }
      break;
    case "carousel":
      countRange(out, e, L.carouselMin, L.carouselMax, "Instagram carousel", "carousel_size");
      break;
    case "story":
      countRange(out, e, 1, 1, "Instagram story");
      break;
    case "reel":
      if (countRange(out, e, 1, 1, "Instagram reel") && kindAt(0) !== undefined && kindAt(0) !== "video") {
        out.error(`${e.mediaPath}.0.url`, "media_kind_mismatch", "A reel needs a video (MP4 or MOV).");
      }
      break;
  }
  eachMedia(e, media, (info, path, item) => {
    if (info.kind === "document") {
      out.error(path, "media_type_unsupported", "Instagram cannot publish documents; use images or videos.");
      return;
    }
    if (info.kind === "video") {
      if (!(L.videoMimeTypes as readonly string[]).includes(info.mime)) {
        out.error(
          path,
          "media_type_unsupported",
          `Instagram videos must be MP4 or MOV; this file is ${info.mime}.`,
        );
      }
      const max = e.format === "story" ? L.storyVideoMaxBytes : L.reelMaxBytes;
      if (info.sizeBytes !== undefined && info.sizeBytes > max) {
        out.error(
          path,
          "media_too_large",
          `This Instagram video may be at most ${MB(max)}; it is ${MB(info.sizeBytes)}.`,
        );
      }
      if (item.altText !== undefined) {
        out.warn(
          path.replace(/\.url$/, ".altText"),
          "option_ignored",
          "Instagram takes alt text for images only.",
        );
      }
      return;
    }
    checkInstagramImage(out, info, path, e.format !== "story");
  });
  if (variant?.coverUrl && e.format === "reel") {
    const info = media.get(variant.coverUrl);
    if (info?.ok && info.kind !== "image") {
      out.error("variants.instagram.coverUrl", "media_kind_mismatch", "A reel cover must be an image.");
    }
  }
}

function checkLinkedIn(out: Issues, e: Effective, post: PostShape, media: ReadonlyMap<string, MediaInfo>) {
  const L = LIMITS.linkedin;
  if (charCount(e.text) > L.commentaryMaxChars) {
    out.error(
      e.textPath,
      "text_too_long",
      `LinkedIn commentary is limited to ${L.commentaryMaxChars.toLocaleString("en")} characters; this one has ${charCount(e.text).toLocaleString("en")}.`,
    );
  }
  const kindAt = (i: number) => kindOf(media.get(e.media[i]?.url ?? ""));
  const needKind = (kind: MediaKind, label: string) => {
    e.media.forEach((_, i) => {
      const k = kindAt(i);
      if (k !== undefined && k !== kind) {
        out.error(
          `${e.mediaPath}.${i}.url`,
          "media_kind_mismatch",
          `A LinkedIn ${e.format.replace("_", "-")} post needs ${label}; this item is ${withArticle(k)}.`,
        );
      }
    });
  };
  switch (e.format) {
    case "text":
      if (e.media.length > 0)
        out.error(
          e.formatPath,
          "format_media_mismatch",
          "A LinkedIn text post carries no media; choose image, multi_image, video or document.",
        );
      if (e.text.trim() === "")
        out.error(e.textPath, "content_empty", "A LinkedIn text post needs commentary.");
      break;
    case "article":
      if (!post.content.link)
        out.error("content.link", "link_required", "A LinkedIn article post needs content.link.");
      if (e.media.length > 0)
        out.error(e.formatPath, "format_media_mismatch", "A LinkedIn article post carries no media.");
      break;
    case "image":
      if (countRange(out, e, 1, 1, "LinkedIn image post")) needKind("image", "an image");
      break;
    case "multi_image":
      if (countRange(out, e, L.multiImageMin, L.multiImageMax, "LinkedIn multi-image post"))
        needKind("image", "images");
      break;
    case "video":
      if (countRange(out, e, 1, 1, "LinkedIn video post")) needKind("video", "a video");
      break;
    case "document":
      if (countRange(out, e, 1, 1, "LinkedIn document post")) needKind("document", "a PDF document");
      break;
  }
  eachMedia(e, media, (info, path) => {
    if (info.kind === "image") {
      if (!(L.imageMimeTypes as readonly string[]).includes(info.mime)) {
        out.error(
          path,
          "media_type_unsupported",
          `LinkedIn images must be JPEG, PNG or GIF; this file is ${info.mime}.`,
        );
      } else if (
        info.width !== undefined &&
        info.height !== undefined &&
        info.width * info.height >= L.imageMaxPixels
      ) {
        out.error(
          path,
          "image_too_large",
          `LinkedIn images must have fewer than ${L.imageMaxPixels.toLocaleString("en")} pixels; this one is ${info.width}×${info.height}.`,
        );
      }
    } else if (info.kind === "video") {
      if (!(L.videoMimeTypes as readonly string[]).includes(info.mime)) {
        out.error(path, "media_type_unsupported", `LinkedIn videos must be MP4; this file is ${info.mime}.`);
      } else if (info.sizeBytes !== undefined && info.sizeBytes > L.videoMaxBytes) {
        out.error(
          path,
          "media_too_large",
          `LinkedIn videos may be at most ${MB(L.videoMaxBytes)}; this one is ${MB(info.sizeBytes)}.`,
        );
      }
    } else if (info.sizeBytes !== undefined && info.sizeBytes > L.documentMaxBytes) {
      out.error(
        path,
        "media_too_large",
        `LinkedIn documents may be at most ${MB(L.documentMaxBytes)}; this one is ${MB(info.sizeBytes)}.`,
      );
    }
  });
}

/** Check a post against each of its targets; an empty list means it may be scheduled. */
export function checkPost(input: RuleInput): RuleIssue[] {
  const { post, targets, media } = input;
  const all: RuleIssue[] = [];
  // Media problems (unreachable, blocked, not a known type) are reported once, where the URL appears.
  const general = new Issues(undefined);
  const reported = new Set<string>();
  const reportMedia = (url: string, path: string) => {
    const info = media.get(url);
    if (info && !info.ok && !reported.has(url)) {
      reported.add(url);
      general.error(path, info.code, info.message);
    }
  };
  for (const [i, m] of (post.content.media ?? []).entries()) reportMedia(m.url, `content.media.${i}.url`);
  for (const platform of ["facebook", "instagram", "linkedin"] as const) {
    for (const [i, m] of (post.variants?.[platform]?.media ?? []).entries()) {
      reportMedia(m.url, `variants.${platform}.media.${i}.url`);
    }
  }
  const cover = post.variants?.instagram?.coverUrl;
  if (cover) reportMedia(cover, "variants.instagram.coverUrl");
  all.push(...general.list);

  const seen = new Set<string>();
  post.targetIds.forEach((targetId, i) => {
    const out = new Issues(targetId);
    if (seen.has(targetId)) {
      out.error(`targetIds.${i}`, "duplicate_target", "This target is listed twice.");
      all.push(...out.list);
      return;
    }
    seen.add(targetId);
    const target = targets.get(targetId);
    if (!target) {
      out.error(
        `targetIds.${i}`,
        "target_not_found",
        `No target ${targetId} in your organisation; connect the account or remove the id.`,
      );
    } else {
      if (target.status !== "ACTIVE") {
        out.error(
          `targetIds.${i}`,
          "target_not_active",
          `${target.name} (${target.platform}) is ${target.status === "NEEDS_REAUTH" ? "waiting to be reconnected" : "disconnected"}; reconnect it before scheduling.`,
        );
      }
      const e = effective(post, target.platform, media);
      if (target.platform === "facebook") checkFacebook(out, e, post, media);
      else if (target.platform === "instagram") checkInstagram(out, e, post, media);
      else checkLinkedIn(out, e, post, media);
    }
    all.push(...out.list);
  });
  return all;
}

export const hasErrors = (issues: readonly RuleIssue[]) => issues.some((i) => i.severity === "error");
