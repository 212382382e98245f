/**
 * Herald's problem types (RFC 9457), as data: the error classes in functions/platform/errors.ts
 * and the OpenAPI document both read this table. Each type is explained in docs/problems.md.
 */
export const PROBLEM_BASE = "https://herald.dev/problems/";

export const PROBLEMS = {
  validation: { status: 400, title: "The request is not valid" },
  "malformed-request": { status: 400, title: "The request could not be read" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Not allowed for your role" },
  "not-found": { status: 404, title: "Not found" },
  conflict: { status: 409, title: "Conflicts with the current state" },
  "precondition-failed": { status: 412, title: "The resource changed since you read it" },
  "precondition-required": { status: 428, title: "Send If-Match with the ETag you read" },
  "payload-too-large": { status: 413, title: "Request body too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported content type" },
  unprocessable: { status: 422, title: "The request cannot be processed" },
  internal: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEMS;
