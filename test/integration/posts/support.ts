/**
 * Fixtures shared by the posts context's event-consumer tests against the local stack: SDK
 * clients pointed at the emulators, SCHEDULED deliveries written as the scheduler writes them,
 * events put on the stage bus, the stage rules' patterns and the stack's activity log.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { expect } from "vitest";
import { newId } from "../../../functions/platform/keys.js";
import { deliveryRepository } from "../../../functions/posts/adapters/delivery-repository.js";
import { postRepository } from "../../../functions/posts/adapters/post-repository.js";
import type { Delivery, Post } from "../../../functions/posts/domain/post.js";
import { names } from "../../../schemas/resources.js";
import { stackInfo } from "../../support/stack.js";

/** Clearly-fake keys the local emulators accept. */
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** A fresh tenant id per test. */
export const tenant = () => `it-${randomUUID().slice(0, 8)}`;

/** A document client on the local DynamoDB (destroy it in `afterAll`). */
export function documentClient(): DynamoDBDocumentClient {
  const { aws } = stackInfo();
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: aws.region, endpoint: aws.dynamodb, credentials }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

/** An EventBridge client on the local emulator (destroy it in `afterAll`). */
export function eventBridgeClient(): EventBridgeClient {
  const { aws } = stackInfo();
  return new EventBridgeClient({ region: aws.region, endpoint: aws.eventbridge, credentials });
}

/** A post with one SCHEDULED delivery per target, an hour from now, written as the scheduler does. */
export async function scheduledDeliveries(
  doc: DynamoDBDocumentClient,
  tenantId: string,
  targetIds: readonly string[],
): Promise<Delivery[]> {
  const table = stackInfo().resources.table;
  const posts = postRepository(doc, table);
  const deliveries = deliveryRepository(doc, table);
  const now = new Date().toISOString();
  const publishAt = new Date(Date.now() + 3600_000).toISOString();
  const postId = newId("pst");
  const items: Delivery[] = targetIds.map((targetId) => {
    const id = newId("dlv");
    return {
      tenantId,
      id,
      postId,
      targetId,
      platform: "facebook",
      status: "SCHEDULED",
      version: 1,
      publishAt,
      timeZone: "UTC",
      scheduleName: `dlv-${id}`,
      ledger: [{ at: now, event: "scheduled", status: "SCHEDULED", by: "it" }],
      createdAt: now,
      updatedAt: now,
    };
  });
  const post: Post = {
    tenantId,
    id: postId,
    status: "APPROVED",
    version: 1,
    content: { text: "hello" },
    targetIds: [...targetIds],
    deliveryIds: [],
    history: [],
    createdAt: now,
    createdBy: "it",
    updatedAt: now,
  };
  await posts.create(post);
  await deliveries.createWithPost(
    items,
    { ...post, status: "SCHEDULED", version: 2, deliveryIds: items.map((d) => d.id) },
    1,
  );
  return items;
}

/** Put one event of `contract` on the stage bus; answers its EventBridge event id. */
export async function putOnBus(
  events: EventBridgeClient,
  contract: { source: string; name: string },
  detail: unknown,
): Promise<string> {
  const out = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: stackInfo().resources.bus,
          Source: contract.source,
          DetailType: contract.name,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries![0]!.EventId!;
}

/** The parsed event pattern of the stage rule the stack created for consumer `fn` (`{}` when absent). */
export async function rulePattern(events: EventBridgeClient, fn: string): Promise<unknown> {
  const { resources } = stackInfo();
  const out = await events.send(new ListRulesCommand({ EventBusName: resources.bus }));
  const rule = out.Rules?.find((r) => r.Name === names.eventRule(resources.stage, fn));
  return JSON.parse(rule?.EventPattern ?? "{}");
}

/** One line of the local stack's activity log. */
export interface Activity {
  source: string;
  type: string;
  detail?: Record<string, unknown>;
}

/** Everything the local stack has logged so far. */
export const activity = async (): Promise<Activity[]> =>
  (await readFile(stackInfo().activityLog, "utf8"))
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Activity);
