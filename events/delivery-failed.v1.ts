/**
 * DeliveryFailed v1: "this delivery will not be published without a person acting". Put on the
 * stage's bus by the publish worker with the normalised error: its class, the next step
 * (`reconnect`, `fix_content`, `reschedule`, …) and a message a person can act on.
 */
import * as z from "../schemas/zod.js";
import { EVENT_IDS } from "./catalog.js";
import { defineEvent } from "./contract.js";

export const DeliveryFailedV1 = defineEvent({
  ...EVENT_IDS.DeliveryFailedV1,
  data: z.strictObject({
    tenantId: z.string().check(z.minLength(1)),
    deliveryId: z.string().check(z.minLength(1)),
    postId: z.string().check(z.minLength(1)),
    targetId: z.string().check(z.minLength(1)),
    platform: z.enum(["facebook", "instagram", "linkedin"]),
    publishAt: z.iso.datetime(),
    failedAt: z.iso.datetime(),
    attempts: z.int().check(z.minimum(1)),
    error: z.strictObject({
      class: z.string().check(z.minLength(1)),
      action: z.string().check(z.minLength(1)),
      message: z.string().check(z.minLength(1)),
      /** `meta 190/463`, `linkedin 426`, … */
      providerCode: z.string(),
      /** The error-table row (docs/publishing-errors.md). */
      rule: z.string(),
    }),
  }),
});
export type DeliveryFailed = ReturnType<typeof DeliveryFailedV1.create>;
