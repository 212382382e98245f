/**
 * The per-delivery publishing state machine, as data. A publish is a few provider steps
 * (upload media, create an Instagram container, wait for processing, publish, read the
 * permalink, post the first comment); each step returns what it did, the worker writes the
 * new state on the delivery before doing anything else, and a later message resumes from it.
 * Waits (processing, quotas) are re-enqueued messages, never sleeps.
 *
 * Pure: no I/O, no clock.
 */
import { createHash } from "node:crypto";
import type { Content, Variants } from "../../../schemas/entities/posts.js";
import * as z from "../../../schemas/zod.js";
import type { Platform } from "../../connections/use-cases/ports.js";

export type FacebookFormat = "post" | "photo" | "multi_photo" | "video";
export type InstagramFormat = "feed" | "carousel" | "story" | "reel";
export type LinkedInFormat = "text" | "article" | "image" | "multi_image" | "video" | "document";

export interface MediaRef {
  readonly url: string;
  readonly altText?: string;
}

/** What to publish on one platform: the post's content with that platform's variant applied. */
export interface PublishContent {
  readonly platform: Platform;
  readonly format: FacebookFormat | InstagramFormat | LinkedInFormat;
  readonly text: string;
  readonly link?: string;
  readonly media: readonly MediaRef[];
  readonly firstComment?: string;
  readonly shareToFeed?: boolean;
  readonly coverUrl?: string;
  readonly visibility?: "PUBLIC" | "CONNECTIONS" | "LOGGED_IN";
  readonly articleTitle?: string;
  readonly articleDescription?: string;
  readonly documentTitle?: string;
}

/** Guess a media kind from its URL when the variant does not name the format. */
export function mediaKindOfUrl(url: string): "image" | "video" | "document" {
  const path = (() => {
    try {
      return new URL(url).pathname.toLowerCase();
    } catch {
      return url.toLowerCase();
    }
  })();
  if (/\.(mp4|mov|m4v)$/.test(path)) return "video";
  if (/\.(pdf|pptx?|docx?)$/.test(path)) return "document";
  return "image";
}

/** The content of `post` for `platform` (variant text/media win; format inferred when absent). */
export function contentFor(
  post: { readonly content: Content; readonly variants?: Variants },
  platform: Platform,
): PublishContent {
  const v = post.variants?.[platform];
  const text = v?.text ?? post.content.text ?? "";
  const media = v?.media ?? post.content.media ?? [];
  const kinds = media.map((m) => mediaKindOfUrl(m.url));
  const link = post.content.link;
  const base = { platform, text, media, ...(link ? { link } : {}) };
  if (platform === "facebook") {
    const fv = post.variants?.facebook;
    const format: FacebookFormat =
      fv?.format ??
      (media.length === 0
        ? "post"
        : media.length > 1
          ? "multi_photo"
          : kinds[0] === "video"
            ? "video"
            : "photo");
    return { ...base, format, ...(fv?.firstComment ? { firstComment: fv.firstComment } : {}) };
  }
  if (platform === "instagram") {
    const iv = post.variants?.instagram;
    const format: InstagramFormat =
      iv?.format ?? (media.length > 1 ? "carousel" : kinds[0] === "video" ? "reel" : "feed");
    return {
      ...base,
      format,
      ...(iv?.firstComment ? { firstComment: iv.firstComment } : {}),
      ...(iv?.shareToFeed !== undefined ? { shareToFeed: iv.shareToFeed } : {}),
      ...(iv?.coverUrl ? { coverUrl: iv.coverUrl } : {}),
    };
  }
  const lv = post.variants?.linkedin;
  const format: LinkedInFormat =
    lv?.format ??
    (media.length === 0
      ? link
        ? "article"
        : "text"
      : media.length > 1
        ? "multi_image"
        : kinds[0] === "video"
          ? "video"
          : kinds[0] === "document"
            ? "document"
            : "image");
  return {
    ...base,
    format,
    ...(lv?.firstComment ? { firstComment: lv.firstComment } : {}),
    ...(lv?.visibility ? { visibility: lv.visibility } : {}),
    ...(lv?.articleTitle ? { articleTitle: lv.articleTitle } : {}),
    ...(lv?.articleDescription ? { articleDescription: lv.articleDescription } : {}),
    ...(lv?.documentTitle ? { documentTitle: lv.documentTitle } : {}),
  };
}

