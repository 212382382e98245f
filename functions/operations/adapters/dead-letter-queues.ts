/**
 * AWS adapters of the dead-letter replay (use-cases/replay-dead-letters.ts): an SQS DLQ as the
 * source, SQS queues and the stage's EventBridge bus as the targets. The clients are passed in,
 * so the same adapters serve the CLI (bin/dlq-replay.ts) and a future admin function.
 */
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { DeadLetter, DeadLetterSource, ReplayEvent, ReplayTargets } from "../use-cases/ports.js";

/**
 * Seconds a received DLQ message stays hidden while a replay run works on it; longer than a
 * run of a few hundred messages, so the run never sees its own messages twice.
 */
export const REPLAY_LEASE_SECONDS = 300;

/** An SQS DLQ as a {@link DeadLetterSource}. */
export function sqsDeadLetterSource(sqs: SQSClient, queueUrl: string): DeadLetterSource {
  const handles = new Map<string, string>();
  const handleOf = (letter: DeadLetter) => {
    const handle = handles.get(letter.messageId);
    if (!handle) throw new Error(`message ${letter.messageId} was not received by this source`);
    return handle;
  };
  return {
    async receive(max) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          VisibilityTimeout: REPLAY_LEASE_SECONDS,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ["All"],
          AttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      return (out.Messages ?? []).map((m) => {
        handles.set(m.MessageId!, m.ReceiptHandle!);
        const attributes: Record<string, { dataType: string; value: string }> = {};
        for (const [name, v] of Object.entries(m.MessageAttributes ?? {})) {
          // Binary attributes are not used by Herald; they are not carried over.
          if (v.StringValue !== undefined)
            attributes[name] = { dataType: v.DataType ?? "String", value: v.StringValue };
        }
        return { messageId: m.MessageId!, body: m.Body ?? "", attributes };
      });
    },
    async delete(letter) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handleOf(letter) }));
      handles.delete(letter.messageId);
    },
    async release(letter) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: handleOf(letter),
          VisibilityTimeout: 0,
        }),
      );
    },
  };
}

/** Sends to SQS queues by id and puts events on one bus. */
export function awsReplayTargets(deps: {
  readonly sqs: SQSClient;
  readonly eventbridge: EventBridgeClient;
  readonly queueUrls: Readonly<Record<"publish" | "webhook", string>>;
  readonly busName: string;
}): ReplayTargets {
  return {
    async sendToQueue(queue, body, attributes) {
      const MessageAttributes: Record<string, MessageAttributeValue> = {};
      for (const [name, a] of Object.entries(attributes))
        MessageAttributes[name] = { DataType: a.dataType, StringValue: a.value };
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.queueUrls[queue],
          MessageBody: body,
          ...(Object.keys(MessageAttributes).length ? { MessageAttributes } : {}),
        }),
      );
    },
    async putEvent(event: ReplayEvent) {
      const out = await deps.eventbridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: deps.busName,
              Source: event.source,
              DetailType: event.detailType,
              Detail: event.detail,
              Resources: [...event.resources],
              ...(event.time ? { Time: new Date(event.time) } : {}),
            },
          ],
        }),
      );
      const entry = out.Entries?.[0];
      if ((out.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode) {
        throw new Error(
          `PutEvents refused the event: ${entry?.ErrorCode ?? "?"} ${entry?.ErrorMessage ?? ""}`,
        );
      }
    },
  };
}
