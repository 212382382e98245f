/**
 * Tenant settings in the single table: PK `TENANT#<t>#SETTINGS#current`, SK `SETTINGS`.
 * Saves are conditional on the version the caller read (version 0 = "not saved yet"); reads
 * are parsed (`parseItem`), so a corrupt item is a `CorruptItemError` naming its key.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../../../schemas/zod.js";
import { itemFields, parseItem } from "../../platform/dynamodb/items.js";
import { tenantPk } from "../../platform/keys.js";
import { defaultSettings, type TenantSettings } from "../domain/settings.js";
import { type SettingsRepository, SettingsVersionConflict } from "../use-cases/ports.js";

export const settingsKey = (tenantId: string) => ({
  PK: tenantPk(tenantId, "SETTINGS", "current"),
  SK: "SETTINGS",
});

const SettingsItemSchema = z.object({
  tenantId: itemFields.id(),
  approvalRequired: z.boolean(),
  oauthReturnUrls: z.array(z.string()),
  defaultTimeZone: itemFields.id(),
  version: z.number().check(z.int(), z.minimum(1)),
  updatedAt: z.optional(itemFields.instant()),
  updatedBy: z.optional(z.string()),
});

export function settingsRepository(client: DynamoDBDocumentClient, tableName: string): SettingsRepository {
  const get = async (tenantId: string, consistent = false): Promise<TenantSettings> => {
    const out = await client.send(
      new GetCommand({ TableName: tableName, Key: settingsKey(tenantId), ConsistentRead: consistent }),
    );
    if (!out.Item) return defaultSettings(tenantId);
    return parseItem(SettingsItemSchema, out.Item, "tenant settings");
  };
  return {
    get: (tenantId) => get(tenantId),
    async save(next) {
      const expected = next.version - 1;
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...settingsKey(next.tenantId),
              entity: "SETTINGS",
              tenantId: next.tenantId,
              approvalRequired: next.approvalRequired,
              oauthReturnUrls: [...next.oauthReturnUrls],
              defaultTimeZone: next.defaultTimeZone,
              version: next.version,
              updatedAt: next.updatedAt,
              updatedBy: next.updatedBy,
            },
            ConditionExpression: expected === 0 ? "attribute_not_exists(PK)" : "version = :expected",
            ...(expected === 0 ? {} : { ExpressionAttributeValues: { ":expected": expected } }),
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new SettingsVersionConflict((await get(next.tenantId, true)).version);
        }
        throw error;
      }
    },
  };
}
