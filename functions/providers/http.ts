/**
 * HTTP plumbing shared by the provider clients and the media fetchers: a fetch with a
 * deadline that turns network failures into `ProviderNetworkError`, JSON reading whatever the
 * content type, `Retry-After`, and `discardBody` for bodies we stop reading.
 */
import { type ProviderName, ProviderNetworkError } from "./errors.js";

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

/** Something whose remaining bytes can be given up: a response body, or a reader of one. */
export interface Cancellable {
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Give up a body (or a reader of one) we no longer need, so its connection is released.
 * Cancelling rejects when the stream already ended or errored (the server closed it, the
 * connection dropped): then nothing is left to release, so that rejection is expected and
 * dropped here, on purpose and in one place.
 */
export async function discardBody(body: Cancellable | null | undefined): Promise<void> {
  if (!body) return;
  try {
    await body.cancel();
  } catch {
    // Already ended or errored: nothing left to release (see above).
  }
}
