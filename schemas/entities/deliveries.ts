/**
 * What a delivery is, shared by the API schemas and the posts/publishing domain: statuses, the
 * attempt ledger and the typed last error. The API re-exports these (schemas/api/deliveries.ts).
 */
import * as z from "../zod.js";

export const DELIVERY_STATUSES = [
  "SCHEDULED",
  "PUBLISHING",
  "PUBLISHED",
  "RETRYING",
  "FAILED",
  "CANCELLED",
  "BLOCKED",
  /** Dead-lettered: the worker gave up retrying and handed it to an operator; `lastError` says why. */
  "NEEDS_ATTENTION",
] as const;
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** One line of a delivery's attempt ledger: what happened, when, by whom or which step. */
export const LedgerEntrySchema = z.looseObject({
  at: z.string(),
  event: z.string(),
  status: z.optional(z.string()),
  detail: z.optional(z.string()),
  by: z.optional(z.string()),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** What kind of failure, as the publish worker classified it (`docs/publishing-errors.md`). */
export const DELIVERY_ERROR_CLASSES = [
  "transient",
  "rate_limited",
  "auth",
  "content",
  "quota",
  "duplicate",
  "config",
  "unknown",
] as const;
/** The next step a person (or Herald) should take. */
export const DELIVERY_ERROR_ACTIONS = [
  "retry",
  "wait",
  "reconnect",
  "fix_content",
  "reschedule",
  "adopt_existing",
  "contact_support",
] as const;

/** The last failure of a delivery, typed so a client never parses ledger text. */
export const DeliveryErrorSchema = z.strictObject({
  class: z.enum(DELIVERY_ERROR_CLASSES),
  /** The provider's own code (e.g. `meta 190/463`, `linkedin 401`) or Herald's (`herald target`). */
  code: z.string(),
  /** A sentence a person can act on. */
  message: z.string(),
  action: z.enum(DELIVERY_ERROR_ACTIONS),
});
export type DeliveryErrorResponse = z.infer<typeof DeliveryErrorSchema>;
