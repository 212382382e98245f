/**
 * fast-check arbitraries derived from the zod schemas: the schema is turned into JSON Schema
 * (`z.toJSONSchema`, the same document the OpenAPI file is built from) and walked. `valid`
 * builds values the schema should accept; `mutated` breaks one thing (unknown key, missing
 * required key, wrong type) or sends arbitrary JSON. Overrides pin fields whose validity the
 * JSON Schema cannot express (IANA zones, times inside the scheduling window).
 */
import fc from "fast-check";
import * as z from "../../schemas/zod.js";

type Json = Record<string, unknown>;
export type Overrides = Record<string, fc.Arbitrary<unknown>>;

const TEXT_CAP = 300;

function fromJsonSchema(s: Json, overrides: Overrides, name?: string): fc.Arbitrary<unknown> {
  if (name && overrides[name]) return overrides[name] as fc.Arbitrary<unknown>;
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ("const" in s) return fc.constant(s.const);
  const union = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (union) return fc.oneof(...union.map((u) => fromJsonSchema(u, overrides, name)));
  switch (s.type) {
    case "object": {
      const props = (s.properties ?? {}) as Record<string, Json>;
      const required = new Set((s.required ?? []) as string[]);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) model[key] = fromJsonSchema(sub, overrides, key);
      return fc.record(model, { requiredKeys: [...required] as never[] }).map((v) => v as unknown);
    }
    case "array": {
      const items = fromJsonSchema((s.items ?? {}) as Json, overrides);
      const min = Number(s.minItems ?? 0);
      const max = Math.min(Number(s.maxItems ?? 5), min + 5);
      return fc.array(items, { minLength: min, maxLength: max });
    }
    case "string": {
      if (s.format === "uri") return fc.webUrl({ validSchemes: ["https"] });
      if (s.format === "date-time") {
        return fc
          .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
          .map((d) => d.toISOString());
      }
      const min = Number(s.minLength ?? 0);
      const max = Math.min(Number(s.maxLength ?? TEXT_CAP), TEXT_CAP);
      if (typeof s.pattern === "string") {
        return fc
          .stringMatching(new RegExp(s.pattern))
          .filter((v) => v.length >= min && v.length <= Number(s.maxLength ?? Infinity));
      }
      return fc.string({ minLength: min, maxLength: Math.max(min, max), unit: "grapheme" });
    }
    case "integer":
      return fc.integer({ min: Number(s.minimum ?? -1e6), max: Number(s.maximum ?? 1e6) });
    case "number":
      return fc.double({ min: Number(s.minimum ?? -1e6), max: Number(s.maximum ?? 1e6), noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue();
  }
}

/** Values built from the schema's shape (most are accepted; refinements may still refuse some). */
export function valid(schema: z.ZodMiniType, overrides: Overrides = {}): fc.Arbitrary<unknown> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  return fromJsonSchema(json, overrides);
}

/** One thing broken: an unknown key, a required key dropped, a field of the wrong type; or any JSON at all. */
export function mutated(schema: z.ZodMiniType, overrides: Overrides = {}): fc.Arbitrary<unknown> {
  const base = valid(schema, overrides);
  const wrong = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.string({ maxLength: 5 }),
  );
  return fc.oneof(
    fc
      .tuple(base, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue())
      .map(([v, k, x]) =>
        v && typeof v === "object" && !Array.isArray(v) ? { ...(v as Json), [`x_${k}`]: x } : v,
      ),
    fc.tuple(base, fc.nat()).map(([v, n]) => {
      if (!v || typeof v !== "object" || Array.isArray(v)) return v;
      const keys = Object.keys(v as Json);
      if (keys.length === 0) return v;
      const { [keys[n % keys.length] as string]: _dropped, ...rest } = v as Json;
      return rest;
    }),
    fc.tuple(base, fc.nat(), wrong).map(([v, n, w]) => {
      if (!v || typeof v !== "object" || Array.isArray(v)) return w;
      const keys = Object.keys(v as Json);
      if (keys.length === 0) return w;
      return { ...(v as Json), [keys[n % keys.length] as string]: w };
    }),
    fc.jsonValue(),
  );
}

/** Valid-shaped and broken bodies, about half each. */
export const bodies = (schema: z.ZodMiniType, overrides: Overrides = {}) =>
  fc.oneof(valid(schema, overrides), mutated(schema, overrides));

/**
 * Budget per property run: about 2.6 ms measured per request body on the slowest endpoint of
 * an idle 2-core machine (handler, chain and in-memory table), times 8 for a machine shared
 * with the other test tiers.
 */
export const PROPERTY_MS_PER_RUN = 20;

/** The explicit timeout of a property test with `runs` runs (plus a fixed allowance for setup). */
export const propertyTimeoutMs = (runs: number) => 10_000 + runs * PROPERTY_MS_PER_RUN;
