/**
 * Meta Graph error envelopes → `MetaApiError` with one classification. Branches on the body's
 * `code`/`error_subcode`, never on the HTTP status alone (Meta answers most errors with 400).
 */
import type { ProviderFailure } from "../../publishing/domain/provider-errors.js";
import { MetaApiError, type ProviderErrorClass } from "../errors.js";
import { asInt, asText, isRecord } from "../json.js";

/** 190 subcodes that mean the grant is gone: app removed, password changed, invalid, lost Page role, expired, checkpoint, unconfirmed. */
export const META_REVOKED_SUBCODES: ReadonlySet<number> = new Set([458, 459, 460, 463, 464, 467, 492]);
/** Subcode 458: the user removed the app; the grant is revoked rather than merely stale. */
export const META_APP_REMOVED_SUBCODE = 458;
const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 17, 32, 341, 368, 613, 80001, 80002, 80004, 80006]);
const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2]);

export interface MetaErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  fbtrace_id?: string;
  is_transient?: boolean;
}

/** Classify a Graph error by code and subcode (HTTP status is only a fallback). */
export function classifyMetaError(status: number, body: MetaErrorBody | undefined): ProviderErrorClass {
  const code = body?.code;
  if (code === undefined) return status >= 500 || status === 429 ? "transient" : "permanent";
  if (code === 190 || code === 102) {
    // 190 without a subcode is an invalid token too: nothing but a new login fixes it.
    return body?.error_subcode === undefined || META_REVOKED_SUBCODES.has(body.error_subcode)
      ? "revoked"
      : "auth";
  }
  if (RATE_LIMIT_CODES.has(code)) return "rate_limited";
  if (TRANSIENT_CODES.has(code) || body?.is_transient === true) return "transient";
  if (code === 10 || (code >= 200 && code <= 299)) return "auth";
  // Authorization-code problems (used/expired code 36009, redirect mismatch 36008).
  if (code === 100 && (body?.error_subcode === 36008 || body?.error_subcode === 36009)) return "auth";
  if (status >= 500) return "transient";
  return "permanent";
}

/** The `error` object of a Graph answer (`{"error":{code,error_subcode,message,…}}`), fields checked. */
export function readMetaError(raw: unknown): MetaErrorBody | undefined {
  const err = isRecord(raw) && isRecord(raw.error) ? raw.error : undefined;
  if (!err) return undefined;
  const code = asInt(err.code);
  const subcode = asInt(err.error_subcode);
  const message = asText(err.message);
  const type = asText(err.type);
  const trace = asText(err.fbtrace_id);
  return {
    ...(code === undefined ? {} : { code }),
    ...(subcode === undefined ? {} : { error_subcode: subcode }),
    ...(message === undefined ? {} : { message }),
    ...(type === undefined ? {} : { type }),
    ...(trace === undefined ? {} : { fbtrace_id: trace }),
    ...(err.is_transient === true ? { is_transient: true } : {}),
  };
}

export function metaErrorFrom(
  status: number,
  raw: unknown,
  where: string,
  retryAfterSeconds?: number,
): MetaApiError {
  const body = readMetaError(raw);
  const classification = classifyMetaError(status, body);
  const message = body?.message ?? `HTTP ${status}`;
  return new MetaApiError(`Meta ${where}: ${message}`, {
    provider: "meta",
    classification,
    status,
    code: body?.code,
    subcode: body?.error_subcode,
    type: body?.type,
    traceId: body?.fbtrace_id,
    retryAfterSeconds,
  });
}

/** A Meta error answer as the failure the publishing table classifies. */
export function metaFailure(httpStatus: number | undefined, raw: unknown): ProviderFailure {
  const err = readMetaError(raw);
  return {
    provider: "meta",
    ...(httpStatus === undefined ? {} : { httpStatus }),
    ...(err?.code === undefined ? {} : { code: err.code }),
    ...(err?.error_subcode === undefined ? {} : { subcode: err.error_subcode }),
    ...(err?.message === undefined ? {} : { message: err.message }),
    ...(raw === undefined ? {} : { body: raw }),
  };
}

/**
 * An Instagram container that ended in `ERROR`: its `status` sentence ("Error: Media upload has
 * failed with error code 2207026") carries the subcode; the answer has no `code`, so the failure
 * has none either (its provider code reads `meta 2207026`, not a made-up pair).
 */
export function igContainerFailure(status: string | undefined): ProviderFailure {
  const subcode = asInt(/error code (\d+)/i.exec(status ?? "")?.[1]);
  return {
    provider: "meta",
    containerError: true,
    ...(subcode === undefined ? {} : { subcode }),
    ...(status ? { message: status } : {}),
  };
}
