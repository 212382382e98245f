/**
 * Typed provider errors. Every failed call to Meta or LinkedIn becomes a `ProviderError`
 * carrying what the provider said (HTTP status, code, subcode, message) and one
 * classification that callers branch on — never on the HTTP status alone (Meta answers
 * almost everything with 400).
 */
import type {
  NetworkFailureKind,
  ProviderFailure,
  ProviderName,
} from "../publishing/domain/provider-errors.js";
import { isRecord } from "./json.js";

export type { ProviderName };

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

/** A thrown fetch/socket error as a network failure kind (undefined when it is not one). */
export function networkFailureKind(error: unknown): NetworkFailureKind | undefined {
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (isRecord(e) || e instanceof Error) {
    if (seen.has(e)) break;
    seen.add(e);
    const rec = e as Record<string, unknown>;
    const code = typeof rec.code === "string" ? rec.code : "";
    const name = typeof rec.name === "string" ? rec.name : "";
    if (name === "TimeoutError" || name === "AbortError" || /TIMEDOUT|TIMEOUT/.test(code)) return "timeout";
    if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "ECONNABORTED")
      return "reset";
    if (code === "ECONNREFUSED") return "refused";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
    e = rec.cause;
  }
  return undefined;
}

/**
 * A thrown `ProviderError` (or network error) as the failure the publishing table classifies.
 * Here LinkedIn's `code` is the `serviceErrorCode` and `subcode` the symbolic code: the reverse
 * of `ProviderFailure`, which this mapping undoes.
 */
export function failureFromProviderError(e: ProviderError, body?: unknown): ProviderFailure {
  // "Meta POST /123/feed: (#100) …" → "(#100) …": the prefix names our call, not the problem.
  const message = e.message.replace(/^(?:Meta|LinkedIn) [^:]*: /, "");
  if (e.status === undefined) {
    const network = networkFailureKind(e) ?? (/no answer within/.test(e.message) ? "timeout" : "reset");
    return { provider: e.provider, network, message };
  }
  const asNumber = (v: unknown) => (typeof v === "number" ? v : undefined);
  const base =
    e.provider === "meta"
      ? {
          code: asNumber(e.code) ?? (typeof e.code === "string" ? e.code : undefined),
          subcode: asNumber(e.subcode),
        }
      : {
          code: typeof e.subcode === "string" ? e.subcode : e.code,
          subcode: asNumber(e.code),
        };
  return {
    provider: e.provider,
    httpStatus: e.status,
    message,
    ...(base.code === undefined ? {} : { code: base.code }),
    ...(base.subcode === undefined ? {} : { subcode: base.subcode }),
    ...(body === undefined ? {} : { body }),
  };
}
