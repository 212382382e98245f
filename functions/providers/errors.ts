/**
 * Typed provider errors. Every failed call to Meta or LinkedIn becomes a `ProviderError`
 * carrying what the provider said (HTTP status, code, subcode, message) and one
 * classification that callers branch on — never on the HTTP status alone (Meta answers
 * almost everything with 400).
 */
export type ProviderName = "meta" | "linkedin";

/**
 * - `revoked`: the grant is gone (user removed the app, changed password, lost the role,
 *   token revoked or expired for good): flag the connection at once; reconnecting is the only fix.
 * - `auth`: the token or code is not accepted for another reason (bad code, missing scope).
 * - `transient`: outage, 5xx, timeout, network failure, Meta codes 1/2: retry later, flag nothing.
 * - `rate_limited`: throttled: wait, flag nothing.
 * - `permanent`: the request itself is wrong; retrying the same call will not help.
 */
export type ProviderErrorClass = "revoked" | "auth" | "transient" | "rate_limited" | "permanent";

export interface ProviderErrorDetails {
  readonly provider: ProviderName;
  readonly classification: ProviderErrorClass;
  /** HTTP status, or undefined for network failures and timeouts. */
  readonly status?: number;
  /** Meta `error.code` (number) or LinkedIn `serviceErrorCode`/OAuth `error` (number or string). */
  readonly code?: number | string;
  /** Meta `error_subcode`, LinkedIn `code` (e.g. `REVOKED_ACCESS_TOKEN`). */
  readonly subcode?: number | string;
  /** Meta `error.type`, e.g. `OAuthException`. */
  readonly type?: string;
  readonly traceId?: string;
  /** Seconds to wait before retrying, when the provider said so. */
  readonly retryAfterSeconds?: number;
}

export class ProviderError extends Error {
  readonly provider: ProviderName;
  readonly classification: ProviderErrorClass;
  readonly status?: number;
  readonly code?: number | string;
  readonly subcode?: number | string;
  readonly type?: string;
  readonly traceId?: string;
  readonly retryAfterSeconds?: number;

  constructor(message: string, details: ProviderErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.provider = details.provider;
    this.classification = details.classification;
    this.status = details.status;
    this.code = details.code;
    this.subcode = details.subcode;
    this.type = details.type;
    this.traceId = details.traceId;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** A short, token-free reason for audit entries and logs: `meta:190/460`, `linkedin:401/65601`. */
  get reason(): string {
    const code = this.code ?? this.status ?? "network";
    return `${this.provider}:${code}${this.subcode === undefined ? "" : `/${this.subcode}`}`;
  }
}

export class MetaApiError extends ProviderError {}
export class LinkedInApiError extends ProviderError {}

/** The provider could not be reached, or did not answer in time. Always transient. */
export class ProviderNetworkError extends ProviderError {}

export const isProviderError = (e: unknown): e is ProviderError => e instanceof ProviderError;

/** Default per-call timeout; provider calls are short reads/writes. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * `fetch` with a deadline; turns network failures and timeouts into `ProviderNetworkError`.
 * The URL is never put into the error message (it may carry a token in the query).
 */
export async function fetchWithDeadline(
  provider: ProviderName,
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  fetchImpl: FetchLike = fetch,
): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
    throw new ProviderNetworkError(
      `${provider} ${init.method ?? "GET"} ${url.pathname}: ${timedOut ? `no answer within ${timeoutMs} ms` : "network error"}`,
      { provider, classification: "transient" },
      { cause },
    );
  }
}

/** Parse a body as JSON whatever its content type (Meta sometimes says text/javascript). */
export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const retryAfterFrom = (res: Response): number | undefined => {
  const h = res.headers.get("retry-after");
  if (!h) return undefined;
  const n = Number(h);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};
