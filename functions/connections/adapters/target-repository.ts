/**
 * Targets in the single table, per the key layout of functions/connections/domain/target.ts:
 * PK `TENANT#<t>#TARGET#<id>` / SK `TARGET`; GSI1 `TENANT#<t>#TARGETS` /
 * `CONNECTION#<cid>#TARGET#<id>`. A target's own token (Page token) is stored sealed in `token`.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../../../schemas/zod.js";
import { itemFields, parseItem } from "../../platform/dynamodb/items.js";
import { queryAll } from "../../platform/dynamodb/list-query.js";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import { PLATFORMS, TARGET_KINDS, TARGET_STATUSES, toTargetView } from "../domain/target.js";
import type { StoredTarget, TargetRepository } from "../use-cases/ports.js";

export const targetKey = (tenantId: string, id: string) => ({
  PK: tenantPk(tenantId, "TARGET", id),
  SK: "TARGET",
});

const TargetItemSchema = z.object({
  tenantId: itemFields.id(),
  id: itemFields.id(),
  connectionId: itemFields.id(),
  platform: z.enum(PLATFORMS),
  kind: z.enum(TARGET_KINDS),
  externalId: itemFields.id(),
  name: z.string(),
  username: z.optional(z.string()),
  pictureUrl: z.optional(z.string()),
  status: z.enum(TARGET_STATUSES),
  createdAt: itemFields.instant(),
  updatedAt: itemFields.instant(),
  token: z.optional(z.string()),
});

const fromItem = (item: Record<string, unknown>): StoredTarget => parseItem(TargetItemSchema, item, "target");

export function dynamoTargetRepository(client: DynamoDBDocumentClient, table: string): TargetRepository {
  const getStored = async (tenantId: string, id: string) => {
    const out = await client.send(
      new GetCommand({ TableName: table, Key: targetKey(tenantId, id), ConsistentRead: true }),
    );
    if (!out.Item || out.Item.tenantId !== tenantId) return undefined;
    return fromItem(out.Item);
  };
  return {
    getStored,
    async getTarget(tenantId, id) {
      const t = await getStored(tenantId, id);
      return t ? toTargetView(t) : undefined;
    },
    async listByConnection(tenantId, connectionId) {
      const items = await queryAll(client, {
        TableName: table,
        IndexName: "GSI1",
        KeyConditionExpression: "GSI1PK = :pk AND begins_with(GSI1SK, :p)",
        ExpressionAttributeValues: {
          ":pk": tenantListPk(tenantId, "TARGETS"),
          ":p": `CONNECTION#${connectionId}#TARGET#`,
        },
      });
      return items.map(fromItem);
    },
    async put(t) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...targetKey(t.tenantId, t.id),
            entity: "Target",
            GSI1PK: tenantListPk(t.tenantId, "TARGETS"),
            GSI1SK: `CONNECTION#${t.connectionId}#TARGET#${t.id}`,
            ...t,
          },
        }),
      );
    },
  };
}
