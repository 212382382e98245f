/**
 * Against DynamoDB Local: the token audit list filtered by type, tenant-wide (GSI1) and for one
 * connection (its own partition). A page carrying `nextCursor` holds exactly `limit` events,
 * and following the cursors returns every matching event once, newest first.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoAuditRepository } from "../../../functions/connections/adapters/audit-repository.js";
import type { TokenAuditEvent } from "../../../functions/connections/domain/audit.js";
import type { AuditQuery } from "../../../functions/connections/use-cases/ports.js";
import { ValidationError } from "../../../functions/platform/errors.js";
import { stackDocumentClient, stackInfo } from "../../support/stack.js";

let doc: DynamoDBDocumentClient;

beforeAll(() => {
  doc = stackDocumentClient();
});
afterAll(() => doc?.destroy());

const PATTERN = [1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1];

describe("token audit pages filtered by type", () => {
  const tenantId = `it-${randomUUID().slice(0, 8)}`;
  const base = Date.parse("2030-04-01T00:00:00.000Z");
  const events: TokenAuditEvent[] = PATTERN.map((hit, i) => ({
    tenantId,
    id: `aud_${String(i).padStart(3, "0")}`,
    connectionId: i % 3 === 0 ? "con_b" : "con_a",
    provider: "meta",
    type: hit ? "refresh_failed" : "refreshed",
    actor: { type: "system", id: "token-refresh" },
    outcome: hit ? "failure" : "success",
    at: new Date(base + i * 1000).toISOString(),
  }));
  const repo = () => dynamoAuditRepository(doc, stackInfo().resources.table);

  beforeAll(async () => {
    for (const e of events) await repo().append(e);
  });

  async function readAll(query: Omit<AuditQuery, "cursor">) {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await repo().query(tenantId, { ...query, ...(cursor ? { cursor } : {}) });
      if (page.nextCursor) expect(page.items).toHaveLength(query.limit);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error("cursor never ran out");
  }

  const newestFirst = (keep: (e: TokenAuditEvent) => boolean) =>
    events
      .filter(keep)
      .map((e) => e.id)
      .reverse();

  it.each([1, 2, 4])("tenant-wide, limit %i", async (limit) => {
    expect(await readAll({ type: "refresh_failed", limit })).toEqual(
      newestFirst((e) => e.type === "refresh_failed"),
    );
  });

  it.each([1, 3])("one connection, limit %i", async (limit) => {
    expect(await readAll({ connectionId: "con_a", type: "refresh_failed", limit })).toEqual(
      newestFirst((e) => e.connectionId === "con_a" && e.type === "refresh_failed"),
    );
  });

  it("refuses a tenant-wide cursor on one connection's list", async () => {
    const page = await repo().query(tenantId, { type: "refresh_failed", limit: 1 });
    expect(page.nextCursor).toBeDefined();
    await expect(
      repo().query(tenantId, { connectionId: "con_a", limit: 1, cursor: page.nextCursor as string }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
