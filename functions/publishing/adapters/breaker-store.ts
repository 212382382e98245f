/**
 * The breaker state (domain/breaker.ts) shared by every Lambda instance, in the single table:
 * PK `BREAKER#<provider>#<scope>`, SK `BREAKER`. Not tenant data: the scope is the provider
 * app (`app`) or one target's external id (`target:<page id | IG user id | author URN>`).
 *
 * Reads are cached in memory for a few seconds (a breaker that opened elsewhere is seen within
 * `cacheTtlMs`). Writes happen only when the state machine changes something, and carry the
 * version read: a conflicting write from another instance fails its condition, the item is
 * read again and the step recomputed. That is also what makes a half-open probe exclusive.
 *
 * Secondary adapter: depends on the DynamoDB document client only.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../../../schemas/zod.js";
import { dynamodb } from "../../platform/aws/dynamodb.js";
import { configFields, loadConfig } from "../../platform/config.js";
import { parseItem } from "../../platform/dynamodb/items.js";
import {
  type Admission,
  admit,
  type BreakerConfig,
  type BreakerOutcome,
  type BreakerState,
  type BreakerStatus,
  type BreakerStep,
  type BreakerTransition,
  DEFAULT_BREAKER_CONFIG,
  initialBreakerState,
  record,
} from "../domain/breaker.js";
import type { ProviderName } from "../domain/provider-errors.js";
import type { Random } from "../domain/retry-policy.js";

/** `app`, or `target:<external id>`. */
export type BreakerScope = "app" | `target:${string}`;

export const targetScope = (externalId: string): BreakerScope => `target:${externalId}`;

/** The item key of one breaker. */
export function breakerKey(provider: ProviderName, scope: BreakerScope): { PK: string; SK: string } {
  return { PK: `BREAKER#${provider}#${scope}`, SK: "BREAKER" };
}

export interface BreakerStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly config?: BreakerConfig;
  /** How long a read is trusted; default 2 s. */
  readonly cacheTtlMs?: number;
  /** Re-reads after a version conflict before giving up; default 8. */
  readonly maxConflictRetries?: number;
  /** Items expire (DynamoDB TTL) this long after their last write; default 7 days. */
  readonly itemTtlSeconds?: number;
  readonly now?: () => Date;
  readonly random?: Random;
}

export interface AdmitResult {
  readonly admission: Admission;
  readonly transitions: readonly BreakerTransition[];
}

export interface RecordResult {
  readonly transitions: readonly BreakerTransition[];
  /** True when every write attempt lost to other instances (the outcome was dropped). */
  readonly conflicted: boolean;
}

interface CacheEntry {
  readonly state: BreakerState;
  readonly readAt: number;
}

const STATUSES: readonly BreakerStatus[] = ["closed", "open", "half_open"];

export class BreakerStore {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly config: BreakerConfig;
  private readonly cacheTtlMs: number;
  private readonly maxConflictRetries: number;
  private readonly itemTtlSeconds: number;
  private readonly now: () => Date;
  private readonly random: Random;

  constructor(private readonly opts: BreakerStoreOptions) {
    this.config = opts.config ?? DEFAULT_BREAKER_CONFIG;
    this.cacheTtlMs = opts.cacheTtlMs ?? 2_000;
    this.maxConflictRetries = opts.maxConflictRetries ?? 8;
    this.itemTtlSeconds = opts.itemTtlSeconds ?? 7 * 24 * 3600;
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
  }

  /** May a call to `provider` in `scope` go now? */
  async admit(provider: ProviderName, scope: BreakerScope): Promise<AdmitResult> {
    const out = await this.mutate(provider, scope, (s, now) => admit(s, now, this.config, this.random));
    if (out) return { admission: out.result, transitions: out.transitions };
    // Every attempt lost a race: others are changing this breaker right now. Back off briefly.
    const until = new Date(this.now().getTime() + 1_000 + Math.floor(this.random() * 2_000));
    return { admission: { kind: "wait", until, reason: "contended" }, transitions: [] };
  }

