/** Deliveries (one post to one target at one time), their ledger, and the calendar view. */

import { DeliveryErrorSchema, DeliveryStatusSchema, LedgerEntrySchema } from "../entities/deliveries.js";
import * as z from "../zod.js";
import { CursorSchema, LimitSchema, TargetIdSchema } from "./posts.js";
import { TimeZoneSchema } from "./settings.js";

export * from "../entities/deliveries.js";

export const DeliveryResponseSchema = z.strictObject({
  id: z.string(),
  postId: z.string(),
  targetId: z.string(),
  platform: z.string(),
  status: DeliveryStatusSchema,
  version: z.number(),
  /** UTC instant. */
  publishAt: z.string(),
  /** The zone the time was given in, for display. */
  timeZone: z.string(),
  /** `publishAt` as wall-clock time in `timeZone`. */
  localTime: z.string(),
  scheduleName: z.string(),
  ledger: z.array(LedgerEntrySchema),
  /**
   * When the next attempt is due (SCHEDULED, RETRYING): `publishAt`, or later when the worker
   * moved it (Instagram's publishing quota, a rate limit, a retry). Lists and the calendar
   * sort and group by this time.
   */
  nextAttemptAt: z.optional(z.string()),
  /** Why the last attempt failed (set while RETRYING, NEEDS_ATTENTION, FAILED). */
  lastError: z.optional(DeliveryErrorSchema),
  /** When it went out (PUBLISHED). */
  publishedAt: z.optional(z.string()),
  providerPostId: z.optional(z.string()),
  permalink: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DeliveryResponse = z.infer<typeof DeliveryResponseSchema>;

export const DeliveryIdPathSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/)),
});

export const ListDeliveriesQuerySchema = z.strictObject({
  status: z.optional(DeliveryStatusSchema),
  targetId: z.optional(TargetIdSchema),
  /** Going (next attempt due, or published) at or after (ISO-8601 with offset). */
  from: z.optional(z.iso.datetime({ offset: true })),
  /** Going before. */
  to: z.optional(z.iso.datetime({ offset: true })),
  cursor: z.optional(CursorSchema),
  limit: z.optional(LimitSchema),
});
export type ListDeliveriesQuery = z.infer<typeof ListDeliveriesQuerySchema>;

export const DeliveryListResponseSchema = z.strictObject({
  items: z.array(DeliveryResponseSchema),
  nextCursor: z.optional(z.string()),
});

/** Answer of schedule, and of post-level reschedule and cancel. */
export const ScheduleResponseSchema = z.strictObject({
  postId: z.string(),
  /** The post's status afterwards. */
  status: z.string(),
  /** The post's version afterwards (its new ETag). */
  version: z.number(),
  deliveries: z.array(DeliveryResponseSchema),
  /** The local time fell into a DST gap and was moved forward by the gap's length. */
  localTimeAdjusted: z.optional(z.boolean()),
});
export type ScheduleResponse = z.infer<typeof ScheduleResponseSchema>;

const LocalDateSchema = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

export const CalendarQuerySchema = z.strictObject({
  /** First local day, `YYYY-MM-DD`. */
  from: LocalDateSchema,
  /** Last local day (inclusive), `YYYY-MM-DD`; at most 93 days after `from`. */
  to: LocalDateSchema,
  /** IANA zone the days are counted in; the tenant's default zone when absent. */
  timeZone: z.optional(TimeZoneSchema),
});
export type CalendarQuery = z.infer<typeof CalendarQuerySchema>;

export const CalendarEntrySchema = z.strictObject({
  deliveryId: z.string(),
  postId: z.string(),
  targetId: z.string(),
  platform: z.string(),
  status: DeliveryStatusSchema,
  /** The time it was scheduled for. */
  publishAt: z.string(),
  /** When it really goes (or went): the time the calendar groups by; differs from `publishAt` when the worker moved it. */
  goesAt: z.string(),
  /** `HH:mm` of `goesAt` in the calendar's zone. */
  localTime: z.string(),
});

export const CalendarResponseSchema = z.strictObject({
  timeZone: z.string(),
  from: z.string(),
  to: z.string(),
  days: z.array(z.strictObject({ date: z.string(), deliveries: z.array(CalendarEntrySchema) })),
});
export type CalendarResponse = z.infer<typeof CalendarResponseSchema>;
