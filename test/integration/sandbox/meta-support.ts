import { expect } from "vitest";
import { SANDBOX_APPS, type startSandbox } from "../../../local/sandbox/index.js";

/** Helpers shared by the Meta sandbox contract tests. */
export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

export const SANDRA = "100000000000001";
export const OSKAR = "100000000000002";
export const BAKERY = "200000000000001";
export const BOOKS = "200000000000002";
export const GARDEN = "200000000000003";
export const BAKERY_IG = "17841400000000001";
export const GARDEN_IG = "17841400000000002";
export const APP = SANDBOX_APPS.meta;

export interface GraphAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: Record<string, unknown>; data?: unknown };
}

/** Call the fake Graph API (`/meta/graph/v25.0/<path>`), params as form body for POST/DELETE. */
export async function graph(
  sb: Sandbox,
  method: string,
  path: string,
  params: Record<string, string> = {},
  version = "v25.0",
): Promise<GraphAnswer> {
  const url = new URL(`${sb.url}/meta/graph/${version}/${path.replace(/^\//, "")}`);
  let body: string | undefined;
  if (method === "GET") for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  else body = new URLSearchParams(params).toString();
  const res = await fetch(url, {
    method,
    headers: body ? { "content-type": "application/x-www-form-urlencoded" } : {},
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

/** Mint a long-lived user token and its Page tokens through the control API. */
export async function mint(
  sb: Sandbox,
  opts: { userId?: string; scopes?: string[]; longLived?: boolean } = {},
): Promise<{ access_token: string; page_tokens: Record<string, string> }> {
  const res = await fetch(`${sb.url}/_sandbox/meta/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(opts),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; page_tokens: Record<string, string> };
}

export async function control(sb: Sandbox, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sb.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export const advance = (sb: Sandbox, ms: number) => control(sb, "POST", "/_sandbox/clock", { advanceMs: ms });

/** Assert a Graph error envelope: status, code, subcode and the always-present fields. */
export function expectGraphError(
  a: GraphAnswer,
  code: number,
  subcode?: number,
  status = 400,
): Record<string, unknown> {
  expect(a.status).toBe(status);
  const e = a.body.error!;
  expect(e).toBeDefined();
  expect(e.code).toBe(code);
  if (subcode === undefined) expect(e.error_subcode).toBeUndefined();
  else expect(e.error_subcode).toBe(subcode);
  expect(typeof e.message).toBe("string");
  expect(typeof e.type).toBe("string");
  expect(e.fbtrace_id).toMatch(/^[A-Za-z0-9_-]{8,}$/);
  expect(a.headers.get("facebook-api-version")).toMatch(/^v\d+\.\d+$/);
  return e;
}

/** The publication log, filtered. */
export async function published(
  sb: Sandbox,
  target?: string,
): Promise<{ count: number; items: Record<string, unknown>[] }> {
  const q = new URLSearchParams({ provider: "meta" });
  if (target) q.set("target", target);
  return (await (await fetch(`${sb.url}/_sandbox/published?${q}`)).json()) as {
    count: number;
    items: Record<string, unknown>[];
  };
}
