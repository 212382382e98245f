import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { CorruptItemError } from "../../../functions/platform/dynamodb/items.js";
import { BreakerStore } from "../../../functions/publishing/adapters/breaker-store.js";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const ddb = mockClient(doc);
afterEach(() => ddb.reset());

const T0 = Date.parse("2026-03-10T12:00:00.000Z");
const conflict = () =>
  new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
const store = (extra: Partial<ConstructorParameters<typeof BreakerStore>[0]> = {}) =>
  new BreakerStore({ client: doc, tableName: "t", now: () => new Date(T0), random: () => 0.5, ...extra });

describe("BreakerStore (mocked DynamoDB)", () => {
  it("writes with the version it read, creating the item only if absent", async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    await store().record("meta", "app", { kind: "failure" });
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe("attribute_not_exists(PK) OR attribute_not_exists(#version)");
    expect(put.Item).toMatchObject({ PK: "BREAKER#meta#app", SK: "BREAKER", state: "closed", version: 1 });

    ddb.reset();
    ddb.on(GetCommand).resolves({
      Item: {
        PK: "BREAKER#meta#app",
        SK: "BREAKER",
        state: "closed",
        failures: [],
        backoffMs: 1_000,
        version: 4,
      },
    });
    ddb.on(PutCommand).resolves({});
    await store().record("meta", "app", { kind: "failure" });
    const second = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(second.ConditionExpression).toBe("#version = :expected");
    expect(second.ExpressionAttributeValues).toEqual({ ":expected": 4 });
    expect(second.Item).toMatchObject({ version: 5 });
  });

  it("re-reads and recomputes after a conflict", async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { state: "closed", version: 1, failures: [], backoffMs: 1_000 } })
      .resolves({
        Item: {
          state: "closed",
          version: 2,
          failures: [{ at: new Date(T0 - 1_000).toISOString() }],
          backoffMs: 1_000,
        },
      });
    ddb.on(PutCommand).rejectsOnce(conflict()).resolves({});
    const out = await store().record("meta", "app", { kind: "failure" });
    expect(out.conflicted).toBe(false);
    const puts = ddb.commandCalls(PutCommand);
    expect(puts).toHaveLength(2);
    expect(puts[1]!.args[0].input.Item).toMatchObject({ version: 3 });
    expect(puts[1]!.args[0].input.Item?.failures).toHaveLength(2);
  });

  it("gives up after repeated conflicts: admit says wait briefly, record reports the drop", async () => {
    const openDue = {
      state: "open",
      version: 9,
      failures: [],
      backoffMs: 30_000,
      probeAt: new Date(T0 - 1).toISOString(),
    };
    ddb.on(GetCommand).resolves({ Item: openDue });
    ddb.on(PutCommand).rejects(conflict());
    const s = store({ maxConflictRetries: 2 });
    const admitted = await s.admit("linkedin", "app");
    expect(admitted.admission).toEqual({ kind: "wait", until: new Date(T0 + 2_000), reason: "contended" });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(3);

    ddb.resetHistory();
    const recorded = await s.record("linkedin", "app", {
      kind: "failure",
      blockedUntil: new Date(T0 + 60_000),
    });
    expect(recorded).toEqual({ transitions: [], conflicted: true });
  });

  it("rethrows errors other than a failed condition", async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).rejects(new Error("boom"));
    await expect(store().record("meta", "app", { kind: "failure" })).rejects.toThrow("boom");
  });

  it("reads a stored state as the domain type", async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        PK: "BREAKER#meta#app",
        SK: "BREAKER",
        state: "open",
        failures: [{ at: "2026-03-10T11:59:00.000Z" }],
        openedAt: "2026-03-10T11:59:00.000Z",
        probeAt: "2026-03-10T12:01:00.000Z",
        backoffMs: 60_000,
        version: 3,
        updatedAt: "2026-03-10T11:59:00.000Z",
        expiresAt: 1,
      },
    });
    expect(await store().read("meta", "app")).toEqual({
      state: "open",
      failures: [{ at: "2026-03-10T11:59:00.000Z" }],
      openedAt: "2026-03-10T11:59:00.000Z",
      probeAt: "2026-03-10T12:01:00.000Z",
      backoffMs: 60_000,
      version: 3,
    });
  });

  it("a damaged item is a CorruptItemError naming its key and the bad fields, not a guessed state", async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        PK: "BREAKER#meta#app",
        SK: "BREAKER",
        state: "weird",
        version: 12,
        failures: "nope",
        usage: { pct: "x" },
        backoffMs: null,
      },
    });
    const read = store().read("meta", "app");
    await expect(read).rejects.toBeInstanceOf(CorruptItemError);
    await expect(store().read("meta", "app")).rejects.toThrow(
      /Corrupt breaker item PK=BREAKER#meta#app SK=BREAKER: state.*failures.*backoffMs/s,
    );
  });

  it("does not read DynamoDB again while its cache is fresh", async () => {
    ddb.on(GetCommand).resolves({});
    const s = store();
    await s.admit("meta", "app");
    await s.admit("meta", "app");
    await s.read("meta", "app");
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    await s.read("meta", "app", true);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });
});
