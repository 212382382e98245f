/**
 * Idempotency keys for creating POSTs. A client sends `Idempotency-Key: <key>`; the first
 * request with that key (per tenant and route) runs and its answer is stored for 24 h.
 * Repeating the key with the same body replays the stored answer (status, body, ETag and
 * Location headers, plus `idempotency-replayed: true`); the same key with a different body
 * answers 422; a repeat while the first is still running answers 409.
 *
 * Only successful (2xx) answers are stored. When the operation throws, the claim is removed,
 * so the client may retry with the same key. Wrap the handler function:
 *
 * ```ts
 * httpHandler(spec, idempotent(() => store, async (req) => …));
 * ```
 */
import { createHash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../../schemas/zod.js";
import { routeKey } from "../manifest.js";
import type { AuthContext } from "./auth.js";
import { itemFields, parseItem } from "./dynamodb/items.js";
import { ConflictError, UnprocessableError, ValidationError } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { tenantPk } from "./keys.js";
import { logger } from "./observability.js";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotency-replayed";
/** How long an answer is kept for replay. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** How long an unfinished claim blocks repeats; after that a crashed attempt may be retried. */
export const IN_PROGRESS_LOCK_SECONDS = 60;

export interface StoredResponse {
  readonly statusCode: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface IdempotencyRecord {
  readonly status: "IN_PROGRESS" | "COMPLETE";
  readonly requestHash: string;
  readonly response?: StoredResponse;
}

export interface IdempotencyScope {
  readonly tenantId: string;
  /** `POST /v1/posts/{id}/schedule`. */
  readonly route: string;
  readonly key: string;
}

/** Storage port for idempotency records. */
export interface IdempotencyStore {
  /** Take the key; undefined when taken now, else the record that holds it. */
  claim(
    scope: IdempotencyScope,
    requestHash: string,
    nowSeconds: number,
  ): Promise<IdempotencyRecord | undefined>;
  complete(
    scope: IdempotencyScope,
    requestHash: string,
    response: StoredResponse,
    nowSeconds: number,
  ): Promise<void>;
  release(scope: IdempotencyScope): Promise<void>;
}

/** Where the wrapper reports what it chose not to fail the request for (Powertools logger by default). */
export interface IdempotencyLog {
  warn(message: string, extra: Record<string, unknown>): void;
}

const platformLog: IdempotencyLog = { warn: (message, extra) => logger.warn(message, extra) };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Stable JSON (sorted keys) so that `{a,b}` and `{b,a}` hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export const requestHash = (path: unknown, body: unknown) =>
  createHash("sha256")
    .update(canonicalJson({ path: path ?? null, body: body ?? null }))
    .digest("base64url");

/** Headers worth replaying (others, such as the correlation id, belong to each request). */
const REPLAY_HEADERS = ["etag", "location"];

/**
 * Wrap an HTTP handler function with Idempotency-Key handling. Without the header the
 * function simply runs. `storeOf` is called lazily so that tests can swap the store.
 */
export function idempotent<B, Q, P>(
  storeOf: () => IdempotencyStore,
  fn: (req: HttpRequest<B, Q, P, AuthContext>) => Promise<HttpResponse>,
  clock: () => number = () => Date.now(),
  log: IdempotencyLog = platformLog,
): (req: HttpRequest<B, Q, P, AuthContext>) => Promise<HttpResponse> {
  return async (req) => {
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return fn(req);
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationError([
        {
          path: "header.idempotency-key",
          code: "invalid_idempotency_key",
          message: "Idempotency-Key must be 1–255 visible ASCII characters (a UUID is a good choice).",
        },
      ]);
    }
    const store = storeOf();
    const scope: IdempotencyScope = { tenantId: req.auth.tenantId, route: routeKey(req.route), key };
    const hash = requestHash(req.path, req.body);
    const now = Math.floor(clock() / 1000);
    const existing = await store.claim(scope, hash, now);
    if (existing) {
      if (existing.requestHash !== hash) {
        throw new UnprocessableError(
          "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
          { code: "idempotency_key_reused" },
        );
      }
      if (existing.status === "IN_PROGRESS" || !existing.response) {
        throw new ConflictError("A request with this Idempotency-Key is still running; retry in a moment.", {
          code: "idempotency_in_progress",
        });
      }
      return {
        statusCode: existing.response.statusCode,
        ...(existing.response.body === undefined ? {} : { body: existing.response.body }),
        headers: { ...(existing.response.headers ?? {}), [REPLAYED_HEADER]: "true" },
      };
    }
    // Free the key so the client may retry with it. If that write fails, the caller still gets
    // the operation's own answer (it matters more); the claim then answers 409
    // idempotency_in_progress to repeats until its lock lapses (IN_PROGRESS_LOCK_SECONDS).
    const release = async (after: string) => {
      try {
        await store.release(scope);
      } catch (error) {
        log.warn("idempotency key not released; repeats get 409 until the claim lapses", {
          route: scope.route,
          after,
          lockSeconds: IN_PROGRESS_LOCK_SECONDS,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    };
    let response: HttpResponse;
    try {
      response = await fn(req);
    } catch (error) {
      await release("the operation failed");
      throw error;
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      const headers = Object.fromEntries(
        Object.entries(response.headers ?? {}).filter(([k]) => REPLAY_HEADERS.includes(k.toLowerCase())),
      );
      await store.complete(
        scope,
        hash,
        { statusCode: response.statusCode, body: response.body, headers },
        Math.floor(clock() / 1000),
      );
    } else {
      await release(`a ${response.statusCode} answer (only 2xx answers are stored)`);
    }
    return response;
  };
}

const keyOf = (scope: IdempotencyScope) => ({
  PK: tenantPk(
    scope.tenantId,
    "IDEMPOTENCY",
    createHash("sha256").update(`${scope.route}\n${scope.key}`).digest("base64url"),
  ),
  SK: "IDEMPOTENCY",
});

const IdempotencyItemSchema = z.object({
  status: z.enum(["IN_PROGRESS", "COMPLETE"]),
  requestHash: itemFields.id(),
  response: z.optional(
    z.object({
      statusCode: z.number().check(z.int()),
      body: z.optional(z.unknown()),
      headers: z.optional(z.record(z.string(), z.string())),
    }),
  ),
});

/** The table item of a record written at `now` (kept IDEMPOTENCY_TTL_SECONDS). */
const itemOf = (
  scope: IdempotencyScope,
  now: number,
  record: IdempotencyRecord & { lockedUntil?: number },
) => ({
  ...keyOf(scope),
  entity: "IDEMPOTENCY",
  ...record,
  expiresAt: now + IDEMPOTENCY_TTL_SECONDS,
});

/** DynamoDB store: one item per tenant + route + key, expired by TTL (`expiresAt`). */
export function dynamoIdempotencyStore(client: DynamoDBDocumentClient, tableName: string): IdempotencyStore {
  return {
    async claim(scope, hash, now) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: itemOf(scope, now, {
              status: "IN_PROGRESS",
              requestHash: hash,
              lockedUntil: now + IN_PROGRESS_LOCK_SECONDS,
            }),
            // TTL deletes lazily, so an expired record is treated as absent; so is a crashed claim.
            ConditionExpression:
              "attribute_not_exists(PK) OR expiresAt < :now OR (#s = :inProgress AND lockedUntil < :now)",
            ExpressionAttributeNames: { "#s": "status" },
            ExpressionAttributeValues: { ":now": now, ":inProgress": "IN_PROGRESS" },
          }),
        );
        return undefined;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const record = (
          await client.send(new GetCommand({ TableName: tableName, Key: keyOf(scope), ConsistentRead: true }))
        ).Item;
        if (!record) return { status: "IN_PROGRESS", requestHash: hash };
        return parseItem(IdempotencyItemSchema, record, "idempotency record");
      }
    },
    async complete(scope, hash, response, now) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: itemOf(scope, now, { status: "COMPLETE", requestHash: hash, response }),
        }),
      );
    },
    async release(scope) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: keyOf(scope) }));
    },
  };
}
