/**
 * ConnectionDisconnected v1 consumer (EventBridge rule on the stage bus): the scheduled
 * deliveries of the connection's targets become BLOCKED, with the reconnect action in their
 * ledger, so the publish worker drops their firing instead of failing at the provider.
 *   event chain → blockTargetDeliveries → DeliveryStore (version-guarded conditional writes)
 *
 * Idempotent: a delivery already BLOCKED (a redelivery) is not in the blockable states and is
 * left alone. Late-safe: a target that is ACTIVE again, and a delivery created or unblocked
 * after the event occurred (a reconnect overtook a retried message), are left alone too; the
 * reconnect's ConnectionRestored v1 (on-connection-restored) is the later word.
 */
import { ConnectionDisconnectedV1 } from "../../../events/connection-disconnected.v1.js";
import { eventHandler } from "../../platform/events.js";
import { logger } from "../../platform/observability.js";
import { blockTargetDeliveries } from "../use-cases/blocking.js";
import type { PostsDeps } from "../use-cases/ports.js";
import { postsWiring } from "../wiring.js";

/** The chain around the use case (exported so tests can run it with other deps). */
export function createOnConnectionDisconnectedHandler(
  deps: Pick<PostsDeps, "deliveries" | "targets" | "now">,
) {
  return eventHandler(ConnectionDisconnectedV1, async ({ data, metadata }) => {
    const out = await blockTargetDeliveries(deps, {
      tenantId: data.tenantId,
      targetIds: data.targetIds,
      reason: data.reason,
      action: data.action.message,
      actionType: data.action.type,
      // A retried message may arrive after the account was reconnected: leave what came after.
      occurredAt: metadata.occurredAt,
    });
    logger.info("deliveries blocked", {
      tenantId: data.tenantId,
      connectionId: data.connectionId,
      targets: data.targetIds.length,
      blocked: out.changed.map((d) => d.id),
      skipped: out.skipped,
      overtaken: out.overtaken,
    });
  });
}

const { deps } = postsWiring();

export const handler = createOnConnectionDisconnectedHandler(deps);
