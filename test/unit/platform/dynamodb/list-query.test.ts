import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { decodeCursor, listQuery } from "../../../../functions/platform/dynamodb/list-query.js";

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
