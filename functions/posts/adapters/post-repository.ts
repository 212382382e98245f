/**
 * Posts in the single table.
 *   item: PK `TENANT#<t>#POST#<id>`, SK `POST`
 *   list: GSI1PK `TENANT#<t>#POSTS`, GSI1SK `<createdAt>#<id>` (newest first; from/to on createdAt)
 * Status and target filters are FilterExpressions on that query; `listQuery` reads on until the
 * page is full, so a page with `nextCursor` always holds `limit` items.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { parseItem } from "../../platform/dynamodb/items.js";
import { listQuery } from "../../platform/dynamodb/list-query.js";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import type { Post } from "../domain/post.js";
import { InvalidCursor, type PostStore, WriteConflict } from "../use-cases/ports.js";
import { PostItemSchema } from "./items.js";

export const postKey = (tenantId: string, id: string) => ({ PK: tenantPk(tenantId, "POST", id), SK: "POST" });

export const postItem = (p: Post) => ({
  ...postKey(p.tenantId, p.id),
  GSI1PK: tenantListPk(p.tenantId, "POSTS"),
  GSI1SK: `${p.createdAt}#${p.id}`,
  entity: "POST",
  ...p,
});

/** A stored post, parsed (CorruptItemError naming the key and fields when it is not one). */
export const fromPostItem = (item: Record<string, unknown>): Post => parseItem(PostItemSchema, item, "post");

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
      // Sort keys are `<ISO>#<id>`, newest first: from ≤ createdAt < to.
      const page = await listQuery(client, {
        table,
        index: "GSI1",
        partition: tenantListPk(tenantId, "POSTS"),
        itemPkPrefix: tenantPk(tenantId, "POST", ""),
        ...(filter.from ? { from: new Date(filter.from).toISOString() } : {}),
        ...(filter.to ? { to: new Date(filter.to).toISOString() } : {}),
        filters: [
          ...(filter.status ? [{ attr: "status", value: filter.status }] : []),
          ...(filter.targetId
            ? [{ attr: "targetIds", value: filter.targetId, op: "contains" as const }]
            : []),
        ],
        descending: true,
        limit: filter.limit,
        ...(filter.cursor ? { cursor: filter.cursor } : {}),
        invalidCursor: (reason) => new InvalidCursor(reason),
      });
      return { ...page, items: page.items.map(fromPostItem) };
    },
  };
}
