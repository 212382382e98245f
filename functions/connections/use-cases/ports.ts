/**
 * The ports the connection use cases depend on. Adapters implement them with DynamoDB, the
 * token vault, the provider clients and EventBridge; unit tests with in-memory versions.
 */
import type { TokenContext } from "../../platform/crypto/token-vault.js";

/**
 * What `Vault.open` throws when a sealed token can never be opened (→ reconnect) and when the
 * token key itself is unusable (→ an operator); anything else it throws (a KMS call that was throttled or
 * timed out) is transient.
 */
export { TokenKeyError, UndecryptableTokenError } from "../../platform/crypto/token-vault.js";

import type { AuditType, TokenAuditEvent } from "../domain/audit.js";
import type { Connection, Provider } from "../domain/connection.js";
import type { Platform, Target, TargetKind, TargetLookup } from "../domain/target.js";

/** The target vocabulary other contexts (posts, publishing) read: their only view of connections' types. */
export type { Platform, Target, TargetKind, TargetLookup, TargetStatus } from "../domain/target.js";

/** A Target as stored, with its sealed token (Page token) when it has its own. */
export interface StoredTarget extends Target {
  readonly token?: string;
}

export interface ConnectionRepository {
  get(tenantId: string, id: string): Promise<Connection | undefined>;
  list(tenantId: string): Promise<Connection[]>;
  /** The connection holding this provider account in the tenant (strongly consistent). */
  findIdByAccount(
    tenantId: string,
    provider: Provider,
    externalAccountId: string,
  ): Promise<string | undefined>;
  /** Tenants/connections holding this provider account, across tenants. */
  findByAccountEverywhere(
    provider: Provider,
    externalAccountId: string,
  ): Promise<{ tenantId: string; id: string }[]>;
  /** Create a connection and reserve its account; throws `AccountTakenError` if already reserved. */
  create(connection: Connection): Promise<void>;
  /** Replace it if its stored version is `connection.version - 1`; throws `StaleConnectionError` otherwise. */
  save(connection: Connection): Promise<void>;
  /** Connections whose refresh is due at or before `now` (GSI2, no scans). */
  dueForRefresh(now: Date, limit: number): Promise<{ tenantId: string; id: string }[]>;
}

export class AccountTakenError extends Error {}
export class StaleConnectionError extends Error {}

export interface TargetRepository extends TargetLookup {
  getStored(tenantId: string, targetId: string): Promise<StoredTarget | undefined>;
  listByConnection(tenantId: string, connectionId: string): Promise<StoredTarget[]>;
  put(target: StoredTarget): Promise<void>;
}

export interface OAuthStateRecord {
  /** SHA-256 (hex) of the state value; the value itself is never stored. */
  readonly stateHash: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly provider: Provider;
  readonly returnUrl: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeVerifier?: string;
  readonly createdAt: string;
  /** Epoch seconds; TTL attribute and checked in code (TTL deletes lag). */
  readonly expiresAt: number;
}

export interface OAuthStateRepository {
  put(record: OAuthStateRecord): Promise<void>;
  /** Delete and return the record (single use); undefined when absent or already used. */
  consume(stateHash: string): Promise<OAuthStateRecord | undefined>;
}

/** The status record of one Meta data-deletion request (counts and times only, no personal data). */
export interface DataDeletionRecord {
  readonly confirmationCode: string;
  readonly status: "completed";
  readonly connectionsAffected: number;
  readonly requestedAt: string;
  readonly completedAt: string;
  /** Epoch seconds: the status record itself is kept for a year. */
  readonly expiresAt: number;
}

export interface DataDeletionRepository {
  put(record: DataDeletionRecord): Promise<void>;
  get(code: string): Promise<DataDeletionRecord | undefined>;
}

export interface AuditQuery {
  readonly connectionId?: string;
  readonly type?: AuditType;
  readonly from?: string;
  readonly to?: string;
  readonly cursor?: string;
  readonly limit: number;
}

export interface AuditRepository {
  append(event: TokenAuditEvent): Promise<void>;
  query(tenantId: string, query: AuditQuery): Promise<{ items: TokenAuditEvent[]; nextCursor?: string }>;
}

/** Seals and opens tokens bound to a tenant/connection/purpose (see `TokenKeyError`, `UndecryptableTokenError`). */
export interface Vault {
  seal(plaintext: string, context: TokenContext): Promise<string>;
  open(sealed: string, context: TokenContext): Promise<string>;
}

/** A place discovered at the provider during authorization or a target refresh. */
export interface DiscoveredTarget
  extends Pick<Target, "platform" | "kind" | "externalId" | "name" | "username" | "pictureUrl"> {
  /** Its own token (Facebook Page token, also used for the Page's Instagram account). */
  readonly token?: string;
}

