/**
 * Message contracts. Each event is a module exporting one `defineEvent(...)`: its name (past
 * tense), source, version and the zod schema of its data. Every message travels as the
 * envelope `{ metadata, data }`, so a consumer can check name and version before it reads data.
 */
import * as z from "../schemas/zod.js";

export const MetadataSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  version: z.int().check(z.minimum(1)),
  /** Unique per message; consumers may dedupe on it. */
  id: z.string().check(z.minLength(1)),
  /** ISO-8601 UTC. */
  occurredAt: z.iso.datetime(),
  correlationId: z.string().check(z.minLength(1)),
});
export type Metadata = z.infer<typeof MetadataSchema>;

export interface EventContract<N extends string, V extends number, D extends z.ZodMiniType> {
  readonly name: N;
  /** EventBridge `Source` when the event goes on the bus. */
  readonly source: string;
  readonly version: V;
  readonly data: D;
  /** The whole envelope `{metadata, data}`. */
  readonly schema: z.ZodMiniType<{ metadata: Metadata; data: z.infer<D> }>;
  /** Build an envelope; `id` and `occurredAt` default to a new UUID and now. */
  create(
    data: z.infer<D>,
    meta: { correlationId: string; id?: string; occurredAt?: string },
  ): { metadata: Metadata; data: z.infer<D> };
  /** Parse an envelope of this name and version (throws on anything else). */
  parse(value: unknown): { metadata: Metadata; data: z.infer<D> };
}

export function defineEvent<N extends string, V extends number, D extends z.ZodMiniType>(spec: {
  name: N;
  source: string;
  version: V;
  data: D;
}): EventContract<N, V, D> {
  const schema = z.strictObject({
    metadata: z.strictObject({
      ...MetadataSchema.shape,
      name: z.literal(spec.name),
      version: z.literal(spec.version),
    }),
    data: spec.data,
  }) as unknown as z.ZodMiniType<{ metadata: Metadata; data: z.infer<D> }>;
  return {
    ...spec,
    schema,
    create: (data, meta) => ({
      metadata: {
        name: spec.name,
        version: spec.version,
        id: meta.id ?? crypto.randomUUID(),
        occurredAt: meta.occurredAt ?? new Date().toISOString(),
        correlationId: meta.correlationId,
      },
      data,
    }),
    parse: (value) => schema.parse(value),
  };
}
