/**
 * Tenant settings in the single table: PK `TENANT#<t>#SETTINGS#current`, SK `SETTINGS`.
 * Saves are conditional on the version the caller read (version 0 = "not saved yet").
 *
 * Other contexts read settings with `getSettings(tenantId)` (defaults when never saved).
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ENV } from "../../../schemas/env.js";
import { dynamodb } from "../../platform/aws/dynamodb.js";
import { tenantPk } from "../../platform/keys.js";
import { defaultSettings, type TenantSettings } from "../domain/settings.js";

export const settingsKey = (tenantId: string) => ({
  PK: tenantPk(tenantId, "SETTINGS", "current"),
  SK: "SETTINGS",
});

/** The save lost a race: someone saved a newer version first. */
export class SettingsVersionConflict extends Error {
  constructor(readonly current: number) {
    super(`settings are at version ${current}`);
  }
}

export interface SettingsRepository {
  get(tenantId: string): Promise<TenantSettings>;
  /** Save `next` (its version = the version read + 1); throws SettingsVersionConflict when stale. */
  save(next: TenantSettings): Promise<void>;
}

export function settingsRepository(client: DynamoDBDocumentClient, tableName: string): SettingsRepository {
  const get = async (tenantId: string, consistent = false): Promise<TenantSettings> => {
    const out = await client.send(
      new GetCommand({ TableName: tableName, Key: settingsKey(tenantId), ConsistentRead: consistent }),
    );
    const item = out.Item;
    if (!item) return defaultSettings(tenantId);
    return {
      tenantId,
      approvalRequired: Boolean(item.approvalRequired),
      oauthReturnUrls: Array.isArray(item.oauthReturnUrls) ? item.oauthReturnUrls.map(String) : [],
      defaultTimeZone: typeof item.defaultTimeZone === "string" ? item.defaultTimeZone : "UTC",
      version: Number(item.version ?? 0),
      ...(typeof item.updatedAt === "string" ? { updatedAt: item.updatedAt } : {}),
      ...(typeof item.updatedBy === "string" ? { updatedBy: item.updatedBy } : {}),
    };
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

let shared: SettingsRepository | undefined;

/**
 * The tenant's settings (defaults when never saved), through the shared DynamoDB client and
 * `ENV.TABLE_NAME`. Resolved on first call so that importing this module has no side effects.
 */
export function getSettings(tenantId: string): Promise<TenantSettings> {
  if (!shared) {
    const table = process.env[ENV.TABLE_NAME];
    if (!table) throw new Error(`${ENV.TABLE_NAME} is not set`);
    shared = settingsRepository(dynamodb, table);
  }
  return shared.get(tenantId);
}
