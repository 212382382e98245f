/** DeliveryPublished / DeliveryFailed v1 on the stage's EventBridge bus. */
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DeliveryFailedV1 } from "../../../events/delivery-failed.v1.js";
import { DeliveryPublishedV1 } from "../../../events/delivery-published.v1.js";
import type { PublishEvents } from "../use-cases/ports.js";

export function eventBridgePublishEvents(client: EventBridgeClient, busName: string): PublishEvents {
  const put = async (source: string, detailType: string, detail: unknown) => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: busName, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) },
        ],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      throw new Error(`EventBridge refused ${detailType}: ${out.Entries?.[0]?.ErrorCode ?? "unknown"}`);
    }
  };
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
      await put(DeliveryPublishedV1.source, DeliveryPublishedV1.name, e);
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
      await put(DeliveryFailedV1.source, DeliveryFailedV1.name, e);
    },
  };
}
