/**
 * ConnectionEvents on the stage's EventBridge bus: `ConnectionDisconnected` v1 when targets
 * become unusable, `ConnectionRestored` v1 when a reconnect makes them usable again. The posts
 * context consumes both (blocks / unblocks deliveries); this context never calls it directly.
 */
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ConnectionDisconnectedV1 } from "../../../events/connection-disconnected.v1.js";
import { ConnectionRestoredV1 } from "../../../events/connection-restored.v1.js";
import { reconnectAction } from "../domain/connection.js";
import type { ConnectionEvents } from "../use-cases/ports.js";

const WHY = {
  disconnected: "An administrator disconnected this account.",
  revoked: "Access to this account was revoked at the provider.",
  needs_reauth: "Access to this account expired or is no longer accepted.",
} as const;

export function eventBridgeConnectionEvents(client: EventBridgeClient, busName: string): ConnectionEvents {
  const put = async (
    contract: { source: string; name: string },
    message: { metadata: { correlationId: string } },
  ) => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: contract.source,
            DetailType: contract.name,
            Detail: JSON.stringify(message),
          },
        ],
      }),
    );
    // PutEvents answers 200 even when it refuses the entry.
    if ((out.FailedEntryCount ?? 0) > 0) {
      throw new Error(`EventBridge refused ${contract.name}: ${out.Entries?.[0]?.ErrorCode ?? "unknown"}`);
    }
  };
  return {
    async disconnected(input) {
      const message = ConnectionDisconnectedV1.create(
        {
          tenantId: input.tenantId,
          connectionId: input.connectionId,
          provider: input.provider,
          targetIds: [...input.targetIds],
          reason: input.reason,
          action: reconnectAction(input.provider, input.why ?? WHY[input.reason]),
        },
        { correlationId: input.correlationId ?? crypto.randomUUID() },
      );
      await put(ConnectionDisconnectedV1, message);
    },
    async restored(input) {
      const message = ConnectionRestoredV1.create(
        {
          tenantId: input.tenantId,
          connectionId: input.connectionId,
          provider: input.provider,
          targetIds: [...input.targetIds],
        },
        { correlationId: input.correlationId ?? crypto.randomUUID() },
      );
      await put(ConnectionRestoredV1, message);
    },
  };
}
