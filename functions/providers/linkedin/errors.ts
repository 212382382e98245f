/**
 * LinkedIn error bodies → `LinkedInApiError` with one classification. Two shapes exist: the
 * REST one (`{status, serviceErrorCode, code, message}`) and the OAuth endpoints' one
 * (`{error, error_description}`).
 */
import type { ProviderFailure } from "../../publishing/domain/provider-errors.js";
import { LinkedInApiError, type ProviderErrorClass } from "../errors.js";
import { asInt, asText, isRecord } from "../json.js";

/** 65600 invalid, 65601 revoked by the member, 65602 expired. */
export const LINKEDIN_REVOKED_CODES: ReadonlySet<number> = new Set([65600, 65601, 65602]);
export const LINKEDIN_REVOKED_BY_MEMBER = 65601;

interface RestBody {
  status?: number;
  serviceErrorCode?: number;
  /** The symbolic code: top level, else the first `errorDetails.inputErrors[].code` (`DUPLICATE_POST`). */
  code?: string;
  message?: string;
}
interface OAuthBody {
  error?: string;
  error_description?: string;
}

/** Both LinkedIn error shapes, fields checked. */
export function readLinkedInError(raw: unknown): (RestBody & OAuthBody) | undefined {
  if (!isRecord(raw)) return undefined;
  const details = isRecord(raw.errorDetails) ? raw.errorDetails : undefined;
  const inputErrors = details && Array.isArray(details.inputErrors) ? details.inputErrors : [];
  const inputCode = inputErrors.map((e) => (isRecord(e) ? asText(e.code) : undefined)).find(Boolean);
  const fields = {
    status: asInt(raw.status),
    serviceErrorCode: asInt(raw.serviceErrorCode),
    code: asText(raw.code) ?? inputCode,
    message: asText(raw.message),
    error: asText(raw.error),
    error_description: asText(raw.error_description),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function classifyLinkedInError(status: number, body: RestBody | undefined): ProviderErrorClass {
  if (
    status === 401 &&
    body?.serviceErrorCode !== undefined &&
    LINKEDIN_REVOKED_CODES.has(body.serviceErrorCode)
  ) {
    return "revoked";
  }
  if (body?.code === "REVOKED_ACCESS_TOKEN" || body?.code === "EXPIRED_ACCESS_TOKEN") return "revoked";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "transient";
  if (status === 401 || status === 403) return "auth";
  return "permanent";
}

/**
 * @param grantErrorsAreRevocations on the refresh grant, an `invalid_request`/`invalid_grant`
 * answer means the refresh token is invalid, expired or revoked: the grant is gone.
 */
export function linkedInErrorFrom(
  status: number,
  raw: unknown,
  where: string,
  options: { retryAfterSeconds?: number; grantErrorsAreRevocations?: boolean } = {},
): LinkedInApiError {
  const obj = readLinkedInError(raw);
  if (obj?.error !== undefined) {
    let classification: ProviderErrorClass =
      status >= 500 ? "transient" : status === 429 ? "rate_limited" : "auth";
    if (
      options.grantErrorsAreRevocations &&
      status < 500 &&
      (obj.error === "invalid_grant" || obj.error === "invalid_request")
    ) {
      classification = "revoked";
    }
    return new LinkedInApiError(`LinkedIn ${where}: ${obj.error_description ?? obj.error}`, {
      provider: "linkedin",
      classification,
      status,
      code: obj.error,
      retryAfterSeconds: options.retryAfterSeconds,
    });
  }
  return new LinkedInApiError(`LinkedIn ${where}: ${obj?.message ?? `HTTP ${status}`}`, {
    provider: "linkedin",
    classification: classifyLinkedInError(status, obj),
    status,
    code: obj?.serviceErrorCode,
    subcode: obj?.code,
    retryAfterSeconds: options.retryAfterSeconds,
  });
}

/**
 * A LinkedIn error answer as the failure the publishing table classifies: `code` = the
 * symbolic code, else `serviceErrorCode`; `subcode` = `serviceErrorCode`.
 */
export function linkedinFailure(httpStatus: number | undefined, raw: unknown): ProviderFailure {
  const b = readLinkedInError(raw);
  const code = b?.code ?? b?.serviceErrorCode;
  const status = httpStatus ?? b?.status;
  return {
    provider: "linkedin",
    ...(status === undefined ? {} : { httpStatus: status }),
    ...(code === undefined ? {} : { code }),
    ...(b?.serviceErrorCode === undefined ? {} : { subcode: b.serviceErrorCode }),
    ...(b?.message === undefined ? {} : { message: b.message }),
    ...(raw === undefined ? {} : { body: raw }),
  };
}
