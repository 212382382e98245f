import { randomBytes, randomUUID } from "node:crypto";
import type { ErrorPreset, SandboxRequest, SandboxResponse } from "../core/types.js";

/**
 * LinkedIn's answers and error bodies (providers.md B1, B2, B7). Every response carries the
 * `x-li-*` headers LinkedIn sends; API (`/linkedin/api/…`) responses also carry the Rest.li
 * protocol version.
 */

/** The headers LinkedIn puts on every answer (fresh ids per call). */
export function liHeaders(api: boolean, protocol = "2.0.0"): Record<string, string> {
  const headers: Record<string, string> = {
    "x-li-uuid": randomBytes(16).toString("base64"),
    "x-li-request-id": randomUUID(),
    "x-li-fabric": "prod-sbx1",
  };
  if (api) headers["x-restli-protocol-version"] = protocol;
  return headers;
}

function isApiPath(req: SandboxRequest | undefined): boolean {
  return req === undefined || req.path.startsWith("/linkedin/api/");
}

/** A JSON (or empty) answer with LinkedIn's headers. */
export function liJson(
  req: SandboxRequest | undefined,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): SandboxResponse {
  const protocol = req?.headers["x-restli-protocol-version"] === "2.0.0" || !req ? "2.0.0" : "1.0.0";
  return {
    status,
    headers: {
      ...liHeaders(isApiPath(req), protocol),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body,
  };
}

/** An HTML page (consent screen, authorization errors) with LinkedIn's headers. */
export function liHtml(status: number, html: string): SandboxResponse {
  return {
    status,
    headers: { ...liHeaders(false), "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    body: html,
  };
}

/** `LinkedIn-Version: 202601` or `202601.02` → `20260101` / `20260102` (how the 426 echoes it). */
export function versionAsDate(version: string | undefined): string {
  const m = /^(\d{6})(?:\.(\d{2}))?$/.exec(version ?? "");
  if (!m) return version ?? "20250101";
  return `${m[1]}${m[2] ?? "01"}`;
}

// ---- the error bodies (B7 and the corrections table) ----

export const emptyTokenBody = { message: "Empty oauth2_access_token", serviceErrorCode: 401, status: 401 };
export const invalidTokenBody = {
  status: 401,
  serviceErrorCode: 65600,
  code: "INVALID_ACCESS_TOKEN",
  message: "Invalid access token",
};
export const revokedTokenBody = {
  status: 401,
  serviceErrorCode: 65601,
  code: "REVOKED_ACCESS_TOKEN",
  message: "The token used in the request has been revoked by the user",
};
export const expiredTokenBody = {
  status: 401,
  serviceErrorCode: 65602,
  code: "EXPIRED_ACCESS_TOKEN",
  message: "The token used in the request has expired",
};
export const versionMissingBody = {
  status: 400,
  code: "VERSION_MISSING",
  message: "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
};

export function nonexistentVersionBody(version: string | undefined): Record<string, unknown> {
  return {
    status: 426,
    code: "NONEXISTENT_VERSION",
    message: `Requested version ${versionAsDate(version)} is not active`,
  };
}

/** 403 in the newer shape; `resource` like `partnerApiPostsExternal.CREATE`. */
export function accessDeniedBody(resource: string, version: string | undefined): Record<string, unknown> {
  return {
    status: 403,
    serviceErrorCode: 100,
    code: "ACCESS_DENIED",
    message: `Not enough permissions to access: ${resource}.${versionAsDate(version)}`,
  };
}

/** 403 in the classic shape `/v2` answers (`GET /me` without r_basicprofile). */
export function classicForbiddenBody(what: string): Record<string, unknown> {
  return { serviceErrorCode: 100, message: `Not enough permissions to access: ${what}`, status: 403 };
}

export function duplicatePostBody(existing: string): Record<string, unknown> {
  return {
    errorDetailType: "com.linkedin.common.error.BadRequest",
    message: `com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of ${existing}`,
    errorDetails: {
      inputErrors: [{ description: "Duplicate post is detected", input: {}, code: "DUPLICATE_POST" }],
    },
    status: 422,
  };
}

/**
 * A Rest.li validation failure in the shape of the duplicate answer ([I]: LinkedIn's exact
 * codes and wording for these are not confirmed).
 */
export function validationBody(
  status: 400 | 422,
  message: string,
  code: string,
  fieldPath?: string,
): Record<string, unknown> {
  return {
    errorDetailType: "com.linkedin.common.error.BadRequest",
    message,
    errorDetails: {
      inputErrors: [{ description: message, input: fieldPath ? { inputPath: { fieldPath } } : {}, code }],
    },
    status,
  };
}

export const applicationDayLimitBody = {
  message: "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
  status: 429,
};
/** [I]: the reference only says a MEMBER DAY variant exists. */
export const memberDayLimitBody = {
  message: "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
  status: 429,
};

export function notFoundBody(what = "Not Found"): Record<string, unknown> {
  return { status: 404, serviceErrorCode: 0, code: "NOT_FOUND", message: what };
}

/** OAuth endpoint errors (`/oauth/v2/*`): `{error, error_description}`. */
export function oauthError(
  req: SandboxRequest,
  status: number,
  error: string,
  description: string,
): SandboxResponse {
  return liJson(req, status, { error, error_description: description });
}

/** The error presets fault rules can name (`linkedin.<key>`). */
export const linkedinErrorPresets: Readonly<Record<string, ErrorPreset>> = {
  "invalid-65600": (req) => liJson(req, 401, invalidTokenBody),
  "revoked-65601": (req) => liJson(req, 401, revokedTokenBody),
  "expired-65602": (req) => liJson(req, 401, expiredTokenBody),
  "empty-token-401": (req) => liJson(req, 401, emptyTokenBody),
  "access-denied": (req) =>
    liJson(req, 403, accessDeniedBody("partnerApiPostsExternal.CREATE", req.headers["linkedin-version"])),
  "duplicate-post": (req) => liJson(req, 422, duplicatePostBody("urn:li:share:7141138937766391808")),
  "daily-limit-429": (req) => liJson(req, 429, applicationDayLimitBody),
  "member-daily-limit-429": (req) => liJson(req, 429, memberDayLimitBody),
  "throttle-429": (req) =>
    liJson(req, 429, {
      message: "Resource level throttle limit for calls to this resource is reached.",
      serviceErrorCode: 101,
      status: 429,
    }),
  "nonexistent-version": (req) =>
    liJson(req, 426, nonexistentVersionBody(req.headers["linkedin-version"] ?? "202401")),
  "version-missing": (req) => liJson(req, 400, versionMissingBody),
  "not-found-404": (req) => liJson(req, 404, notFoundBody()),
  "server-500": (req) => liJson(req, 500, { message: "Internal Server Error", status: 500 }),
  "unavailable-503": (req) => liJson(req, 503, { message: "Service Unavailable", status: 503 }),
  "gateway-timeout-504": (req) => liJson(req, 504, { message: "Gateway Timeout", status: 504 }),
};
