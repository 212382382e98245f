/**
 * A malformed message on the publish queue, through the local stack's real poller and publish
 * worker: the SQS chain sends it straight to the queue's DLQ with its reason (the consumer's
 * `HERALD_PUBLISH_DLQ_URL` is set locally as in AWS), instead of letting it come back until
 * the redrive policy moves it.
 */
import { randomUUID } from "node:crypto";
import { type Message, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../../functions/manifest.js";
import { DEAD_LETTER_ATTRIBUTES } from "../../../functions/platform/batch.js";
import { QUEUES } from "../../../schemas/resources.js";
import { eventually, stackInfo } from "../../support/stack.js";

const info = stackInfo();
const sqs = new SQSClient({
  region: info.aws.region,
  endpoint: info.aws.sqs,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});
afterAll(() => sqs.destroy());

const publish = FUNCTIONS.find((f) => f.name === "publish")!;
/**
 * The worker handles a received message within its own timeout; the message is received
 * within one visibility timeout of being sent. Past both, it was not dead-lettered by the chain.
 */
const WITHIN_MS = (publish.timeoutSeconds + QUEUES.publish.visibilityTimeoutSeconds) * 1000;

/** Our message in the DLQ, left visible for anyone else reading it. */
async function findInDlq(sourceMessageId: string): Promise<Message | undefined> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: info.resources.queues.publishDlq!,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ["All"],
    }),
  );
  return out.Messages?.find(
    (m) => m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.sourceMessageId]?.StringValue === sourceMessageId,
  );
}

describe("malformed messages on the publish queue", () => {
  it(
    "go to the publish DLQ with the reason, the source message id and the correlation id",
    async () => {
      const correlationId = `malformed-${randomUUID()}`;
      const body = `{"metadata": not json ${randomUUID()}`;
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: info.resources.queues.publish!,
          MessageBody: body,
          MessageAttributes: { correlationId: { DataType: "String", StringValue: correlationId } },
        }),
      );
      const dead = await eventually(() => findInDlq(sent.MessageId!), {
        timeoutMs: WITHIN_MS,
        what: "the malformed message in the publish DLQ",
      });
      expect(dead.Body).toBe(body);
      expect(dead.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue).toBe(
        "message body is not JSON",
      );
      expect(dead.MessageAttributes?.correlationId?.StringValue).toBe(correlationId);
    },
    WITHIN_MS + 30_000,
  );

  it(
    "name the offending field when the body is JSON but not a PublishRequested v1",
    async () => {
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: info.resources.queues.publish!,
          MessageBody: JSON.stringify({ metadata: { id: randomUUID() }, data: { deliveryId: 42 } }),
        }),
      );
      const dead = await eventually(() => findInDlq(sent.MessageId!), {
        timeoutMs: WITHIN_MS,
        what: "the contract-breaking message in the publish DLQ",
      });
      expect(dead.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue).toMatch(
        /^message does not match its contract: .*data\.deliveryId/,
      );
    },
    WITHIN_MS + 30_000,
  );
});
