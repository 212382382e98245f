/** The publish queue: the next PublishRequested v1 for a delivery, with a delay (≤ 15 min). */
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { PublishRequestedV1 } from "../../../events/publish-requested.v1.js";
import { CORRELATION_ATTRIBUTE } from "../../platform/observability.js";
import type { PublishQueue } from "../use-cases/ports.js";

export function sqsPublishQueue(
  client: SQSClient,
  queueUrl: string,
): PublishQueue & {
  /** Make a received message visible again now (used to hurry a dead-lettered one to the DLQ). */
  releaseNow(receiptHandle: string): Promise<void>;
} {
  return {
    async send(input) {
      const event = PublishRequestedV1.create(
        { tenantId: input.tenantId, deliveryId: input.deliveryId, version: input.version },
        { correlationId: input.correlationId, id: `${input.deliveryId}.v${input.version}` },
      );
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(event),
          DelaySeconds: Math.max(0, Math.min(900, Math.ceil(input.delaySeconds))),
          MessageAttributes: {
            [CORRELATION_ATTRIBUTE]: { DataType: "String", StringValue: input.correlationId },
          },
        }),
      );
    },
    async releaseNow(receiptHandle) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    },
  };
}
