/**
 * Error classes that carry their HTTP meaning. Use cases throw these; the HTTP chain's error
 * mapper (http.ts) turns them into `application/problem+json` (RFC 9457). Anything that is
 * not an `HttpError` becomes a plain 500 with the correlation id and no internals.
 */

import { PROBLEMS, type ProblemType } from "../../schemas/api/problems.js";

export { PROBLEM_BASE } from "../../schemas/api/problems.js";

export interface ValidationIssue {
  /** Where the problem is: `body.content.text`, `query.limit`, `path.id`, `header.if-match`. */
  readonly path: string;
  /** Machine-readable code (zod's, or ours such as `caption_too_long`). */
  readonly code: string;
  /** A sentence a person can act on. */
  readonly message: string;
}

export abstract class HttpError extends Error {
  /** Problem type slug, appended to PROBLEM_BASE; fixes status and title. */
  abstract readonly type: ProblemType;
  get statusCode(): number {
    return PROBLEMS[this.type].status;
  }
  get title(): string {
    return PROBLEMS[this.type].title;
  }
  /** Extra members for the problem body (RFC 9457 extensions). */
  readonly extensions: Record<string, unknown>;
  /** Extra response headers (e.g. `WWW-Authenticate`, `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(
    detail: string,
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
    this.extensions = extensions;
    this.headers = headers;
  }
}

export class ValidationError extends HttpError {
  readonly type = "validation" as const;
  constructor(
    readonly issues: readonly ValidationIssue[],
    detail = `The request has ${issues.length} invalid field${issues.length === 1 ? "" : "s"}; see issues.`,
  ) {
    super(detail, { issues });
  }
}

export class MalformedRequestError extends HttpError {
  readonly type = "malformed-request" as const;
}

export class UnauthorizedError extends HttpError {
  readonly type = "unauthorized" as const;
  constructor(detail: string) {
    super(detail, {}, { "www-authenticate": 'Bearer realm="herald"' });
  }
}

export class ForbiddenError extends HttpError {
  readonly type = "forbidden" as const;
}

export class NotFoundError extends HttpError {
  readonly type = "not-found" as const;
}

export class ConflictError extends HttpError {
  readonly type = "conflict" as const;
}

export class PreconditionFailedError extends HttpError {
  readonly type = "precondition-failed" as const;
}

export class PreconditionRequiredError extends HttpError {
  readonly type = "precondition-required" as const;
}

export class PayloadTooLargeError extends HttpError {
  readonly type = "payload-too-large" as const;
}

export class UnsupportedMediaTypeError extends HttpError {
  readonly type = "unsupported-media-type" as const;
}

export class UnprocessableError extends HttpError {
  readonly type = "unprocessable" as const;
}
