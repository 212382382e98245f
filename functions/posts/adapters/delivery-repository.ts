/**
 * Deliveries in the single table.
 *   item: PK `TENANT#<t>#DELIVERY#<id>`, SK `DELIVERY`
 *   list: GSI1PK `TENANT#<t>#DELIVERIES`, GSI1SK `<goesAt>#<id>` (by the time it really goes: the
 *         worker's next attempt when it moved one, else publishAt; lists and the calendar)
 * Scheduling writes all of a post's deliveries and the post in one transaction; every later
 * change is a Put conditional on status and version (the worker's claim uses the same rule).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { parseItem } from "../../platform/dynamodb/items.js";
import { listQuery } from "../../platform/dynamodb/list-query.js";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import { type Delivery, goesAt } from "../domain/post.js";
import { type DeliveryStore, InvalidCursor, WriteConflict } from "../use-cases/ports.js";
import { DeliveryItemSchema } from "./items.js";
import { postItem } from "./post-repository.js";

export const deliveryKey = (tenantId: string, id: string) => ({
  PK: tenantPk(tenantId, "DELIVERY", id),
  SK: "DELIVERY",
});

export const deliveryItem = (d: Delivery) => ({
  ...deliveryKey(d.tenantId, d.id),
  GSI1PK: tenantListPk(d.tenantId, "DELIVERIES"),
  // Every write recomputes it, so the index follows the worker's moves and a reschedule alike.
  GSI1SK: `${goesAt(d)}#${d.id}`,
  entity: "DELIVERY",
  ...d,
});

/** A stored delivery, parsed (CorruptItemError naming the key and fields when it is not one). */
export const fromDeliveryItem = (item: Record<string, unknown>): Delivery =>
  parseItem(DeliveryItemSchema, item, "delivery");

export function deliveryRepository(client: DynamoDBDocumentClient, table: string): DeliveryStore {
  const get = async (tenantId: string, id: string) => {
    const out = await client.send(
      new GetCommand({ TableName: table, Key: deliveryKey(tenantId, id), ConsistentRead: true }),
    );
    return out.Item ? fromDeliveryItem(out.Item) : undefined;
  };
  return {
    get,
    async createWithPost(deliveries, post, expectedPostVersion) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...deliveries.map((d) => ({
                Put: {
                  TableName: table,
                  Item: deliveryItem(d),
                  ConditionExpression: "attribute_not_exists(PK)",
                },
              })),
              {
                Put: {
                  TableName: table,
                  Item: postItem(post),
                  ConditionExpression: "attribute_exists(PK) AND version = :v",
                  ExpressionAttributeValues: { ":v": expectedPostVersion },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          const reasons = error.CancellationReasons ?? [];
          if (reasons.some((r) => r.Code === "ConditionalCheckFailed")) throw new WriteConflict();
        }
        throw error;
      }
    },
    async replace(next, expectedVersion, fromStatuses) {
      const names = fromStatuses.map((_, i) => `:s${i}`);
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: deliveryItem(next),
            ConditionExpression: `version = :v AND #status IN (${names.join(", ")})`,
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":v": expectedVersion,
              ...Object.fromEntries(fromStatuses.map((s, i) => [`:s${i}`, s])),
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          const now = await get(next.tenantId, next.id);
          throw new WriteConflict(now ? { version: now.version, status: now.status } : undefined);
        }
        throw error;
      }
    },
    async list(tenantId, filter) {
      // Sort keys are `<ISO>#<id>`: from ≤ goesAt < to.
      const page = await listQuery(client, {
        table,
        index: "GSI1",
        partition: tenantListPk(tenantId, "DELIVERIES"),
        itemPkPrefix: tenantPk(tenantId, "DELIVERY", ""),
        ...(filter.from ? { from: filter.from } : {}),
        ...(filter.to ? { to: filter.to } : {}),
        filters: [
          ...(filter.status ? [{ attr: "status", value: filter.status }] : []),
          ...(filter.targetId ? [{ attr: "targetId", value: filter.targetId }] : []),
        ],
        limit: filter.limit,
        ...(filter.cursor ? { cursor: filter.cursor } : {}),
        invalidCursor: (reason) => new InvalidCursor(reason),
      });
      return { ...page, items: page.items.map(fromDeliveryItem) };
    },
  };
}
