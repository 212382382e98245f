/**
 * DeliveryBlocker over the posts context's own use cases (functions/posts/use-cases/blocking.ts):
 * a lost connection's targets get their SCHEDULED/RETRYING deliveries BLOCKED with the
 * reconnect action in the ledger; after a successful reconnect, BLOCKED deliveries whose time
 * has not passed go back to SCHEDULED and their schedules are written again. The rules
 * (which statuses, races with the worker, the ledger entry) stay with the posts context.
 */
import { blockTargetDeliveries, unblockTargetDeliveries } from "../../posts/use-cases/blocking.js";
import type { PostsDeps } from "../../posts/use-cases/ports.js";
import type { DeliveryBlocker } from "../use-cases/ports.js";

export function postsDeliveryBlocker(
  deps: Pick<PostsDeps, "deliveries" | "now"> & Partial<Pick<PostsDeps, "schedules" | "limits">>,
): DeliveryBlocker {
  return {
    async blockForTargets({ tenantId, targetIds, action }) {
      // `actionType` (kept in the ledger entry for clients) is read by newer versions of the use case.
      const input = {
        tenantId,
        targetIds,
        reason: "The account behind this target lost its connection",
        action: action.message,
        actionType: action.type,
      };
      const out = await blockTargetDeliveries(deps, input);
      return out.changed.length;
    },
    async unblockForTargets({ tenantId, targetIds, correlationId }) {
      if (!deps.schedules || !deps.limits) return 0;
      const out = await unblockTargetDeliveries(
        { deliveries: deps.deliveries, now: deps.now, schedules: deps.schedules, limits: deps.limits },
        { tenantId, targetIds, correlationId },
      );
      return out.changed.length;
    },
  };
}