export interface AuthorizedAccount {
  readonly externalAccountId: string;
  readonly displayName?: string;
  readonly scopes: readonly string[];
  readonly accessToken: string;
  readonly accessTokenExpiresAt?: string;
  readonly refreshToken?: string;
  readonly refreshTokenExpiresAt?: string;
  readonly targets: readonly DiscoveredTarget[];
}

export type RenewResult =
  | {
      readonly kind: "renewed";
      readonly accessToken: string;
      readonly accessTokenExpiresAt?: string;
      readonly refreshToken?: string;
      readonly refreshTokenExpiresAt?: string;
      readonly scopes?: readonly string[];
    }
  /** The provider cannot renew this grant (no refresh token, or the expiry did not move). */
  | { readonly kind: "not_renewable"; readonly reason: string };

/**
 * What a `ProviderPort` throws when the provider answers with an error: a `ProviderError`
 * (classification `auth` / `revoked` / `transient` / `rate_limited` / …, a token-free `reason`).
 * The two codes name a grant the account owner removed themselves (→ REVOKED, not NEEDS_REAUTH).
 */
export { isProviderError, type ProviderError } from "../../providers/errors.js";
export { LINKEDIN_REVOKED_BY_MEMBER } from "../../providers/linkedin/errors.js";
export { META_APP_REMOVED_SUBCODE } from "../../providers/meta/errors.js";

/** One provider, as the connection use cases need it. Provider errors are `ProviderError`s. */
export interface ProviderPort {
  readonly provider: Provider;
  /** Whether authorization uses PKCE (a verifier is stored with the state). */
  readonly usesPkce: boolean;
  authorizationUrl(input: {
    redirectUri: string;
    state: string;
    scopes: readonly string[];
    codeVerifier?: string;
  }): Promise<string>;
  /** Exchange the code (and, for Meta, upgrade to a long-lived token), identify the account, list targets. */
  completeAuthorization(input: {
    code: string;
    redirectUri: string;
    codeVerifier?: string;
  }): Promise<AuthorizedAccount>;
  listTargets(accessToken: string): Promise<DiscoveredTarget[]>;
  renew(input: {
    accessToken: string;
    refreshToken?: string;
    accessTokenExpiresAt?: string;
  }): Promise<RenewResult>;
  /** Revoke the grant at the provider (best effort; may be unsupported). */
  revoke(accessToken: string): Promise<void>;
}

export type Providers = Readonly<Record<Provider, ProviderPort>>;

/**
 * Domain events for other contexts (posts/deliveries, notifications). They are the only way
 * this context tells others that targets became unusable or usable again: the posts context
 * blocks and unblocks deliveries when it consumes them.
 */
export interface ConnectionEvents {
  /** `ConnectionDisconnected` v1: these targets can no longer be published to. */
  disconnected(
    input: ConnectionAnnouncement & {
      reason: "disconnected" | "revoked" | "needs_reauth";
      /** Why, for the reconnect action's message; a default per `reason` otherwise. */
      why?: string;
    },
  ): Promise<void>;
  /** `ConnectionRestored` v1: a reconnect made these targets usable again. */
  restored(input: ConnectionAnnouncement): Promise<void>;
}

/** Which targets of which connection an event is about. */
export interface ConnectionAnnouncement {
  tenantId: string;
  connectionId: string;
  provider: Provider;
  targetIds: readonly string[];
  correlationId?: string;
}

/** Return-URL allow-list for a tenant (tenant settings + the stage's defaults). */
export interface ReturnUrlPolicy {
  allowedPrefixes(tenantId: string): Promise<readonly string[]>;
}

export interface Clock {
  now(): Date;
}

/**
 * What the use cases that act on a live grant need (disconnect, target refresh, token refresh,
 * OAuth callback): the stores, the vault, the providers, the event bus and a clock.
 * `grantDeps()` in `functions/connections/wiring.ts` builds it.
 */
export interface GrantDeps {
  readonly connections: ConnectionRepository;
  readonly targets: TargetRepository;
  readonly audit: AuditRepository;
  readonly vault: Vault;
  readonly providers: Providers;
  readonly events: ConnectionEvents;
  readonly clock: Clock;
}

/**
 * A target as the publish worker needs it (the connections context's answer to its
 * `TargetResolver` port): where, as whom, and the decrypted token when usable.
 */
export interface PublishableTarget {
  readonly targetId: string;
  readonly platform: Platform;
  readonly kind: TargetKind;
  readonly externalId: string;
  readonly connectionId: string;
  readonly status: "ACTIVE" | "NEEDS_REAUTH" | "DISCONNECTED";
  /** Present only when the target and its connection are ACTIVE. */
  readonly token?: string;
}
export const systemClock: Clock = { now: () => new Date() };
