/**
 * The HTTP API JWT authorizer, locally: Bearer token, RS256 signature through the issuer's
 * JWKS (fetched once and cached, refreshed on an unknown `kid`, like API Gateway), `iss`,
 * `aud` or `client_id` in the audience list, `exp` and `nbf`. Verified claims are handed to
 * the function the way the HTTP API does it: every value a string, arrays as `"[a b]"`.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";

export interface AuthorizerConfig {
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Accepted `aud` / `client_id` values (the app client ids). */
  readonly audience: readonly string[];
}

export type AuthorizerResult =
  | { readonly ok: true; readonly claims: Record<string, string>; readonly scopes: string[] }
  | { readonly ok: false; readonly description: string };

/** How API Gateway's HTTP API flattens a claim value. */
export function flattenClaim(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => flattenClaim(v)).join(" ")}]`;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

export function createAuthorizer(config: AuthorizerConfig) {
  // jose caches the key set and refetches (rate-limited) when a token names an unknown kid.
  const jwks = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 1500, cooldownDuration: 5000 });

  return async (authorization: string | undefined): Promise<AuthorizerResult> => {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "");
    if (!m) return { ok: false, description: "missing or malformed bearer token" };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(m[1]!, jwks, { issuer: config.issuer, algorithms: ["RS256"] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, description: "the token has expired" };
      if (error instanceof errors.JWTClaimValidationFailed) {
        return { ok: false, description: `the token's ${error.claim} claim is not valid` };
      }
      return { ok: false, description: "the token's signature could not be verified" };
    }
    const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const clientId = typeof payload.client_id === "string" ? payload.client_id : undefined;
    const audienceOk =
      aud.some((a) => config.audience.includes(a)) ||
      (clientId !== undefined && config.audience.includes(clientId));
    if (!audienceOk) return { ok: false, description: "the token's audience is not accepted" };
    const claims: Record<string, string> = {};
    for (const [k, v] of Object.entries(payload)) claims[k] = flattenClaim(v);
    const scopes = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [];
    return { ok: true, claims, scopes };
  };
}
