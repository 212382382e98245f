/**
 * Helpers for tests that run against the local stack started by test/support/stack-setup.ts:
 * its endpoints, tokens from its identity provider, and a fetch wrapper for its API.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import type { LocalStackInfo } from "../../local/stack/info.js";

/** Endpoints and resource names of the running test stack. */
export const stackInfo = (): LocalStackInfo => inject("stack");

export interface TokenRequest {
  readonly tenant?: string;
  readonly roles?: readonly string[];
  readonly sub?: string;
  /** Seconds; negative for an expired token. */
  readonly expiresIn?: number;
  /** `id` mints the shape of a Cognito ID token (no scope), which the API must refuse. */
  readonly tokenUse?: "access" | "id";
}

/**
 * Seconds a test allows between computing a `publishAt` and the API checking it against the
 * minimum lead (token, post creation and the schedule request on a machine other test tiers
 * share). Scheduling at exactly the minimum would be refused as soon as one request is slow.
 */
export const SCHEDULE_LEAD_MARGIN_SECONDS = 5;

/** A lead time the API accepts even on a busy machine: the stack's configured minimum plus the margin. */
export const scheduleLeadMs = (): number =>
  (stackInfo().minScheduleLeadSeconds + SCHEDULE_LEAD_MARGIN_SECONDS) * 1000;

/** Mint an access token (production claim shape) from the stack's identity provider. */
export async function tokenFor(req: TokenRequest): Promise<string> {
  const res = await fetch(stackInfo().identity.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ roles: ["admin"], ...req }),
  });
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token)
    throw new Error(`token endpoint: ${res.status} ${body.error_description}`);
  return body.access_token;
}

export interface ApiInit extends RequestInit {
  /** Adds `authorization: Bearer <token>`. */
  readonly token?: string;
  /** Sent as JSON (sets content-type). */
  readonly json?: unknown;
}

/** `fetch` against the stack's API: `api("/v1/me", { token })`. */
export function api(path: string, init: ApiInit = {}): Promise<Response> {
  const { token, json, headers, ...rest } = init;
  const h = new Headers(headers);
  if (token) h.set("authorization", `Bearer ${token}`);
  if (json !== undefined) h.set("content-type", "application/json");
  return fetch(new URL(path, stackInfo().apiUrl), {
    ...rest,
    headers: h,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
}

/** Poll `check` until it returns a value other than undefined, or fail after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 100, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A DynamoDB document client on the test stack's DynamoDB Local, configured as the
 * repositories' own (undefined attributes removed). The caller destroys it.
 */
export function stackDocumentClient(): DynamoDBDocumentClient {
  const { aws } = stackInfo();
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: aws.region,
      endpoint: aws.dynamodb,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}
