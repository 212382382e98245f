/**
 * What a post is, shared by the API schemas and the posts/publishing domain: statuses, content,
 * per-platform variants, approval history and rule issues. The API re-exports these
 * (schemas/api/posts.ts); domain code imports them from here, never from schemas/api.
 */
import * as z from "../zod.js";

/** Statuses of a post; the transitions live in functions/posts/domain/transitions.ts. */
export const POST_STATUSES = [
  "DRAFT",
  "PENDING_APPROVAL",
  "APPROVED",
  "REJECTED",
  "SCHEDULED",
  "PUBLISHING",
  "PUBLISHED",
  "PARTIALLY_PUBLISHED",
  "FAILED",
  "CANCELLED",
  /** A delivery was dead-lettered and waits for an operator (replay, reschedule or cancel). */
  "NEEDS_ATTENTION",
] as const;
export const PostStatusSchema = z.enum(POST_STATUSES);
export type PostStatus = z.infer<typeof PostStatusSchema>;

/** Media is fetched by the providers from a URL; http is accepted only for allow-listed hosts (checked later). */
export const MediaUrlSchema = z.url({ protocol: /^https?$/ }).check(z.maxLength(2048));

export const MediaItemSchema = z.strictObject({
  url: MediaUrlSchema,
  /** Alt text for people using screen readers (Instagram: images only, ≤ 1,000 characters). */
  altText: z.optional(z.string().check(z.maxLength(1000))),
});
export type MediaItem = z.infer<typeof MediaItemSchema>;

const text = (max: number) => z.string().check(z.maxLength(max));
const mediaList = z.array(MediaItemSchema).check(z.maxLength(20));
const firstComment = z.optional(text(8000).check(z.minLength(1)));

export const ContentSchema = z.strictObject({
  /** The caption / message / commentary. Per-platform limits are checked by validation. */
  text: z.optional(text(70_000)),
  link: z.optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2048))),
  media: z.optional(mediaList),
});
export type Content = z.infer<typeof ContentSchema>;

export const FacebookVariantSchema = z.strictObject({
  format: z.optional(z.enum(["post", "photo", "multi_photo", "video"])),
  /** Replaces the shared text on Facebook. */
  text: z.optional(text(70_000)),
  media: z.optional(mediaList),
  firstComment,
});
export type FacebookVariant = z.infer<typeof FacebookVariantSchema>;

export const InstagramVariantSchema = z.strictObject({
  format: z.optional(z.enum(["feed", "carousel", "story", "reel"])),
  text: z.optional(text(70_000)),
  media: z.optional(mediaList),
  /** Reels: also show the reel in the profile grid (default true). */
  shareToFeed: z.optional(z.boolean()),
  /** Reels: cover image URL. */
  coverUrl: z.optional(MediaUrlSchema),
  firstComment,
});
export type InstagramVariant = z.infer<typeof InstagramVariantSchema>;

export const LinkedInVariantSchema = z.strictObject({
  format: z.optional(z.enum(["text", "article", "image", "multi_image", "video", "document"])),
  text: z.optional(text(70_000)),
  media: z.optional(mediaList),
  visibility: z.optional(z.enum(["PUBLIC", "CONNECTIONS", "LOGGED_IN"])),
  /** Article posts: LinkedIn does not scrape, so title and description are sent as given. */
  articleTitle: z.optional(text(400)),
  articleDescription: z.optional(text(4086)),
  /** Document posts: the title shown on the document. */
  documentTitle: z.optional(text(400)),
  firstComment,
});
export type LinkedInVariant = z.infer<typeof LinkedInVariantSchema>;

export const VariantsSchema = z.strictObject({
  facebook: z.optional(FacebookVariantSchema),
  instagram: z.optional(InstagramVariantSchema),
  linkedin: z.optional(LinkedInVariantSchema),
});
export type Variants = z.infer<typeof VariantsSchema>;

export const HistoryEntrySchema = z.strictObject({
  at: z.string(),
  by: z.string(),
  action: z.string(),
  from: z.optional(z.string()),
  to: z.optional(z.string()),
  comment: z.optional(z.string()),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const RuleIssueSchema = z.strictObject({
  /** The target the issue is about; absent for issues about the post as a whole. */
  targetId: z.optional(z.string()),
  path: z.string(),
  code: z.string(),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
});
export type RuleIssue = z.infer<typeof RuleIssueSchema>;
