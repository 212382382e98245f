/**
 * Token audit events: PK `TENANT#<t>#TOKENAUDIT#<connectionId>` / SK `AUDIT#<at>#<id>`;
 * GSI1 `TENANT#<t>#TOKENAUDIT` / `<at>#<id>` for the tenant-wide, time-ordered list. Kept for
 * 400 days (TTL). Cursors are LastEvaluatedKeys, accepted only for the tenant's own partition.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ValidationError } from "../../platform/errors.js";
import { tenantListPk, tenantPk } from "../../platform/keys.js";
import type { TokenAuditEvent } from "../domain/audit.js";
import type { AuditRepository } from "../use-cases/ports.js";

export const AUDIT_RETENTION_DAYS = 400;

const badCursor = () =>
  new ValidationError([
    { path: "query.cursor", code: "invalid_cursor", message: "This cursor is not valid for this list." },
  ]);

/** Decode a cursor and accept it only for the exact partition being queried (`attr` = `PK` or `GSI1PK`). */
function decodeCursor(cursor: string, attr: "PK" | "GSI1PK", partition: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badCursor();
  const k = value as Record<string, unknown>;
  // A base-table page key is {PK, SK}; a GSI1 page key also carries the index keys.
  const expected = attr === "PK" ? ["PK", "SK"] : ["GSI1PK", "GSI1SK", "PK", "SK"];
  if (
    Object.keys(k).sort().join() !== expected.join() ||
    Object.values(k).some((v) => typeof v !== "string" || v.length > 512) ||
    k[attr] !== partition ||
    typeof k.PK !== "string" ||
    !k.PK.startsWith(partition.replace(/#TOKENAUDIT(#.*)?$/, "#TOKENAUDIT#"))
  ) {
    throw badCursor();
  }
  return k;
}

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
      const partition = byConnection
        ? tenantPk(tenantId, "TOKENAUDIT", q.connectionId!)
        : tenantListPk(tenantId, "TOKENAUDIT");
      const out = await client.send(
        new QueryCommand({
          TableName: table,
          ...(byConnection ? {} : { IndexName: "GSI1" }),
          KeyConditionExpression: byConnection
            ? "PK = :pk AND SK BETWEEN :from AND :to"
            : "GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to",
          ...(q.type
            ? { FilterExpression: "#type = :type", ExpressionAttributeNames: { "#type": "type" } }
            : {}),
          ExpressionAttributeValues: {
            ":pk": partition,
            ":from": byConnection ? `AUDIT#${from}` : from,
            ":to": byConnection ? `AUDIT#${to}` : to,
            ...(q.type ? { ":type": q.type } : {}),
          },
          ScanIndexForward: false,
          Limit: q.limit,
          ExclusiveStartKey: q.cursor
            ? decodeCursor(q.cursor, byConnection ? "PK" : "GSI1PK", partition)
            : undefined,
        }),
      );
      const items = (out.Items ?? []).map((i) => {
        const { PK: _p, SK: _s, entity: _e, GSI1PK: _g, GSI1SK: _gs, expiresAt: _x, ...rest } = i;
        return rest as unknown as TokenAuditEvent;
      });
      const nextCursor = out.LastEvaluatedKey
        ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString("base64url")
        : undefined;
      return { items, nextCursor };
    },
  };
}
