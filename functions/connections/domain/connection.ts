/**
 * A Connection is one OAuth grant: a tenant's link to one provider account (a Meta user who
 * manages Pages and Instagram accounts, or a LinkedIn member who may administer organisations).
 * It holds the sealed tokens (see functions/platform/crypto/token-vault.ts), the granted
 * scopes, expiry and the refresh bookkeeping. Its Targets are the places it can publish to.
 *
 * Stored as PK `TENANT#<t>#CONNECTION#<id>`, SK `CONNECTION`; listed through GSI1
 * (`TENANT#<t>#CONNECTIONS`); the refresh cron finds due ones through GSI2
 * (`REFRESH#<yyyy-mm-dd>` of the due time, sparse: only ACTIVE connections with a due time).
 * One account per tenant: PK `TENANT#<t>#ACCOUNT#<provider>#<externalId>` reserves it
 * (`attribute_not_exists`) and points at the connection; its GSI2 entry
 * (`ACCOUNT#<provider>#<externalId>`) finds the account's connections across tenants for
 * provider callbacks (Meta deauthorize / data deletion).
 */

export const PROVIDERS = ["meta", "linkedin"] as const;
export type Provider = (typeof PROVIDERS)[number];

/**
 * - ACTIVE: tokens usable.
 * - NEEDS_REAUTH: tokens expired or about to, or no longer accepted: reconnect.
 * - REVOKED: the user removed the app / revoked the grant at the provider: reconnect.
 * - DISCONNECTED: a tenant admin disconnected it; tokens erased.
 */
export const CONNECTION_STATUSES = ["ACTIVE", "NEEDS_REAUTH", "REVOKED", "DISCONNECTED"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** What a person should do about a connection that is not ACTIVE. */
export interface ConnectionAction {
  readonly type: "reconnect";
  readonly message: string;
}

export interface RefreshState {
  /** Consecutive failed refresh attempts (reset on success). */
  readonly failures: number;
  /** When the cron may try again (backoff); undefined = per the expiry. */
  readonly nextAttemptAt?: string;
  readonly lastAttemptAt?: string;
  readonly lastRefreshedAt?: string;
  /** Token-free reason of the last failure, e.g. `meta:2`, `linkedin:503`. */
  readonly lastError?: string;
}

export interface Connection {
  readonly tenantId: string;
  /** `con_…` */
  readonly id: string;
  readonly provider: Provider;
  /** Meta app-scoped user id; LinkedIn member `sub`. */
  readonly externalAccountId: string;
  readonly displayName?: string;
  readonly scopes: readonly string[];
  readonly status: ConnectionStatus;
  readonly statusReason?: string;
  readonly action?: ConnectionAction;
  /** Sealed user access token (absent once erased). */
  readonly accessToken?: string;
  /** Sealed refresh token (LinkedIn partners only). */
  readonly refreshToken?: string;
  readonly accessTokenExpiresAt?: string;
  readonly refreshTokenExpiresAt?: string;
  readonly refresh: RefreshState;
  /** The user who connected it last. */
  readonly connectedBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic-locking counter; every write bumps it. */
  readonly version: number;
}

/** Sealing purposes (part of the vault's AAD). */
export const TOKEN_PURPOSE = {
  access: "access_token",
  refresh: "refresh_token",
  target: (targetId: string) => `target_token:${targetId}`,
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Start refreshing this long before the access token expires. */
export const REFRESH_AHEAD_MS = 7 * DAY_MS;

/**
 * When the cron should next look at a connection, or undefined when never (not ACTIVE, or a
 * token without expiry). A scheduled retry wins over the expiry-derived time.
 */
export function refreshDueAt(
  c: Pick<Connection, "status" | "accessTokenExpiresAt" | "refresh">,
): string | undefined {
  if (c.status !== "ACTIVE") return undefined;
  if (c.refresh.nextAttemptAt) return c.refresh.nextAttemptAt;
  if (!c.accessTokenExpiresAt) return undefined;
  return new Date(Date.parse(c.accessTokenExpiresAt) - REFRESH_AHEAD_MS).toISOString();
}

export const reconnectAction = (provider: Provider, why: string): ConnectionAction => ({
  type: "reconnect",
  message: `${why} Reconnect the ${provider === "meta" ? "Meta (Facebook/Instagram)" : "LinkedIn"} account: POST /v1/connections/${provider}/authorize.`,
});

/** Backoff for failed refreshes: exponential with full jitter, capped. */
export const BACKOFF_BASE_MS = 5 * 60 * 1000;
export const BACKOFF_CAP_MS = 6 * 60 * 60 * 1000;

/** Upper bound of the wait after `failures` consecutive failures (≥ 1). */
export const backoffCeilingMs = (failures: number) =>
  Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(failures, 30) - 1));

/** Full jitter: uniformly random in [0, ceiling), never below one minute. */
export const backoffDelayMs = (failures: number, random: () => number = Math.random) =>
  Math.max(60_000, Math.floor(random() * backoffCeilingMs(failures)));

/** Failures of a non-transient kind (e.g. refused by the provider for unclear reasons) tolerated before NEEDS_REAUTH. */
export const MAX_NON_TRANSIENT_FAILURES = 5;
