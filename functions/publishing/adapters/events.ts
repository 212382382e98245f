/** DeliveryPublished / DeliveryFailed v1 on the stage's EventBridge bus. */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DeliveryFailedV1 } from "../../../events/delivery-failed.v1.js";
import { DeliveryPublishedV1 } from "../../../events/delivery-published.v1.js";
import { putEvent } from "../../platform/aws/event-bus.js";
import type { PublishEvents } from "../use-cases/ports.js";

export function eventBridgePublishEvents(client: EventBridgeClient, busName: string): PublishEvents {
  return {
    async published(d, correlationId) {
      const e = DeliveryPublishedV1.create(
        {
          tenantId: d.tenantId,
          deliveryId: d.id,
          postId: d.postId,
          targetId: d.targetId,
          platform: d.platform,
          providerPostId: d.providerPostId ?? "unknown",
          ...(d.permalink ? { permalink: d.permalink } : {}),
          publishAt: d.publishAt,
          publishedAt: d.publishedAt ?? d.updatedAt,
          attempts: (d.publishing?.attempts ?? 0) + 1,
        },
        // One id per delivery: consumers dedupe a re-emitted event.
        { correlationId, id: `${d.id}.published` },
      );
      await putEvent(client, busName, DeliveryPublishedV1, e);
    },
    async failed(d, error, correlationId) {
      const e = DeliveryFailedV1.create(
        {
          tenantId: d.tenantId,
          deliveryId: d.id,
          postId: d.postId,
          targetId: d.targetId,
          platform: d.platform,
          publishAt: d.publishAt,
          failedAt: d.updatedAt,
          attempts: (d.publishing?.attempts ?? 0) + 1,
          error: {
            class: error.class,
            action: error.action,
            message: error.message,
            providerCode: error.providerCode,
            rule: error.rule,
          },
        },
        { correlationId, id: `${d.id}.failed.v${d.version}` },
      );
      await putEvent(client, busName, DeliveryFailedV1, e);
    },
  };
}
