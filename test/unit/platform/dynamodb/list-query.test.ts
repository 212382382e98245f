import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CursorScope,
  decodeCursor,
  encodeCursor,
  listQuery,
} from "../../../../functions/platform/dynamodb/list-query.js";

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const ddb = mockClient(client);
afterEach(() => ddb.reset());

const key = (n: number) => ({
  PK: `TENANT#acme#POST#p${n}`,
  SK: "POST",
  GSI1PK: "TENANT#acme#POSTS",
  GSI1SK: `2026-01-01T00:00:${String(n).padStart(2, "0")}Z#p${n}`,
});

const list = {
  table: "t",
  index: "GSI1" as const,
  partition: "TENANT#acme#POSTS",
  itemPkPrefix: "TENANT#acme#POST#",
  filters: [{ attr: "status", op: "=" as const, value: "PUBLISHED" }],
  limit: 10,
  invalidCursor: () => new Error("bad cursor"),
};

describe("listQuery read budget", () => {
  it("answers a short page with a cursor after the last item read once the budget is spent", async () => {
    // Every read evaluates 10 items and none matches the filter: an endless sparse list.
    let n = 0;
    ddb.on(QueryCommand).callsFake(() => {
      n += 1;
      return { Items: [], ScannedCount: 10, LastEvaluatedKey: key(n) };
    });
    const page = await listQuery(client, { ...list, maxEvaluated: 30 });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(3);
    expect(page.items).toEqual([]);
    expect(page.nextCursor).toBeDefined();
    expect(decodeCursor(page.nextCursor!, list, list.invalidCursor)).toEqual(key(3));
  });

  it("keeps reading within the budget until the page is full", async () => {
    let n = 0;
    ddb.on(QueryCommand).callsFake(() => {
      n += 1;
      return {
        Items: n === 3 ? Array.from({ length: 10 }, (_, i) => key(10 + i)) : [],
        ScannedCount: 10,
        LastEvaluatedKey: key(n),
      };
    });
    const page = await listQuery(client, { ...list, maxEvaluated: 1_000 });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(3);
    expect(page.items).toHaveLength(10);
    expect(decodeCursor(page.nextCursor!, list, list.invalidCursor)).toEqual(key(19));
  });
});

/**
 * The cursor guard, one rule per test: each case starts from a cursor the list itself issued
 * and breaks exactly one rule, and the reason says which rule refused it.
 */
describe("decodeCursor guard", () => {
  class Refused extends Error {}
  const reasonOf = (cursor: string, scope: CursorScope): string => {
    try {
      decodeCursor(cursor, scope, (reason) => new Refused(reason));
    } catch (error) {
      if (error instanceof Refused) return error.message;
      throw error;
    }
    return "accepted";
  };
  const gsi: CursorScope = {
    index: "GSI1",
    partition: "TENANT#acme#POSTS",
    itemPkPrefix: "TENANT#acme#POST#",
  };
  const base: CursorScope = { partition: "TENANT#acme#CONNECTION#c1", itemPkPrefix: "TENANT#acme#" };
  const gsiKey = { PK: "TENANT#acme#POST#p1", SK: "POST", GSI1PK: "TENANT#acme#POSTS", GSI1SK: "2026#p1" };
  const baseKey = { PK: "TENANT#acme#CONNECTION#c1", SK: "AUDIT#2026#a1" };
  const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");

  it("accepts a key of its own list, on an index and on the base table (the control for every case below)", () => {
    expect(decodeCursor(encodeCursor(gsiKey), gsi, () => new Refused("x"))).toEqual(gsiKey);
    expect(decodeCursor(encodeCursor(baseKey), base, () => new Refused("x"))).toEqual(baseKey);
  });

  it("refuses text that is not base64url JSON as unreadable", () => {
    expect(reasonOf(b64("{not json"), gsi)).toBe("unreadable");
    expect(reasonOf("%%%", gsi)).toBe("unreadable");
  });

  it.each([
    ["an array", "[1]"],
    ["null", "null"],
    ["a string", JSON.stringify("TENANT#acme#POST#p1")],
  ])("refuses JSON that is %s as not an object", (_name, json) => {
    expect(reasonOf(b64(json), gsi)).toBe("not an object");
  });

  it("refuses a key missing one of the index's attributes", () => {
    const { GSI1SK: _dropped, ...rest } = gsiKey;
    expect(reasonOf(encodeCursor(rest), gsi)).toBe("key attributes");
  });

  it("refuses a key with an attribute the index does not have", () => {
    expect(reasonOf(encodeCursor({ ...gsiKey, status: "DRAFT" }), gsi)).toBe("key attributes");
  });

  it("refuses a base-table key on an index list (and an index key on a base-table list)", () => {
    expect(reasonOf(encodeCursor({ PK: gsiKey.PK, SK: gsiKey.SK }), gsi)).toBe("key attributes");
    expect(reasonOf(encodeCursor({ ...baseKey, GSI1PK: "x", GSI1SK: "y" }), base)).toBe("key attributes");
  });

  it("refuses a key value that is not a string", () => {
    expect(reasonOf(encodeCursor({ ...gsiKey, GSI1SK: 2026 }), gsi)).toBe("key values");
  });

  it("refuses a key value longer than 1024 characters, and accepts one of exactly 1024", () => {
    const at = `2026#${"x".repeat(1024 - 5)}`;
    expect(at).toHaveLength(1024);
    expect(reasonOf(encodeCursor({ ...gsiKey, GSI1SK: at }), gsi)).toBe("accepted");
    expect(reasonOf(encodeCursor({ ...gsiKey, GSI1SK: `${at}x` }), gsi)).toBe("key values");
  });

  it("refuses a key of another partition of the same tenant (another list)", () => {
    expect(reasonOf(encodeCursor({ ...gsiKey, GSI1PK: "TENANT#acme#DELIVERIES" }), gsi)).toBe("partition");
    expect(reasonOf(encodeCursor({ ...baseKey, PK: "TENANT#acme#CONNECTION#c2" }), base)).toBe("partition");
  });

  it("refuses an item key outside the caller's prefix even when the partition is the caller's", () => {
    expect(reasonOf(encodeCursor({ ...gsiKey, PK: "TENANT#globex#POST#p1" }), gsi)).toBe("outside prefix");
  });
});
