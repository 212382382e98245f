/**
 * ConnectionDisconnected v1: "these targets can no longer be published to until the account is
 * reconnected". Sent on the stage's bus by functions/connections when an admin disconnects a
 * connection (`reason: disconnected`), when Meta tells us the user removed the app or the
 * refresh finds the grant revoked (`revoked`), or when access expired / cannot be renewed
 * (`needs_reauth`). The posts context blocks the scheduled deliveries of `targetIds` with a
 * reconnect action; caches of the connection's tokens must be dropped.
 */
import * as z from "../schemas/zod.js";
import { EVENT_IDS } from "./catalog.js";
import { defineEvent } from "./contract.js";

export const ConnectionDisconnectedV1 = defineEvent({
  ...EVENT_IDS.ConnectionDisconnectedV1,
  data: z.strictObject({
    tenantId: z.string().check(z.minLength(1)),
    connectionId: z.string().check(z.minLength(1)),
    provider: z.enum(["meta", "linkedin"]),
    targetIds: z.array(z.string()),
    reason: z.enum(["disconnected", "revoked", "needs_reauth"]),
    action: z.strictObject({ type: z.literal("reconnect"), message: z.string() }),
  }),
});
export type ConnectionDisconnected = ReturnType<typeof ConnectionDisconnectedV1.create>;