/**
 * A stable fingerprint of what is being published (text, link, media URLs), used to recognise
 * our own post among a Page's recent posts after an uncertain attempt.
 */
export function contentHash(c: Pick<PublishContent, "text" | "link" | "media">): string {
  return createHash("sha256")
    .update(JSON.stringify([c.text.trim(), c.link ?? "", c.media.map((m) => m.url)]))
    .digest("base64url")
    .slice(0, 32);
}

/** Where a delivery's publish stands. Every field is what a step already did at the provider. */
export interface PublishState {
  /** The next step to run (publisher-specific names, e.g. `upload`, `container`, `await`, `publish`). */
  readonly phase: string;
  /** A previous attempt may have acted at the provider without the result being recorded. */
  readonly uncertain?: boolean;
  /** Failed attempts so far (backoff input). */
  readonly attempts: number;
  /** Rate-limit / quota / breaker waits taken so far. */
  readonly windowWaits: number;
  /** When the first attempt started (recent-post matching looks from here on). */
  readonly startedAt: string;
  readonly contentHash: string;
  /** Facebook: unpublished photo ids; LinkedIn: uploaded media URNs (in order). */
  readonly mediaIds?: readonly string[];
  /** Instagram: carousel child containers. */
  readonly childContainerIds?: readonly string[];
  /** Instagram: the container to publish. */
  readonly containerId?: string;
  /** Facebook video id. */
  readonly videoId?: string;
  /** The published post / media id, once known. */
  readonly postId?: string;
  readonly permalink?: string;
  /** The first comment's id, once posted. */
  readonly commentId?: string;
  /** How the post was found after an uncertain attempt (`adopted` in the ledger). */
  readonly adoptedBy?: string;
}

/** `PublishState` as stored on the delivery item (`publishing`), parsed on every read. */
export const PublishStateSchema = z.object({
  phase: z.string().check(z.minLength(1)),
  uncertain: z.optional(z.boolean()),
  attempts: z.number().check(z.int(), z.minimum(0)),
  windowWaits: z.number().check(z.int(), z.minimum(0)),
  startedAt: z.string(),
  contentHash: z.string(),
  mediaIds: z.optional(z.array(z.string())),
  childContainerIds: z.optional(z.array(z.string())),
  containerId: z.optional(z.string()),
  videoId: z.optional(z.string()),
  postId: z.optional(z.string()),
  permalink: z.optional(z.string()),
  commentId: z.optional(z.string()),
  adoptedBy: z.optional(z.string()),
});

/** A delivery's stored step state is not a `PublishState`. */
export class CorruptPublishStateError extends Error {
  constructor(deliveryId: string, problems: readonly string[]) {
    super(`Corrupt publishing state on delivery ${deliveryId}: ${problems.join("; ")}`);
    this.name = "CorruptPublishStateError";
  }
}

/** The stored `publishing` attribute as a PublishState (undefined before the first claim). */
export function parsePublishState(value: unknown, deliveryId: string): PublishState | undefined {
  if (value === undefined) return undefined;
  const r = PublishStateSchema.safeParse(value);
  if (r.success) return r.data;
  throw new CorruptPublishStateError(
    deliveryId,
    r.error.issues.map((i) => `publishing.${i.path.join(".")}: ${i.message}`),
  );
}

export const initialPublishState = (startedAt: string, hash: string): PublishState => ({
  phase: "start",
  attempts: 0,
  windowWaits: 0,
  startedAt,
  contentHash: hash,
});

/** What one step did. */
export type StepOutcome =
  /** Run the next step now (same invocation). */
  | { readonly next: "now"; readonly state: PublishState; readonly note: string }
  /** Come back later (processing, quota): re-enqueue after `waitMs`. */
  | {
      readonly next: "wait";
      readonly state: PublishState;
      readonly waitMs: number;
      readonly note: string;
      /** `quota`/`window` waits count against the policy's window waits. */
      readonly reason: "processing" | "quota";
    }
  /** Published (first comment included, when there was one). */
  | { readonly next: "done"; readonly state: PublishState; readonly note: string };
