/**
 * ConnectionRestored v1: "these targets can be published to again". Sent on the stage's bus by
 * functions/connections when an existing connection is reconnected (the OAuth callback stores
 * a fresh grant for an account the tenant had already connected). `targetIds` are the targets
 * the new grant reaches (ACTIVE). The posts context puts their BLOCKED deliveries back on
 * schedule when their time has not passed; the later of this event and a
 * `ConnectionDisconnected` for the same target wins (compare `metadata.occurredAt`).
 */
import * as z from "../schemas/zod.js";
import { EVENT_IDS } from "./catalog.js";
import { defineEvent } from "./contract.js";

export const ConnectionRestoredV1 = defineEvent({
  ...EVENT_IDS.ConnectionRestoredV1,
  data: z.strictObject({
    tenantId: z.string().check(z.minLength(1)),
    connectionId: z.string().check(z.minLength(1)),
    provider: z.enum(["meta", "linkedin"]),
    targetIds: z.array(z.string()),
  }),
});
export type ConnectionRestored = ReturnType<typeof ConnectionRestoredV1.create>;
