/**
 * PublishRequested v1: "publish this delivery now". The Scheduler sends it to the publish
 * queue at the delivery's time (it is the schedule's Input). The worker must drop it when the
 * delivery's current version differs (rescheduled) or its status is not SCHEDULED/RETRYING.
 */
import * as z from "../schemas/zod.js";
import { EVENT_IDS } from "./catalog.js";
import { defineEvent } from "./contract.js";

export const PublishRequestedV1 = defineEvent({
  ...EVENT_IDS.PublishRequestedV1,
  data: z.strictObject({
    tenantId: z.string().check(z.minLength(1)),
    deliveryId: z.string().check(z.minLength(1)),
    /** The delivery's version when the schedule was written; stale when it no longer matches. */
    version: z.int().check(z.minimum(1)),
  }),
});
export type PublishRequested = ReturnType<typeof PublishRequestedV1.create>;
