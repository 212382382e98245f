/** ConnectionEvents on the stage's EventBridge bus (`ConnectionDisconnected` v1). */
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ConnectionDisconnectedV1 } from "../../../events/connection-disconnected.v1.js";
import { reconnectAction } from "../domain/connection.js";
import type { ConnectionEvents } from "../use-cases/ports.js";

const WHY = {
  disconnected: "An administrator disconnected this account.",
  revoked: "Access to this account was revoked at the provider.",
  needs_reauth: "Access to this account expired or is no longer accepted.",
} as const;

export function eventBridgeConnectionEvents(client: EventBridgeClient, busName: string): ConnectionEvents {
  return {
    async disconnected(input) {
      const message = ConnectionDisconnectedV1.create(
        {
          tenantId: input.tenantId,
          connectionId: input.connectionId,
          provider: input.provider,
          targetIds: [...input.targetIds],
          reason: input.reason,
          action: reconnectAction(input.provider, WHY[input.reason]),
        },
        { correlationId: input.correlationId ?? crypto.randomUUID() },
      );
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: ConnectionDisconnectedV1.source,
              DetailType: ConnectionDisconnectedV1.name,
              Detail: JSON.stringify(message),
            },
          ],
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        throw new Error(
          `EventBridge refused ConnectionDisconnected: ${out.Entries?.[0]?.ErrorCode ?? "unknown"}`,
        );
      }
    },
  };
}
