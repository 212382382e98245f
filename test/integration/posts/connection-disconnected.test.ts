/**
 * ConnectionDisconnected v1 end to end through the running local stack: an event put on the
 * stage bus with the SDK matches the rule the stack created from the manifest, the EventBridge
 * emulator hands it to Lambda's asynchronous invoke, the consumer blocks the target's
 * SCHEDULED delivery (read back through the API), and a message that breaks the contract ends
 * in the events DLQ as Lambda's on-failure record after the retries. Finally the real
 * publisher: disconnecting a connection through the API reaches the consumer over the bus.
 */
import { randomUUID } from "node:crypto";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionDisconnectedV1 } from "../../../events/connection-disconnected.v1.js";
import { deliveryRepository } from "../../../functions/posts/adapters/delivery-repository.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import { names } from "../../../schemas/resources.js";
import { api, eventually, stackInfo, tokenFor } from "../../support/stack.js";
import { adminToken, connect, newTenant } from "../connections/helpers.js";
import {
  activity,
  credentials,
  documentClient,
  eventBridgeClient,
  putOnBus,
  rulePattern,
  scheduledDeliveries,
  tenant,
} from "./support.js";

let doc: DynamoDBDocumentClient;
let events: EventBridgeClient;
let sqs: SQSClient;

beforeAll(() => {
  const { aws } = stackInfo();
  doc = documentClient();
  events = eventBridgeClient();
  sqs = new SQSClient({ region: aws.region, endpoint: aws.sqs, credentials });
});
afterAll(() => {
  doc?.destroy();
  events?.destroy();
  sqs?.destroy();
});

interface DeliveryView {
  status: string;
  version: number;
  ledger: Record<string, unknown>[];
}

describe("ConnectionDisconnected v1 → on-connection-disconnected (local stack)", () => {
  it("the stack created the manifest's rule on the stage bus", async () => {
    expect(await rulePattern(events, "on-connection-disconnected")).toEqual({
      source: ["herald.connections"],
      "detail-type": ["ConnectionDisconnected"],
      detail: { metadata: { version: [1] } },
    });
  });

  it("blocks the disconnected target's SCHEDULED delivery with a reconnect action; the other target stays SCHEDULED", async () => {
    const t = tenant();
    const [gone, kept] = (await scheduledDeliveries(doc, t, ["tgt_gone", "tgt_kept"])) as [
      Delivery,
      Delivery,
    ];
    const message =
      "Access to this account was revoked at the provider. Reconnect the Meta (Facebook/Instagram) account: POST /v1/connections/meta/authorize.";
    await putOnBus(
      events,
      ConnectionDisconnectedV1,
      ConnectionDisconnectedV1.create(
        {
          tenantId: t,
          connectionId: "con_it",
          provider: "meta",
          targetIds: ["tgt_gone"],
          reason: "revoked",
          action: { type: "reconnect", message },
        },
        { correlationId: `it-${randomUUID()}` },
      ),
    );

    const token = await tokenFor({ tenant: t, roles: ["editor"] });
    const read = async (id: string) =>
      (await (await api(`/v1/deliveries/${id}`, { token })).json()) as DeliveryView;
    const blocked = await eventually(
      async () => {
        const d = await read(gone.id);
        return d.status === "BLOCKED" ? d : undefined;
      },
      { what: "the delivery to become BLOCKED" },
    );
    expect(blocked.version).toBe(2);
    expect(blocked.ledger.at(-1)).toMatchObject({
      event: "blocked",
      status: "BLOCKED",
      action: "reconnect",
      detail: `revoked: ${message}`,
    });
    const other = await read(kept.id);
    expect(other).toMatchObject({ status: "SCHEDULED", version: 1 });
  });

  it("a message that breaks the contract is retried by Lambda and lands in the events DLQ with the event", async () => {
    const t = tenant();
    const [d] = (await scheduledDeliveries(doc, t, ["tgt_x"])) as [Delivery];
    const bad = ConnectionDisconnectedV1.create(
      {
        tenantId: t,
        connectionId: "con_bad",
        provider: "meta",
        targetIds: ["tgt_x"],
        reason: "revoked",
        action: { type: "reconnect", message: "m" },
      },
      { correlationId: `it-${randomUUID()}` },
    );
    (bad.data as Record<string, unknown>).reason = "bored";
    await putOnBus(events, ConnectionDisconnectedV1, bad);

    const queueUrl = stackInfo().resources.queues.eventsDlq!;
    const record = await eventually(
      async () => {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const m of out.Messages ?? []) {
          const body = JSON.parse(m.Body ?? "{}") as {
            requestContext?: { condition?: string; approximateInvokeCount?: number; functionArn?: string };
            requestPayload?: { detail?: { metadata?: { id?: string } } };
            responsePayload?: { errorType?: string; errorMessage?: string };
          };
          if (body.requestPayload?.detail?.metadata?.id === bad.metadata.id) {
            await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
            return body;
          }
        }
        return undefined;
      },
      { timeoutMs: 30_000, what: "the on-failure record in the events DLQ" },
    );
    expect(record.requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 3 });
    expect(record.requestContext?.functionArn).toContain(":function:herald-");
    expect(record.responsePayload?.errorType).toBe("MalformedEventError");
    expect(record.responsePayload?.errorMessage).toMatch(/data\.reason/);
    const stored = await deliveryRepository(doc, stackInfo().resources.table).get(t, d.id);
    expect(stored?.status).toBe("SCHEDULED");
  });
});

describe("the connections context's ConnectionDisconnected reaches the consumer", () => {
  it("DELETE /v1/connections/{id} puts the event; the stage rule routes it to on-connection-disconnected, which succeeds", async () => {
    const t = newTenant("it-evt");
    const token = await adminToken(t);
    const id = await connect(token, "linkedin");
    expect((await api(`/v1/connections/${id}`, { method: "DELETE", token })).status).toBe(204);

    const rule = names.eventRule(stackInfo().resources.stage, "on-connection-disconnected");
    const done = await eventually(
      async () => {
        const lines = await activity();
        const put = lines.find((a) => {
          const data = (
            a.detail?.detail as { data?: { tenantId?: string; connectionId?: string } } | undefined
          )?.data;
          return a.type === "event-put" && data?.tenantId === t && data.connectionId === id;
        });
        if (!put) return undefined;
        expect(put.detail).toMatchObject({
          source: ConnectionDisconnectedV1.source,
          detailType: ConnectionDisconnectedV1.name,
          rules: [rule],
        });
        return lines.find(
          (a) =>
            a.type === "async-invoke-succeeded" &&
            a.detail?.function === "on-connection-disconnected" &&
            a.detail?.eventId === put.detail?.eventId,
        );
      },
      { what: "the consumer to run for the disconnect's event" },
    );
    expect(done.detail?.attempts).toBe(1);
  });
});
