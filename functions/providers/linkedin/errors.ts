/**
 * LinkedIn error bodies → `LinkedInApiError` with one classification. Two shapes exist: the
 * REST one (`{status, serviceErrorCode, code, message}`) and the OAuth endpoints' one
 * (`{error, error_description}`).
 */
import { LinkedInApiError, type ProviderErrorClass } from "../errors.js";

/** 65600 invalid, 65601 revoked by the member, 65602 expired. */
export const LINKEDIN_REVOKED_CODES: ReadonlySet<number> = new Set([65600, 65601, 65602]);
export const LINKEDIN_REVOKED_BY_MEMBER = 65601;

interface RestBody {
  status?: number;
  serviceErrorCode?: number;
  code?: string;
  message?: string;
}
interface OAuthBody {
  error?: string;
  error_description?: string;
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
  const obj = typeof raw === "object" && raw !== null ? (raw as RestBody & OAuthBody) : undefined;
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
