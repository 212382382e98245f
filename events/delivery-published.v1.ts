/**
 * DeliveryPublished v1: "this delivery is live on the platform". Put on the stage's bus by the
 * publish worker (functions/publishing) once the post (and its first comment, if any) is out.
 * No consumer yet; planned: notifications, outbound webhooks, analytics (first snapshot).
 */
import * as z from "../schemas/zod.js";
import { EVENT_IDS } from "./catalog.js";
import { defineEvent } from "./contract.js";

export const DeliveryPublishedV1 = defineEvent({
  ...EVENT_IDS.DeliveryPublishedV1,
  data: z.strictObject({
    tenantId: z.string().check(z.minLength(1)),
    deliveryId: z.string().check(z.minLength(1)),
    postId: z.string().check(z.minLength(1)),
    targetId: z.string().check(z.minLength(1)),
    platform: z.enum(["facebook", "instagram", "linkedin"]),
    /** The provider's id: Page post id, IG media id, LinkedIn share/ugcPost URN. */
    providerPostId: z.string().check(z.minLength(1)),
    permalink: z.optional(z.string()),
    /** When it was due (UTC) and when it went out. */
    publishAt: z.iso.datetime(),
    publishedAt: z.iso.datetime(),
    /** Attempts it took (1 = first try). */
    attempts: z.int().check(z.minimum(1)),
  }),
});
export type DeliveryPublished = ReturnType<typeof DeliveryPublishedV1.create>;
