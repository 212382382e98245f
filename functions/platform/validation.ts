/**
 * zod at the trust boundary: parse, and turn every issue into a ValidationIssue with a path
 * a client can map to its form field (`body.content.text`).
 */
import type * as z from "../../schemas/zod.js";
import { ValidationError, type ValidationIssue } from "./errors.js";

type Issue = { path: PropertyKey[]; code: string; message: string; keys?: string[] };

export function toIssues(where: string, issues: readonly Issue[]): ValidationIssue[] {
  return issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys" && issue.keys) {
      return issue.keys.map((key) => ({
        path: `${base}.${key}`,
        code: "unrecognized_key",
        message: `Unknown field "${key}"; remove it.`,
      }));
    }
    return [{ path: base, code: issue.code, message: issue.message }];
  });
}

/** Parse `value` or throw a ValidationError naming each bad field under `where`. */
export function parseOrThrow<S extends z.ZodMiniType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(toIssues(where, result.error.issues as unknown as Issue[]));
}
