/**
 * Targets in the single table, per the key layout of functions/connections/domain/target.ts:
 * PK `TENANT#<t>#TARGET#<id>` / SK `TARGET`; GSI1 `TENANT#<t>#TARGETS` /
 * `CONNECTION#<cid>#TARGET#<id>`. A target's own token (Page token) is stored sealed in `token`.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { queryAll } from "../../platform/dynamodb/list-query.js";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import { toTargetView } from "../use-cases/manage.js";
import type { StoredTarget, TargetRepository } from "../use-cases/ports.js";

export const targetKey = (tenantId: string, id: string) => ({
  PK: tenantPk(tenantId, "TARGET", id),
  SK: "TARGET",
});

const fromItem = (item: Record<string, unknown>): StoredTarget => {
  const { PK: _p, SK: _s, entity: _e, GSI1PK: _g, GSI1SK: _gs, ...rest } = item;
  return rest as unknown as StoredTarget;
};

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
