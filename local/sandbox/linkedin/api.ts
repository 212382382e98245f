import type { RouteHandler, SandboxContext, SandboxRequest, SandboxResponse } from "../core/types.js";
import {
  applicationDayLimitBody,
  emptyTokenBody,
  expiredTokenBody,
  invalidTokenBody,
  liJson,
  memberDayLimitBody,
  nonexistentVersionBody,
  revokedTokenBody,
  versionMissingBody,
} from "./responses.js";
import type { LinkedInSeedApp, LinkedInSeedMember } from "./seed.js";
import { type AccessToken, findApp, findMember, type LinkedInState, liState, utcDay } from "./state.js";

/** Path prefixes of the hosts the LinkedIn module plays. */
export const API = "/linkedin/api";
export const WWW = "/linkedin/www";
export const CONTROL = "/_sandbox/linkedin";

/** Who is calling, once the token checked out. */
export interface ApiCaller {
  readonly st: LinkedInState;
  readonly token: AccessToken;
  readonly member: LinkedInSeedMember;
  readonly app: LinkedInSeedApp;
  /** The `LinkedIn-Version` sent (undefined on `/v2`). */
  readonly version: string | undefined;
}

export type ApiHandler = (
  req: SandboxRequest,
  ctx: SandboxContext,
  caller: ApiCaller,
) => SandboxResponse | Promise<SandboxResponse>;

export interface ApiRouteOptions {
  /** `/rest` resources need `LinkedIn-Version` and the Rest.li 2.0.0 header; `/v2` does not. */
  readonly versioned: boolean;
  /** Count the call against the member's daily post limit (`POST /rest/posts`). */
  readonly memberPostLimit?: boolean;
}

/** The bearer token of a request (header, or the legacy `oauth2_access_token` query parameter). */
export function bearerToken(req: SandboxRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1];
  }
  return req.query.get("oauth2_access_token") ?? undefined;
}

/** Whether a `LinkedIn-Version` value is in the configured active list (`YYYYMM.RR` counts under `YYYYMM`). */
export function isActiveVersion(ctx: SandboxContext, version: string): boolean {
  const m = /^(\d{6})(\.\d{2})?$/.exec(version);
  if (!m) return false;
  const active = ctx.config.linkedin.activeVersions;
  return active.includes(version) || active.includes(m[1] as string);
}

/** Look a token up the way LinkedIn's gateway does: unknown 65600, revoked 65601, expired 65602. */
export function checkToken(
  req: SandboxRequest,
  ctx: SandboxContext,
  st: LinkedInState,
): { token: AccessToken } | { error: SandboxResponse } {
  const raw = bearerToken(req);
  if (!raw) return { error: liJson(req, 401, emptyTokenBody) };
  const token = st.tokens.get(raw);
  if (!token) return { error: liJson(req, 401, invalidTokenBody) };
  if (token.revoked) return { error: liJson(req, 401, revokedTokenBody) };
  if (ctx.clock.now() >= token.expiresAt) return { error: liJson(req, 401, expiredTokenBody) };
  return { token };
}

/**
 * Wrap an API handler with what LinkedIn checks before the resource runs: the version and
 * protocol headers (`/rest`), the bearer token, and the daily throttles (per application per
 * resource, and per member for post creation), which reset at midnight UTC on the sandbox clock.
 */
export function apiRoute(resource: string, options: ApiRouteOptions, handler: ApiHandler): RouteHandler {
  return async (req, ctx) => {
    const st = liState(ctx);
    const version = req.headers["linkedin-version"];
    if (options.versioned) {
      if (version === undefined || version === "") return liJson(req, 400, versionMissingBody);
      if (!isActiveVersion(ctx, version)) return liJson(req, 426, nonexistentVersionBody(version));
      if (st.settings.requireRestliProtocolHeader && req.headers["x-restli-protocol-version"] !== "2.0.0") {
        // [I] LinkedIn assumes protocol 1.0.0 without the header; the sandbox refuses so clients
        // that forget it are caught (turn off with settings.requireRestliProtocolHeader).
        return liJson(req, 400, {
          status: 400,
          code: "ILLEGAL_ARGUMENT",
          message: "This resource requires the header X-Restli-Protocol-Version: 2.0.0",
        });
      }
    }
    const checked = checkToken(req, ctx, st);
    if ("error" in checked) return checked.error;
    const { token } = checked;
    const app = findApp(st, token.clientId);
    const member = findMember(st, token.member);
    if (!app || !member) return liJson(req, 401, invalidTokenBody);

    const day = utcDay(ctx.clock.now());
    const appKey = `app|${app.clientId}|${resource}|${day}`;
    const appCount = st.counters.get(appKey) ?? 0;
    if (appCount >= ctx.config.linkedin.applicationDailyLimit)
      return liJson(req, 429, applicationDayLimitBody);
    let memberKey: string | undefined;
    if (options.memberPostLimit) {
      memberKey = `member|${member.sub}|${app.clientId}|${resource}|${day}`;
      if ((st.counters.get(memberKey) ?? 0) >= ctx.config.linkedin.memberDailyPostLimit) {
        return liJson(req, 429, memberDayLimitBody);
      }
    }
    st.counters.set(appKey, appCount + 1);
    if (memberKey) st.counters.set(memberKey, (st.counters.get(memberKey) ?? 0) + 1);
    return handler(req, ctx, { st, token, member, app, version });
  };
}

/** Whether the token holds at least one of `scopes`. */
export function hasScope(caller: ApiCaller, ...scopes: string[]): boolean {
  return scopes.some((s) => caller.token.scopes.includes(s));
}

/** The request body as a JSON object, or undefined. */
export function jsonObject(req: SandboxRequest): Record<string, unknown> | undefined {
  let body: unknown;
  try {
    body = req.json();
  } catch {
    return undefined;
  }
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}
