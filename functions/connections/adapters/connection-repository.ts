/**
 * Connections in the single table (layout in functions/connections/domain/connection.ts and
 * docs/access-patterns.md). Writes are version-guarded; creation reserves the account with a
 * transaction so one tenant cannot hold the same provider account twice.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import * as z from "../../../schemas/zod.js";
import { itemFields, parseItem } from "../../platform/dynamodb/items.js";
import { queryAll } from "../../platform/dynamodb/list-query.js";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import {
  CONNECTION_STATUSES,
  type Connection,
  PROVIDERS,
  type Provider,
  refreshDueAt,
} from "../domain/connection.js";
import { AccountTakenError, type ConnectionRepository, StaleConnectionError } from "../use-cases/ports.js";

/** How many past days of refresh buckets the cron reads (items left behind by an outage). */
export const REFRESH_LOOKBACK_DAYS = 30;
const DAY_MS = 86_400_000;

export const connectionKey = (tenantId: string, id: string) => ({
  PK: tenantPk(tenantId, "CONNECTION", id),
  SK: "CONNECTION",
});
export const accountKey = (tenantId: string, provider: Provider, externalId: string) => ({
  PK: tenantPk(tenantId, "ACCOUNT", `${provider}#${externalId}`),
  SK: "ACCOUNT",
});
/** `REFRESH#2026-11-26`: the UTC day of an ISO instant (string slice, no month arithmetic). */
export const refreshBucket = (iso: string) => `REFRESH#${iso.slice(0, 10)}`;

export function toConnectionItem(c: Connection): Record<string, unknown> {
  const due = refreshDueAt(c);
  return {
    ...connectionKey(c.tenantId, c.id),
    entity: "Connection",
    GSI1PK: tenantListPk(c.tenantId, "CONNECTIONS"),
    GSI1SK: `CONNECTION#${c.id}`,
    ...(due ? { GSI2PK: refreshBucket(due), GSI2SK: `${due}#${c.tenantId}#${c.id}` } : {}),
    ...c,
  };
}

const ConnectionItemSchema = z.object({
  tenantId: itemFields.id(),
  id: itemFields.id(),
  provider: z.enum(PROVIDERS),
  externalAccountId: itemFields.id(),
  displayName: z.optional(z.string()),
  scopes: z.array(z.string()),
  status: z.enum(CONNECTION_STATUSES),
  statusReason: z.optional(z.string()),
  action: z.optional(z.object({ type: z.literal("reconnect"), message: z.string() })),
  accessToken: z.optional(z.string()),
  refreshToken: z.optional(z.string()),
  accessTokenExpiresAt: z.optional(itemFields.instant()),
  refreshTokenExpiresAt: z.optional(itemFields.instant()),
  refresh: z.object({
    failures: z.number().check(z.int(), z.nonnegative()),
    nextAttemptAt: z.optional(itemFields.instant()),
    lastAttemptAt: z.optional(itemFields.instant()),
    lastRefreshedAt: z.optional(itemFields.instant()),
    lastError: z.optional(z.string()),
  }),
  connectedBy: z.string(),
  createdAt: itemFields.instant(),
  updatedAt: itemFields.instant(),
  version: z.number().check(z.int()),
});

/** A connection item as the domain type (key and index attributes dropped); `CorruptItemError` otherwise. */
export const fromConnectionItem = (item: Record<string, unknown>): Connection =>
  parseItem(ConnectionItemSchema, item, "connection");

const AccountItemSchema = z.object({ connectionId: itemFields.id() });

export function dynamoConnectionRepository(
  client: DynamoDBDocumentClient,
  table: string,
): ConnectionRepository {
  return {
    async get(tenantId, id) {
      const out = await client.send(
        new GetCommand({ TableName: table, Key: connectionKey(tenantId, id), ConsistentRead: true }),
      );
      if (!out.Item || out.Item.tenantId !== tenantId) return undefined;
      return fromConnectionItem(out.Item);
    },

    async list(tenantId) {
      const items = await queryAll(client, {
        TableName: table,
        IndexName: "GSI1",
        KeyConditionExpression: "GSI1PK = :pk AND begins_with(GSI1SK, :p)",
        ExpressionAttributeValues: { ":pk": tenantListPk(tenantId, "CONNECTIONS"), ":p": "CONNECTION#" },
      });
      return items.map(fromConnectionItem);
    },

    async findIdByAccount(tenantId, provider, externalAccountId) {
      const out = await client.send(
        new GetCommand({
          TableName: table,
          Key: accountKey(tenantId, provider, externalAccountId),
          ConsistentRead: true,
        }),
      );
      return out.Item ? parseItem(AccountItemSchema, out.Item, "connection account").connectionId : undefined;
    },

    async findByAccountEverywhere(provider, externalAccountId) {
      const out = await client.send(
        new QueryCommand({
          TableName: table,
          IndexName: "GSI2",
          KeyConditionExpression: "GSI2PK = :pk",
          ExpressionAttributeValues: { ":pk": `ACCOUNT#${provider}#${externalAccountId}` },
        }),
      );
      return (out.Items ?? []).flatMap((i) => {
        const m = /^TENANT#([^#]+)#CONNECTION#(.+)$/.exec(String(i.GSI2SK ?? ""));
        return m ? [{ tenantId: m[1]!, id: m[2]! }] : [];
      });
    },

    async create(c) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: {
                    ...accountKey(c.tenantId, c.provider, c.externalAccountId),
                    entity: "ConnectionAccount",
                    tenantId: c.tenantId,
                    provider: c.provider,
                    externalAccountId: c.externalAccountId,
                    connectionId: c.id,
                    GSI2PK: `ACCOUNT#${c.provider}#${c.externalAccountId}`,
                    GSI2SK: `TENANT#${c.tenantId}#CONNECTION#${c.id}`,
                  },
                  ConditionExpression: "attribute_not_exists(PK)",
                },
              },
              {
                Put: {
                  TableName: table,
                  Item: toConnectionItem(c),
                  ConditionExpression: "attribute_not_exists(PK)",
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) throw new AccountTakenError(c.externalAccountId);
        throw error;
      }
    },

    async save(c) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: toConnectionItem(c),
            ConditionExpression: "attribute_exists(PK) AND #v = :prev",
            ExpressionAttributeNames: { "#v": "version" },
            ExpressionAttributeValues: { ":prev": c.version - 1 },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new StaleConnectionError(c.id);
        throw error;
      }
    },

    async dueForRefresh(now, limit) {
      const nowIso = now.toISOString();
      const out: { tenantId: string; id: string }[] = [];
      for (let d = REFRESH_LOOKBACK_DAYS; d >= 0 && out.length < limit; d--) {
        const day = new Date(now.getTime() - d * DAY_MS).toISOString();
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: table,
              IndexName: "GSI2",
              KeyConditionExpression: "GSI2PK = :pk AND GSI2SK <= :upper",
              ExpressionAttributeValues: { ":pk": refreshBucket(day), ":upper": `${nowIso}~` },
              Limit: Math.max(1, limit - out.length),
              ExclusiveStartKey,
            }),
          );
          for (const i of page.Items ?? []) {
            const m = /^[^#]+#([^#]+)#(.+)$/.exec(String(i.GSI2SK ?? ""));
            if (m) out.push({ tenantId: m[1]!, id: m[2]! });
          }
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey && out.length < limit);
      }
      return out;
    },
  };
}
