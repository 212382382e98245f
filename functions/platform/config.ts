/**
 * Configuration is read from the environment and validated once, at cold start: a missing
 * variable fails the first invocation (and the deploy smoke test) with a message naming it,
 * never the thousandth request.
 */
import { ENV, type EnvKey } from "../../schemas/env.js";
import * as z from "../../schemas/zod.js";

export class ConfigError extends Error {}

type Shape = Partial<Record<EnvKey, z.ZodMiniType>>;
type Parsed<S extends Shape> = { [K in keyof S]: S[K] extends z.ZodMiniType ? z.infer<S[K]> : never };

/**
 * Parse the named variables (by their key in `ENV`) with the given schemas.
 * `loadConfig({ TABLE_NAME: z.string() })` → `{ TABLE_NAME: string }`.
 */
export function loadConfig<S extends Shape>(shape: S, env: NodeJS.ProcessEnv = process.env): Parsed<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(shape) as [EnvKey, z.ZodMiniType][]) {
    const name = ENV[key];
    const result = schema.safeParse(env[name]);
    if (result.success) out[key] = result.data;
    else problems.push(`${name}: ${result.error.issues.map((i) => i.message).join("; ")}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join(" | ")}`);
  return out as Parsed<S>;
}

/** Common field schemas for config. */
export const configFields = {
  required: () => z.string().check(z.minLength(1)),
  url: () => z.url(),
  optional: () => z.optional(z.string()),
  int: (fallback: number) =>
    z.pipe(
      z.optional(z.string()),
      z.transform((v) => (v === undefined || v === "" ? fallback : Number.parseInt(v, 10))),
    ),
} as const;
