/**
 * Posts: content, per-platform variants, approval history, validation issues and scheduling.
 * Request bodies are strict (unknown fields are refused).
 */

import {
  ContentSchema,
  HistoryEntrySchema,
  PostStatusSchema,
  RuleIssueSchema,
  VariantsSchema,
} from "../entities/posts.js";
import * as z from "../zod.js";
import { TimeZoneSchema } from "./settings.js";

export * from "../entities/posts.js";

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
