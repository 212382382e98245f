/**
 * Posts: content, per-platform variants, approval history, validation issues and scheduling.
 * Request bodies are strict (unknown fields are refused).
 */
import * as z from "../zod.js";
import { TimeZoneSchema } from "./settings.js";

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

export const TargetIdSchema = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));
/** At most 25 targets per post: one transaction writes all deliveries and the post. */
export const TargetIdsSchema = z.array(TargetIdSchema).check(z.minLength(1), z.maxLength(25));

export const CreatePostBodySchema = z.strictObject({
  content: ContentSchema,
  variants: z.optional(VariantsSchema),
  targetIds: TargetIdsSchema,
});
export type CreatePostBody = z.infer<typeof CreatePostBodySchema>;

/** PATCH: replace any of the top-level parts. */
export const UpdatePostBodySchema = z.strictObject({
  content: z.optional(ContentSchema),
  variants: z.optional(VariantsSchema),
  targetIds: z.optional(TargetIdsSchema),
});
export type UpdatePostBody = z.infer<typeof UpdatePostBodySchema>;

export const PostIdPathSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/)),
});

export const HistoryEntrySchema = z.strictObject({
  at: z.string(),
  by: z.string(),
  action: z.string(),
  from: z.optional(z.string()),
  to: z.optional(z.string()),
  comment: z.optional(z.string()),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const PostResponseSchema = z.strictObject({
  id: z.string(),
  status: PostStatusSchema,
  version: z.number(),
  content: ContentSchema,
  variants: z.optional(VariantsSchema),
  targetIds: z.array(z.string()),
  deliveryIds: z.array(z.string()),
  history: z.array(HistoryEntrySchema),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type PostResponse = z.infer<typeof PostResponseSchema>;

export const CursorSchema = z.string().check(z.minLength(1), z.maxLength(2048));
export const LimitSchema = z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100));

export const ListPostsQuerySchema = z.strictObject({
  status: z.optional(PostStatusSchema),
  targetId: z.optional(TargetIdSchema),
  /** Created at or after (ISO-8601 with offset). */
  from: z.optional(z.iso.datetime({ offset: true })),
  /** Created before. */
  to: z.optional(z.iso.datetime({ offset: true })),
  cursor: z.optional(CursorSchema),
  limit: z.optional(LimitSchema),
});
export type ListPostsQuery = z.infer<typeof ListPostsQuerySchema>;

export const PostListResponseSchema = z.strictObject({
  items: z.array(PostResponseSchema),
  /** Pass as `cursor` to read the next page; absent on the last page. */
  nextCursor: z.optional(z.string()),
});

export const RuleIssueSchema = z.strictObject({
  /** The target the issue is about; absent for issues about the post as a whole. */
  targetId: z.optional(z.string()),
  path: z.string(),
  code: z.string(),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
});
export type RuleIssue = z.infer<typeof RuleIssueSchema>;

export const ValidateResponseSchema = z.strictObject({
  valid: z.boolean(),
  issues: z.array(RuleIssueSchema),
});
export type ValidateResponse = z.infer<typeof ValidateResponseSchema>;

export const ReviewBodySchema = z.strictObject({
  comment: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
});
export const RejectBodySchema = z.strictObject({
  comment: z.string().check(z.minLength(1), z.maxLength(2000)),
});

/** Local wall-clock time without offset: `2026-03-29T01:30` or `2026-03-29T01:30:00`. */
export const LocalTimeSchema = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/));

export const ScheduleBodySchema = z.strictObject({
  publishAt: z.optional(z.iso.datetime({ offset: true })),
  localTime: z.optional(LocalTimeSchema),
  timeZone: z.optional(TimeZoneSchema),
  /** A subset of the post's targets; all of them when absent. */
  targetIds: z.optional(TargetIdsSchema),
});
export type ScheduleBody = z.infer<typeof ScheduleBodySchema>;

export const RescheduleBodySchema = z.strictObject({
  publishAt: z.optional(z.iso.datetime({ offset: true })),
  localTime: z.optional(LocalTimeSchema),
  timeZone: z.optional(TimeZoneSchema),
});
export type RescheduleBody = z.infer<typeof RescheduleBodySchema>;
