/**
 * Items read from the table are parsed into domain types, never cast. `parseItem` checks an
 * item against a zod/mini schema of the domain shape (key and index attributes such as `PK`,
 * `GSI1SK` or `entity` are dropped because the schemas are plain, stripping objects) and
 * throws a `CorruptItemError` that names the item's key and the fields that are wrong. A
 * corrupt item is then one clear error where it is read (logged by the handler chain), not
 * an `undefined` that crashes three calls later.
 *
 * ```ts
 * const ConnectionItem = z.object({ tenantId: z.string(), … });
 * return parseItem(ConnectionItem, out.Item, "connection");
 * ```
 */
import * as z from "../../../schemas/zod.js";

/** An item in the table does not have the shape its repository expects. */
export class CorruptItemError extends Error {
  constructor(
    /** What was read: `connection`, `target`, `tenant settings`, … */
    readonly what: string,
    /** The item's `PK` and `SK` (empty strings when the item has none). */
    readonly key: { readonly PK: string; readonly SK: string },
    /** `field: problem` for each field that failed. */
    readonly problems: readonly string[],
  ) {
    super(`Corrupt ${what} item PK=${key.PK} SK=${key.SK}: ${problems.join("; ")}`);
    this.name = "CorruptItemError";
  }
}

const keyOf = (item: Record<string, unknown>) => ({
  PK: typeof item.PK === "string" ? item.PK : "",
  SK: typeof item.SK === "string" ? item.SK : "",
});

/** `item` as `schema`'s output; a `CorruptItemError` naming the key and the bad fields otherwise. */
export function parseItem<S extends z.ZodMiniType>(
  schema: S,
  item: Record<string, unknown>,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(item);
  if (result.success) return result.data as z.infer<S>;
  throw new CorruptItemError(
    what,
    keyOf(item),
    result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(item)"}: ${i.message}`),
  );
}

/**
 * Field schemas that recur in item schemas. An item attribute written as `undefined` is
 * absent (the document client removes undefined values), so optional fields are `z.optional`.
 */
export const itemFields = {
  /** A non-empty string. */
  id: () => z.string().check(z.minLength(1)),
  /** An ISO-8601 instant as stored (`2026-12-05T08:00:00.000Z`). */
  instant: () => z.iso.datetime({ offset: true }),
  /** Epoch seconds (TTL attributes). */
  epochSeconds: () => z.number().check(z.int()),
} as const;
