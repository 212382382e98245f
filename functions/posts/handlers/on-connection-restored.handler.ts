/**
 * ConnectionRestored v1 consumer (EventBridge rule on the stage bus): after a reconnect, the
 * BLOCKED deliveries of the connection's targets whose time has not passed go back to
 * SCHEDULED with a new version, and their at() schedules are written again.
 *   event chain → unblockTargetDeliveries → TargetLookup, DeliveryStore (version-guarded
 *   conditional writes), ScheduleGateway
 *
 * Idempotent: a redelivery finds nothing BLOCKED (or loses the version-guarded write) and
 * changes nothing. Late-safe: a target out of service again, and a delivery blocked by a loss
 * that occurred after this event, are left BLOCKED — the later ConnectionDisconnected wins.
 */
import { ConnectionRestoredV1 } from "../../../events/connection-restored.v1.js";
import { eventHandler } from "../../platform/events.js";
import { logger } from "../../platform/observability.js";
import { unblockTargetDeliveries } from "../use-cases/blocking.js";
import type { PostsDeps } from "../use-cases/ports.js";
import { postsWiring } from "../wiring.js";

/** The chain around the use case (exported so tests can run it with other deps). */
export function createOnConnectionRestoredHandler(
  deps: Pick<PostsDeps, "deliveries" | "targets" | "schedules" | "now" | "limits">,
) {
  return eventHandler(ConnectionRestoredV1, async ({ data, metadata }, ctx) => {
    const out = await unblockTargetDeliveries(deps, {
      tenantId: data.tenantId,
      targetIds: data.targetIds,
      correlationId: ctx.correlationId,
      occurredAt: metadata.occurredAt,
    });
    logger.info("deliveries unblocked", {
      tenantId: data.tenantId,
      connectionId: data.connectionId,
      targets: data.targetIds.length,
      unblocked: out.changed.map((d) => d.id),
      skipped: out.skipped,
      overtaken: out.overtaken,
    });
  });
}

const { deps } = postsWiring({ scheduler: true });

export const handler = createOnConnectionRestoredHandler(deps);
