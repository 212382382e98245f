/**
 * Token audit events: PK `TENANT#<t>#TOKENAUDIT#<connectionId>` / SK `AUDIT#<at>#<id>`;
 * GSI1 `TENANT#<t>#TOKENAUDIT` / `<at>#<id>` for the tenant-wide, time-ordered list. Kept for
 * 400 days (TTL). Lists and cursors go through `listQuery` (full pages when filtered by type;
 * a cursor is accepted only for the partition it came from).
 */
import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../../../schemas/zod.js";
import { itemFields, parseItem } from "../../platform/dynamodb/items.js";
import { listQuery } from "../../platform/dynamodb/list-query.js";
import { ValidationError } from "../../platform/errors.js";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import { AUDIT_TYPES, type TokenAuditEvent } from "../domain/audit.js";
import { PROVIDERS } from "../domain/connection.js";
import type { AuditRepository } from "../use-cases/ports.js";

export const AUDIT_RETENTION_DAYS = 400;

const badCursor = () =>
  new ValidationError([
    { path: "query.cursor", code: "invalid_cursor", message: "This cursor is not valid for this list." },
  ]);

const AuditItemSchema = z.object({
  tenantId: itemFields.id(),
  id: itemFields.id(),
  connectionId: itemFields.id(),
  provider: z.enum(PROVIDERS),
  type: z.enum(AUDIT_TYPES),
  actor: z.object({ type: z.enum(["user", "system", "provider"]), id: z.string() }),
  outcome: z.enum(["success", "failure"]),
  reason: z.optional(z.string()),
  details: z.optional(z.record(z.string(), z.unknown())),
  at: itemFields.instant(),
});

export function dynamoAuditRepository(client: DynamoDBDocumentClient, table: string): AuditRepository {
  return {
    async append(e: TokenAuditEvent) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: {
            PK: tenantPk(e.tenantId, "TOKENAUDIT", e.connectionId),
            SK: `AUDIT#${e.at}#${e.id}`,
            entity: "TokenAuditEvent",
            GSI1PK: tenantListPk(e.tenantId, "TOKENAUDIT"),
            GSI1SK: `${e.at}#${e.id}`,
            expiresAt: Math.floor(Date.parse(e.at) / 1000) + AUDIT_RETENTION_DAYS * 86_400,
            ...e,
          },
        }),
      );
    },

    async query(tenantId, q) {
      const from = q.from ?? "0000";
      const to = `${q.to ?? "9999"}~`;
      const byConnection = q.connectionId !== undefined;
      // One connection: its own partition on the base table; all of them: the tenant's GSI1 list.
      const page = await listQuery(client, {
        table,
        ...(byConnection
          ? {
              partition: tenantPk(tenantId, "TOKENAUDIT", q.connectionId!),
              from: `AUDIT#${from}`,
              to: `AUDIT#${to}`,
            }
          : { index: "GSI1" as const, partition: tenantListPk(tenantId, "TOKENAUDIT"), from, to }),
        itemPkPrefix: tenantPk(tenantId, "TOKENAUDIT", ""),
        filters: q.type ? [{ attr: "type", value: q.type }] : [],
        descending: true,
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        invalidCursor: badCursor,
      });
      const items: TokenAuditEvent[] = page.items.map((i) =>
        parseItem(AuditItemSchema, i, "token audit event"),
      );
      return { items, nextCursor: page.nextCursor };
    },
  };
}
