/**
 * The breaker store against DynamoDB Local (started by the integration global setup). Several
 * `BreakerStore` instances, each with its own cache, stand in for concurrent Lambda instances;
 * a shared fake clock moves time without sleeping.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BreakerScope,
  BreakerStore,
  breakerKey,
  targetScope,
} from "../../../functions/publishing/adapters/breaker-store.js";
import { DEFAULT_BREAKER_CONFIG } from "../../../functions/publishing/domain/breaker.js";
import { stackInfo } from "../../support/stack.js";

const C = DEFAULT_BREAKER_CONFIG;
const T0 = Date.parse("2026-03-10T12:00:00.000Z");

let db: DynamoDBDocumentClient;
let table: string;

beforeAll(() => {
  const info = stackInfo();
  table = info.resources.table;
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: info.aws.dynamodb,
      region: info.aws.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
  );
});

afterAll(() => db?.destroy());

function world() {
  const clock = { t: T0 };
  const scope: BreakerScope = targetScope(`page-${randomUUID()}`);
  const store = (opts: { cacheTtlMs?: number } = {}) =>
    new BreakerStore({
      client: db,
      tableName: table,
      now: () => new Date(clock.t),
      random: () => 0.999,
      ...opts,
    });
  const item = async () =>
    (
      await db.send(
        new GetCommand({ TableName: table, Key: breakerKey("meta", scope), ConsistentRead: true }),
      )
    ).Item;
  return { clock, scope, store, item };
}

describe("BreakerStore on DynamoDB", () => {
  it("admits on a fresh breaker without writing anything", async () => {
    const w = world();
    const out = await w.store().admit("meta", w.scope);
    expect(out.admission).toEqual({ kind: "go", probe: false });
    expect(await w.item()).toBeUndefined();
  });

  it("opens after sustained failures and stores the state under BREAKER#<provider>#<scope>", async () => {
    const w = world();
    const a = w.store();
    const transitions = [];
    for (let i = 0; i < C.failureThreshold; i++) {
      w.clock.t += 1_000;
      transitions.push(...(await a.record("meta", w.scope, { kind: "failure" })).transitions);
    }
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(["closed->open"]);
    const item = await w.item();
    expect(item).toMatchObject({
      PK: `BREAKER#meta#${w.scope}`,
      SK: "BREAKER",
      state: "open",
      version: C.failureThreshold,
      backoffMs: C.baseBackoffMs,
    });
    expect(item?.expiresAt).toBeGreaterThan(Math.floor(w.clock.t / 1000));

    // Another instance (empty cache) sees it open and is told when to come back.
    const b = w.store();
    const seen = await b.admit("meta", w.scope);
    expect(seen.admission).toEqual({
      kind: "wait",
      until: new Date(w.clock.t + C.baseBackoffMs),
      reason: "open",
    });
  });

  it("loses no failure when instances record concurrently (version conflicts are retried)", async () => {
    const w = world();
    const stores = Array.from({ length: 12 }, () => w.store({ cacheTtlMs: 60_000 }));
    // Warm every cache with the closed state so every write starts from a stale read.
    await Promise.all(stores.map((s) => s.admit("meta", w.scope)));
    const results = await Promise.all(
      stores.slice(0, C.failureThreshold - 1).map((s) => s.record("meta", w.scope, { kind: "failure" })),
    );
    expect(results.every((r) => !r.conflicted)).toBe(true);
    const item = await w.item();
    expect(item).toMatchObject({ state: "closed", version: C.failureThreshold - 1 });
    expect(item?.failures as unknown[]).toHaveLength(C.failureThreshold - 1);
  });

  it("lets exactly one of many instances probe once the backoff elapsed, then closes on success", async () => {
    const w = world();
    const opener = w.store();
    for (let i = 0; i < C.failureThreshold; i++) await opener.record("meta", w.scope, { kind: "failure" });
    w.clock.t += C.baseBackoffMs;

    const instances = Array.from({ length: 10 }, () => w.store());
    const admissions = await Promise.all(instances.map((s) => s.admit("meta", w.scope)));
    const probes = admissions.filter((a) => a.admission.kind === "go");
    expect(probes).toHaveLength(1);
    expect(probes[0]!.admission).toEqual({ kind: "go", probe: true });
    expect(probes[0]!.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(["open->half_open"]);
    for (const a of admissions.filter((x) => x.admission.kind === "wait")) {
      expect(a.admission).toMatchObject({ reason: "probe_in_flight" });
    }

    const prober = instances[admissions.findIndex((a) => a.admission.kind === "go")]!;
    const closed = await prober.record("meta", w.scope, { kind: "success" });
    expect(closed.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(["half_open->closed"]);
    expect(await w.item()).toMatchObject({ state: "closed", failures: [], backoffMs: C.baseBackoffMs });
  });

  it("serves reads from its cache for a few seconds, then sees other instances' changes", async () => {
    const w = world();
    const cached = w.store({ cacheTtlMs: 3_000 });
    expect((await cached.admit("meta", w.scope)).admission.kind).toBe("go");

    const other = w.store();
    await other.record("meta", w.scope, { kind: "failure", blockedUntil: new Date(T0 + 3_600_000) });

    w.clock.t += 1_000;
    expect((await cached.admit("meta", w.scope)).admission.kind).toBe("go");
    w.clock.t += 3_000;
    expect((await cached.admit("meta", w.scope)).admission).toEqual({
      kind: "wait",
      until: new Date(T0 + 3_600_000),
      reason: "usage_exhausted",
    });
  });

  it("keeps app and target breakers apart", async () => {
    const w = world();
    const s = w.store();
    for (let i = 0; i < C.failureThreshold; i++) await s.record("meta", w.scope, { kind: "failure" });
    expect((await s.read("meta", w.scope, true)).state).toBe("open");
    expect((await s.read("linkedin", w.scope, true)).state).toBe("closed");
    const linkedinItem = await db.send(
      new GetCommand({ TableName: table, Key: breakerKey("linkedin", w.scope), ConsistentRead: true }),
    );
    expect(linkedinItem.Item).toBeUndefined();
    expect(breakerKey("meta", "app")).toEqual({ PK: "BREAKER#meta#app", SK: "BREAKER" });
  });
});
