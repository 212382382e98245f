/**
 * Every event's identity — name, source, version — without its schema. The function manifest
 * routes on these (EventBridge rules), and it is bundled into every handler, so it must not
 * pull in the contracts' zod schemas; the contract modules (`*.v1.ts`) build on these entries.
 */
export const EVENT_IDS = {
  PublishRequestedV1: { name: "PublishRequested", source: "herald.posts", version: 1 },
  DeliveryPublishedV1: { name: "DeliveryPublished", source: "herald.publishing", version: 1 },
  DeliveryFailedV1: { name: "DeliveryFailed", source: "herald.publishing", version: 1 },
  ConnectionDisconnectedV1: { name: "ConnectionDisconnected", source: "herald.connections", version: 1 },
  ConnectionRestoredV1: { name: "ConnectionRestored", source: "herald.connections", version: 1 },
} as const;
