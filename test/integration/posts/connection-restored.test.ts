/**
 * ConnectionRestored v1 end to end through the running local stack: the stack created the
 * manifest's rule on the stage bus; an event put there with the SDK reaches
 * on-connection-restored, which puts a BLOCKED delivery of an ACTIVE target back on schedule
 * (new version, the at() schedule written again with it); a restore older than the loss that
 * blocked a delivery leaves it BLOCKED (the later event wins).
 */
import { randomUUID } from "node:crypto";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRestoredV1 } from "../../../events/connection-restored.v1.js";
import { tenantPk } from "../../../functions/platform/keys.js";
import { deliveryRepository } from "../../../functions/posts/adapters/delivery-repository.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import { eventually, stackInfo } from "../../support/stack.js";
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
let scheduler: SchedulerClient;

beforeAll(() => {
  const { aws } = stackInfo();
  doc = documentClient();
  events = eventBridgeClient();
  scheduler = new SchedulerClient({ region: aws.region, endpoint: aws.scheduler, credentials });
});
afterAll(() => {
  doc?.destroy();
  events?.destroy();
  scheduler?.destroy();
});

/** An ACTIVE target item, as the connections context stores it after a reconnect. */
async function activeTarget(tenantId: string, id: string) {
  const now = new Date().toISOString();
  await doc.send(
    new PutCommand({
      TableName: stackInfo().resources.table,
      Item: {
        PK: tenantPk(tenantId, "TARGET", id),
        SK: "TARGET",
        tenantId,
        id,
        connectionId: "con_it",
        platform: "facebook",
        kind: "facebook_page",
        externalId: `page-${id}`,
        name: id,
        status: "ACTIVE",
        createdAt: now,
        updatedAt: now,
      },
    }),
  );
}

/** A post with one delivery to `targetId`, an hour from now, BLOCKED by a loss that occurred at `lostAt`. */
async function blockedDelivery(tenantId: string, targetId: string, lostAt: string): Promise<Delivery> {
  const [scheduled] = (await scheduledDeliveries(doc, tenantId, [targetId])) as [Delivery];
  const now = new Date().toISOString();
  const blocked: Delivery = {
    ...scheduled,
    status: "BLOCKED",
    version: 2,
    ledger: [
      ...scheduled.ledger,
      { at: now, event: "blocked", status: "BLOCKED", by: "herald", detail: "it", occurredAt: lostAt },
    ],
  };
  await deliveryRepository(doc, stackInfo().resources.table).replace(blocked, 1, ["SCHEDULED"]);
  return blocked;
}

function putRestored(tenantId: string, targetIds: string[], occurredAt: string): Promise<string> {
  return putOnBus(
    events,
    ConnectionRestoredV1,
    ConnectionRestoredV1.create(
      { tenantId, connectionId: "con_it", provider: "meta", targetIds },
      { correlationId: `it-${randomUUID()}`, occurredAt },
    ),
  );
}

const stored = (tenantId: string, id: string) =>
  deliveryRepository(doc, stackInfo().resources.table).get(tenantId, id);

/** Wait until the consumer finished this bus event (the local stack's activity log says so). */
const consumed = (eventId: string) =>
  eventually(
    async () =>
      (await activity()).find(
        (a) =>
          a.type === "async-invoke-succeeded" &&
          a.detail?.function === "on-connection-restored" &&
          a.detail?.eventId === eventId,
      ),
    { what: "on-connection-restored to finish the event" },
  );

describe("ConnectionRestored v1 → on-connection-restored (local stack)", () => {
  it("the stack created the manifest's rule on the stage bus", async () => {
    expect(await rulePattern(events, "on-connection-restored")).toEqual({
      source: ["herald.connections"],
      "detail-type": ["ConnectionRestored"],
      detail: { metadata: { version: [1] } },
    });
  });

  it("puts a BLOCKED delivery of a reconnected target back on schedule, with a schedule for its new version", async () => {
    const t = tenant();
    await activeTarget(t, "tgt_back");
    const lostAt = new Date(Date.now() - 60_000).toISOString();
    const d = await blockedDelivery(t, "tgt_back", lostAt);
    const restoredAt = new Date().toISOString();
    await putRestored(t, ["tgt_back"], restoredAt);

    const back = await eventually(
      async () => {
        const s = await stored(t, d.id);
        return s?.status === "SCHEDULED" ? s : undefined;
      },
      { what: "the delivery to be back on schedule" },
    );
    expect(back.version).toBe(3);
    expect(back.ledger.at(-1)).toMatchObject({ event: "unblocked", occurredAt: restoredAt });
    const schedule = await scheduler.send(
      new GetScheduleCommand({ Name: d.scheduleName, GroupName: stackInfo().resources.scheduleGroup }),
    );
    expect(JSON.parse(schedule.Target?.Input ?? "{}")).toMatchObject({
      data: { tenantId: t, deliveryId: d.id, version: 3 },
    });
  });

  it("a restore older than the loss that blocked the delivery leaves it BLOCKED", async () => {
    const t = tenant();
    await activeTarget(t, "tgt_late");
    const restoredAt = new Date(Date.now() - 120_000).toISOString();
    const d = await blockedDelivery(t, "tgt_late", new Date(Date.now() - 60_000).toISOString());
    await consumed(await putRestored(t, ["tgt_late"], restoredAt));
    expect(await stored(t, d.id)).toMatchObject({ status: "BLOCKED", version: 2 });
  });
});
