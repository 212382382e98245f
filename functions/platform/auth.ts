/**
 * Tenant context and roles, taken only from claims the JWT authorizer has verified
 * (API Gateway in AWS, the local gateway locally) — never from a body, path or header.
 */
import { ROLES, type Role } from "../manifest.js";
import { UnauthorizedError } from "./errors.js";

export interface AuthContext {
  readonly tenantId: string;
  readonly userId: string;
  readonly roles: readonly Role[];
}

/** Claim that carries the tenant: the access token's (pre-token-generation trigger) or the ID token's. */
export const TENANT_CLAIMS = ["tenant_id", "custom:tenant_id"] as const;
export const GROUPS_CLAIM = "cognito:groups";

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Roles from a groups claim. API Gateway's HTTP API hands array claims over as a string
 * like `"[admin editor]"`; a real array (local tokens, REST APIs) and a comma list are
 * accepted too. Unknown groups are ignored.
 */
export function parseRoles(value: unknown): Role[] {
  let items: unknown[] = [];
  if (Array.isArray(value)) items = value;
  else if (typeof value === "string") {
    const inner = value.trim().replace(/^\[/, "").replace(/\]$/, "");
    items = inner.split(/[\s,]+/);
  }
  const roles = new Set<Role>();
  for (const item of items) {
    if (typeof item === "string" && (ROLES as readonly string[]).includes(item)) roles.add(item as Role);
  }
  return [...roles];
}

/** Build the caller's context from verified claims; 401 when the token carries no usable tenant or subject. */
export function authFromClaims(claims: Record<string, unknown> | undefined): AuthContext {
  if (!claims) throw new UnauthorizedError("This route needs a bearer token.");
  const tenant = TENANT_CLAIMS.map((c) => claims[c]).find((v) => typeof v === "string" && v.length > 0);
  if (typeof tenant !== "string" || !TENANT_ID.test(tenant)) {
    throw new UnauthorizedError(
      "Your token carries no tenant. Sign in again through your organisation's account.",
    );
  }
  const sub = claims.sub;
  if (typeof sub !== "string" || sub.length === 0) {
    throw new UnauthorizedError("Your token carries no subject. Sign in again.");
  }
  return { tenantId: tenant, userId: sub, roles: parseRoles(claims[GROUPS_CLAIM]) };
}