  /** Record what an admitted call got back. */
  async record(provider: ProviderName, scope: BreakerScope, outcome: BreakerOutcome): Promise<RecordResult> {
    const out = await this.mutate(provider, scope, (s, now) => record(s, outcome, now, this.config));
    return out ? { transitions: out.transitions, conflicted: false } : { transitions: [], conflicted: true };
  }

  /** The current state (from cache when fresh, unless `fresh`). */
  async read(provider: ProviderName, scope: BreakerScope, fresh = false): Promise<BreakerState> {
    return this.load(breakerKey(provider, scope).PK, fresh);
  }

  /** Forget cached reads (tests, or after a long pause). */
  invalidate(): void {
    this.cache.clear();
  }

  private async mutate<T>(
    provider: ProviderName,
    scope: BreakerScope,
    step: (s: BreakerState, now: Date) => BreakerStep<T>,
  ): Promise<BreakerStep<T> | undefined> {
    const pk = breakerKey(provider, scope).PK;
    let state = await this.load(pk, false);
    for (let attempt = 0; attempt <= this.maxConflictRetries; attempt++) {
      const now = this.now();
      const out = step(state, now);
      if (!out.changed) return out;
      const next: BreakerState = { ...out.state, version: state.version + 1 };
      if (await this.write(pk, next, state.version, now)) {
        this.cache.set(pk, { state: next, readAt: now.getTime() });
        return { ...out, state: next };
      }
      state = await this.load(pk, true);
    }
    return undefined;
  }

  private async load(pk: string, fresh: boolean): Promise<BreakerState> {
    const cached = this.cache.get(pk);
    const t = this.now().getTime();
    if (!fresh && cached && t - cached.readAt < this.cacheTtlMs) return cached.state;
    const res = await this.opts.client.send(
      new GetCommand({
        TableName: this.opts.tableName,
        Key: { PK: pk, SK: "BREAKER" },
        ConsistentRead: true,
      }),
    );
    const state = res.Item ? fromItem(res.Item) : initialBreakerState(this.config);
    this.cache.set(pk, { state, readAt: t });
    return state;
  }

  /** Conditional put; false when another instance wrote first. */
  private async write(pk: string, next: BreakerState, expectedVersion: number, now: Date): Promise<boolean> {
    try {
      await this.opts.client.send(
        new PutCommand({
          TableName: this.opts.tableName,
          Item: {
            PK: pk,
            SK: "BREAKER",
            ...next,
            updatedAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + this.itemTtlSeconds,
          },
          ...(expectedVersion === 0
            ? {
                // A new item, or one whose version attribute was lost: take it over.
                ConditionExpression: "attribute_not_exists(PK) OR attribute_not_exists(#version)",
                ExpressionAttributeNames: { "#version": "version" },
              }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": expectedVersion },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      if ((error as { name?: string } | undefined)?.name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }
}

/**
 * The store as a handler builds it at module scope: the shared document client and the table
 * from `ENV.TABLE_NAME` (read and validated here, once).
 */
export function createBreakerStore(
  overrides: Partial<Omit<BreakerStoreOptions, "client" | "tableName">> = {},
): BreakerStore {
  const { TABLE_NAME } = loadConfig({ TABLE_NAME: configFields.required() });
  return new BreakerStore({ client: dynamodb, tableName: TABLE_NAME, ...overrides });
}

/** The stored breaker state (`breakerKey` item), parsed on every read; key and TTL attributes are stripped. */
const BreakerItemSchema = z.object({
  state: z.enum(STATUSES),
  failures: z.array(z.object({ at: z.string() })),
  openedAt: z.optional(z.string()),
  probeAt: z.optional(z.string()),
  backoffMs: z.number().check(z.minimum(0)),
  usage: z.optional(z.object({ pct: z.number(), observedAt: z.string(), regainAt: z.optional(z.string()) })),
  version: z.number().check(z.int(), z.minimum(0)),
});

/** An item back to a state; a corrupt one is a CorruptItemError naming its key and the bad fields. */
function fromItem(item: Record<string, unknown>): BreakerState {
  const state: BreakerState = parseItem(BreakerItemSchema, item, "breaker");
  return state;
}
