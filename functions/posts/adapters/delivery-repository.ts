/**
 * Deliveries in the single table.
 *   item: PK `TENANT#<t>#DELIVERY#<id>`, SK `DELIVERY`
 *   list: GSI1PK `TENANT#<t>#DELIVERIES`, GSI1SK `<publishAt>#<id>` (by publish time; calendar)
 * Scheduling writes all of a post's deliveries and the post in one transaction; every later
 * change is a Put conditional on status and version (the worker's claim uses the same rule).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import type { Delivery } from "../domain/post.js";
import { type DeliveryStore, WriteConflict } from "../use-cases/ports.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { postItem } from "./post-repository.js";

export const deliveryKey = (tenantId: string, id: string) => ({
  PK: tenantPk(tenantId, "DELIVERY", id),
  SK: "DELIVERY",
});

export const deliveryItem = (d: Delivery) => ({
  ...deliveryKey(d.tenantId, d.id),
  GSI1PK: tenantListPk(d.tenantId, "DELIVERIES"),
  GSI1SK: `${d.publishAt}#${d.id}`,
  entity: "DELIVERY",
  ...d,
});

export function fromDeliveryItem(item: Record<string, unknown>): Delivery {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, entity: _e, ...rest } = item;
  return rest as unknown as Delivery;
}

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
      const gsi1pk = tenantListPk(tenantId, "DELIVERIES");
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ":pk": gsi1pk };
      let keyCond = "GSI1PK = :pk";
      // Sort keys are `<ISO>#<id>`: BETWEEN from AND to selects from ≤ publishAt < to.
      if (filter.from && filter.to) {
        keyCond += " AND GSI1SK BETWEEN :from AND :to";
        values[":from"] = filter.from;
        values[":to"] = filter.to;
      } else if (filter.from) {
        keyCond += " AND GSI1SK >= :from";
        values[":from"] = filter.from;
      } else if (filter.to) {
        keyCond += " AND GSI1SK < :to";
        values[":to"] = filter.to;
      }
      const filters: string[] = [];
      if (filter.status) {
        filters.push("#status = :status");
        names["#status"] = "status";
        values[":status"] = filter.status;
      }
      if (filter.targetId) {
        filters.push("targetId = :target");
        values[":target"] = filter.targetId;
      }
      const out = await client.send(
        new QueryCommand({
          TableName: table,
          IndexName: "GSI1",
          KeyConditionExpression: keyCond,
          ...(filters.length > 0 ? { FilterExpression: filters.join(" AND ") } : {}),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: true,
          Limit: filter.limit,
          ...(filter.cursor ? { ExclusiveStartKey: decodeCursor(filter.cursor, gsi1pk) } : {}),
        }),
      );
      const next = encodeCursor(out.LastEvaluatedKey);
      return { items: (out.Items ?? []).map(fromDeliveryItem), ...(next ? { nextCursor: next } : {}) };
    },
  };
}
