/**
 * Opaque page cursors: DynamoDB's LastEvaluatedKey, base64url-encoded JSON. A cursor is only
 * accepted for the list (GSI1 partition) it came from, so a client cannot steer a query into
 * another tenant's keys.
 */
import { InvalidCursor } from "../use-cases/ports.js";

export const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key), "utf8").toString("base64url") : undefined;

export function decodeCursor(cursor: string, expectedGsi1Pk: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursor("unreadable");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidCursor("not an object");
  const key = value as Record<string, unknown>;
  const allowed = new Set(["PK", "SK", "GSI1PK", "GSI1SK"]);
  if (
    key.GSI1PK !== expectedGsi1Pk ||
    Object.keys(key).some((k) => !allowed.has(k)) ||
    Object.values(key).some((v) => typeof v !== "string" || v.length > 1024) ||
    typeof key.PK !== "string" ||
    !key.PK.startsWith(expectedGsi1Pk.replace(/#[A-Z]+$/, "#"))
  ) {
    throw new InvalidCursor("foreign");
  }
  return key;
}
