/**
 * Posts in the single table.
 *   item: PK `TENANT#<t>#POST#<id>`, SK `POST`
 *   list: GSI1PK `TENANT#<t>#POSTS`, GSI1SK `<createdAt>#<id>` (newest first; from/to on createdAt)
 * Status and target filters are FilterExpressions on that query (a page may hold fewer than
 * `limit` items; follow `nextCursor`).
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import type { Post } from "../domain/post.js";
import { type PostStore, WriteConflict } from "../use-cases/ports.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export const postKey = (tenantId: string, id: string) => ({ PK: tenantPk(tenantId, "POST", id), SK: "POST" });

export const postItem = (p: Post) => ({
  ...postKey(p.tenantId, p.id),
  GSI1PK: tenantListPk(p.tenantId, "POSTS"),
  GSI1SK: `${p.createdAt}#${p.id}`,
  entity: "POST",
  ...p,
});

export function fromPostItem(item: Record<string, unknown>): Post {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, entity: _e, ...rest } = item;
  return rest as unknown as Post;
}

async function currentOf(client: DynamoDBDocumentClient, table: string, tenantId: string, id: string) {
  const out = await client.send(
    new GetCommand({ TableName: table, Key: postKey(tenantId, id), ConsistentRead: true }),
  );
  return out.Item ? { version: Number(out.Item.version), status: String(out.Item.status) } : undefined;
}

export function postRepository(client: DynamoDBDocumentClient, table: string): PostStore {
  return {
    async create(post) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: postItem(post),
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    },
    async get(tenantId, id) {
      const out = await client.send(
        new GetCommand({ TableName: table, Key: postKey(tenantId, id), ConsistentRead: true }),
      );
      return out.Item ? fromPostItem(out.Item) : undefined;
    },
    async replace(next, expectedVersion) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: postItem(next),
            ConditionExpression: "attribute_exists(PK) AND version = :v",
            ExpressionAttributeValues: { ":v": expectedVersion },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new WriteConflict(await currentOf(client, table, next.tenantId, next.id));
        }
        throw error;
      }
    },
    async delete(tenantId, id, expectedVersion, statuses) {
      const names = statuses.map((_, i) => `:s${i}`);
      try {
        await client.send(
          new DeleteCommand({
            TableName: table,
            Key: postKey(tenantId, id),
            ConditionExpression: `version = :v AND #status IN (${names.join(", ")})`,
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":v": expectedVersion,
              ...Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s])),
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new WriteConflict(await currentOf(client, table, tenantId, id));
        }
        throw error;
      }
    },
    async list(tenantId, filter) {
      const gsi1pk = tenantListPk(tenantId, "POSTS");
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ":pk": gsi1pk };
      let keyCond = "GSI1PK = :pk";
      // Sort keys are `<ISO>#<id>`, so the bare ISO `to` sorts before every item created at `to`:
      // BETWEEN from AND to selects from ≤ createdAt < to.
      if (filter.from && filter.to) {
        keyCond += " AND GSI1SK BETWEEN :from AND :to";
        values[":from"] = new Date(filter.from).toISOString();
        values[":to"] = new Date(filter.to).toISOString();
      } else if (filter.from) {
        keyCond += " AND GSI1SK >= :from";
        values[":from"] = new Date(filter.from).toISOString();
      } else if (filter.to) {
        keyCond += " AND GSI1SK < :to";
        values[":to"] = new Date(filter.to).toISOString();
      }
      const filters: string[] = [];
      if (filter.status) {
        filters.push("#status = :status");
        names["#status"] = "status";
        values[":status"] = filter.status;
      }
      if (filter.targetId) {
        filters.push("contains(targetIds, :target)");
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
          ScanIndexForward: false,
          Limit: filter.limit,
          ...(filter.cursor ? { ExclusiveStartKey: decodeCursor(filter.cursor, gsi1pk) } : {}),
        }),
      );
      const next = encodeCursor(out.LastEvaluatedKey);
      return { items: (out.Items ?? []).map(fromPostItem), ...(next ? { nextCursor: next } : {}) };
    },
  };
}
