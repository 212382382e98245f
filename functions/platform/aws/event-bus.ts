/**
 * Put one domain event on the stage's bus: `Source` and `DetailType` from its contract
 * (`events/`), the whole `{metadata, data}` envelope as `Detail`. PutEvents answers 200 even
 * when it refuses an entry, so a refused entry is thrown here, never lost silently.
 */
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";

export async function putEvent(
  client: EventBridgeClient,
  busName: string,
  contract: { readonly source: string; readonly name: string },
  envelope: unknown,
): Promise<void> {
  const out = await client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: busName,
          Source: contract.source,
          DetailType: contract.name,
          Detail: JSON.stringify(envelope),
        },
      ],
    }),
  );
  if ((out.FailedEntryCount ?? 0) > 0) {
    throw new Error(`EventBridge refused ${contract.name}: ${out.Entries?.[0]?.ErrorCode ?? "unknown"}`);
  }
}
