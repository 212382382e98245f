/**
 * One paged list over the single table: a partition (base table `PK` or `GSI1PK`), an optional
 * sort-key range, optional equality / `contains` filters, and an opaque cursor.
 *
 * Filters run after DynamoDB has read a page, so one Query can answer fewer matches than asked
 * for. `listQuery` keeps reading (each read capped at `limit`) until it holds `limit` matches
 * or the partition is exhausted, and its cursor is the key of the last item it *returned*, so
 * the next page starts right after it: nothing skipped, nothing repeated. A request reads at
 * most `maxEvaluated` items; a sparse filter past that answers a short page whose cursor
 * resumes after the last item read.
 *
 * Cursors are base64url JSON of that key. One is accepted only for the list it came from: the
 * exact key attributes of that index, the same partition, and an item key inside the caller's
 * prefix (the tenant's), so a client cannot steer a query into another tenant's keys.
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";

/** Which list a cursor belongs to. */
export interface CursorScope {
  /** `GSI1` for a collection list; absent for a base-table partition (`PK`/`SK`). */
  readonly index?: "GSI1";
  /** The partition key value queried (`GSI1PK` or `PK`). */
  readonly partition: string;
  /** Every item of the list has a `PK` starting with this (e.g. `TENANT#acme#POST#`). */
  readonly itemPkPrefix: string;
}

/** A FilterExpression term: `attr = value`, or `contains(attr, value)` for a list attribute. */
export interface ListFilter {
  readonly attr: string;
  readonly value: unknown;
  readonly op?: "=" | "contains";
}

export interface ListQuery extends CursorScope {
  readonly table: string;
  /**
   * Sort-key bounds. Both: `BETWEEN from AND to`; only `from`: `>= from`; only `to`: `< to`.
   * Sort keys look like `<value>#<id>`, so a bare `to` sorts before every item at `to`.
   */
  readonly from?: string;
  readonly to?: string;
  readonly filters?: readonly ListFilter[];
  /** Descending sort-key order (newest first). */
  readonly descending?: boolean;
  readonly limit: number;
  /** Read budget per request (default MAX_EVALUATED_PER_PAGE); a sparse filter may then answer a short page with a cursor. */
  readonly maxEvaluated?: number;
  readonly cursor?: string;
  /** The error a malformed or foreign cursor becomes. */
  readonly invalidCursor: (reason: string) => Error;
}

export interface ListPage {
  /** Raw table items, in index order; the caller strips keys. */
  readonly items: Record<string, unknown>[];
  readonly nextCursor?: string;
}

const keyAttributes = (scope: Pick<CursorScope, "index">) =>
  scope.index ? ["GSI1PK", "GSI1SK", "PK", "SK"] : ["PK", "SK"];

export const encodeCursor = (key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

/**
 * The page key inside `cursor`, when it was issued for `scope`; otherwise `invalid(reason)` is
 * thrown, the reason naming the rule it broke: `unreadable` (not base64url JSON), `not an object`,
 * `key attributes` (not exactly the index's key attributes), `key values` (a non-string or one
 * over 1,024 characters), `partition` (another list's partition), `outside prefix` (an item key
 * outside the caller's prefix, i.e. another tenant's).
 */
export function decodeCursor(
  cursor: string,
  scope: CursorScope,
  invalid: (reason: string) => Error,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid("unreadable");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("not an object");
  const key = value as Record<string, unknown>;
  const partitionAttr = scope.index ? "GSI1PK" : "PK";
  // Each rule on its own, with its own reason (tests check each one separately).
  if (Object.keys(key).sort().join() !== keyAttributes(scope).join()) throw invalid("key attributes");
  if (Object.values(key).some((v) => typeof v !== "string" || v.length > 1024)) throw invalid("key values");
  if (key[partitionAttr] !== scope.partition) throw invalid("partition");
  if (!(key.PK as string).startsWith(scope.itemPkPrefix)) throw invalid("outside prefix");
  return key;
}

/** Up to `limit` matching items and, when more may follow, the cursor after the last one. */
export async function listQuery(client: DynamoDBDocumentClient, q: ListQuery): Promise<ListPage> {
  const [pkAttr, skAttr] = q.index ? ["GSI1PK", "GSI1SK"] : ["PK", "SK"];
  const values: Record<string, unknown> = { ":pk": q.partition };
  let keyCondition = `${pkAttr} = :pk`;
  if (q.from !== undefined && q.to !== undefined) keyCondition += ` AND ${skAttr} BETWEEN :from AND :to`;
  else if (q.from !== undefined) keyCondition += ` AND ${skAttr} >= :from`;
  else if (q.to !== undefined) keyCondition += ` AND ${skAttr} < :to`;
  if (q.from !== undefined) values[":from"] = q.from;
  if (q.to !== undefined) values[":to"] = q.to;

  const names: Record<string, string> = {};
  const terms = (q.filters ?? []).map((f, i) => {
    names[`#f${i}`] = f.attr;
    values[`:f${i}`] = f.value;
    return f.op === "contains" ? `contains(#f${i}, :f${i})` : `#f${i} = :f${i}`;
  });

  const keyOf = (item: Record<string, unknown>) =>
    Object.fromEntries(keyAttributes(q).map((k) => [k, item[k]]));
  const items: Record<string, unknown>[] = [];
  let start = q.cursor ? decodeCursor(q.cursor, q, q.invalidCursor) : undefined;
  let evaluated = 0;
  for (;;) {
    const out = await client.send(
      new QueryCommand({
        TableName: q.table,
        ...(q.index ? { IndexName: q.index } : {}),
        KeyConditionExpression: keyCondition,
        ...(terms.length > 0
          ? { FilterExpression: terms.join(" AND "), ExpressionAttributeNames: names }
          : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: !q.descending,
        Limit: q.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const read = out.Items ?? [];
    const room = q.limit - items.length;
    items.push(...read.slice(0, room));
    const more = read.length > room || out.LastEvaluatedKey !== undefined;
    if (!more) return { items };
    if (items.length === q.limit) return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) };
    start = out.LastEvaluatedKey;
    evaluated += out.ScannedCount ?? read.length;
    // A sparse filter over a long list must not hold the request (and the Lambda) open:
    // past the budget, answer what matched so far with a cursor after the last item read.
    // Every item before that cursor was either returned or did not match.
    if (start && evaluated >= (q.maxEvaluated ?? MAX_EVALUATED_PER_PAGE)) {
      return { items, nextCursor: encodeCursor(start) };
    }
  }
}

/** Items a single list request may read through before it answers a short page with a cursor. */
export const MAX_EVALUATED_PER_PAGE = 2_000;

/**
 * Every item a Query matches, following `LastEvaluatedKey` to the end. For small, bounded
 * partitions (a tenant's connections, one connection's targets) that are read whole.
 */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, "ExclusiveStartKey">,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
