/**
 * ConnectionEvents on the stage's EventBridge bus: `ConnectionDisconnected` v1 when targets
 * become unusable, `ConnectionRestored` v1 when a reconnect makes them usable again. The posts
 * context consumes both (blocks / unblocks deliveries); this context never calls it directly.
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { ConnectionDisconnectedV1 } from "../../../events/connection-disconnected.v1.js";
import { ConnectionRestoredV1 } from "../../../events/connection-restored.v1.js";
import { putEvent } from "../../platform/aws/event-bus.js";
import { reconnectAction } from "../domain/connection.js";
import type { ConnectionAnnouncement, ConnectionEvents } from "../use-cases/ports.js";

const WHY = {
  disconnected: "An administrator disconnected this account.",
  revoked: "Access to this account was revoked at the provider.",
  needs_reauth: "Access to this account expired or is no longer accepted.",
} as const;

/** What both events say about the connection, and the envelope's correlation id. */
const subjectOf = (input: ConnectionAnnouncement) => ({
  tenantId: input.tenantId,
  connectionId: input.connectionId,
  provider: input.provider,
  targetIds: [...input.targetIds],
});
const envelopeOf = (input: ConnectionAnnouncement) => ({
  correlationId: input.correlationId ?? crypto.randomUUID(),
});

export function eventBridgeConnectionEvents(client: EventBridgeClient, busName: string): ConnectionEvents {
  return {
    async disconnected(input) {
      const message = ConnectionDisconnectedV1.create(
        {
          ...subjectOf(input),
          reason: input.reason,
          action: reconnectAction(input.provider, input.why ?? WHY[input.reason]),
        },
        envelopeOf(input),
      );
      await putEvent(client, busName, ConnectionDisconnectedV1, message);
    },
    async restored(input) {
      await putEvent(
        client,
        busName,
        ConnectionRestoredV1,
        ConnectionRestoredV1.create(subjectOf(input), envelopeOf(input)),
      );
    },
  };
}
