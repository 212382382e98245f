/**
 * TargetLookup read port over the key layout documented in
 * functions/connections/domain/target.ts: PK `TENANT#<t>#TARGET#<id>`, SK `TARGET`.
 * A missing or foreign id is undefined (the tenant is part of the key).
 */
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Target, TargetLookup } from "../../connections/use-cases/ports.js";
import { tenantPk } from "../../platform/keys.js";

export function dynamoTargetLookup(client: DynamoDBDocumentClient, table: string): TargetLookup {
  return {
    async getTarget(tenantId, targetId) {
      const out = await client.send(
        new GetCommand({
          TableName: table,
          Key: { PK: tenantPk(tenantId, "TARGET", targetId), SK: "TARGET" },
        }),
      );
      const item = out.Item;
      if (!item || (item.tenantId !== undefined && item.tenantId !== tenantId)) return undefined;
      return {
        tenantId,
        id: targetId,
        connectionId: String(item.connectionId ?? ""),
        platform: item.platform as Target["platform"],
        kind: item.kind as Target["kind"],
        externalId: String(item.externalId ?? ""),
        name: String(item.name ?? targetId),
        ...(typeof item.username === "string" ? { username: item.username } : {}),
        ...(typeof item.pictureUrl === "string" ? { pictureUrl: item.pictureUrl } : {}),
        status: (item.status as Target["status"]) ?? "ACTIVE",
        createdAt: String(item.createdAt ?? ""),
        updatedAt: String(item.updatedAt ?? ""),
      };
    },
  };
}
