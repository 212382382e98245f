/**
 * The token-refresh cron: renew tokens before they expire.
 *
 *   schedule → handler → refreshDueTokens → ConnectionRepository.dueForRefresh (GSI2, no scans)
 *   → per connection: Vault.open → ProviderPort.renew → Vault.seal → save (version-guarded)
 *   → AuditRepository, ConnectionEvents, outcome metric
 *
 * Outcomes per connection:
 * - `refreshed`: new token stored; failures reset.
 * - `needs_reauth`: the provider cannot renew it (no refresh token, Meta expiry not moved) and
 *   it is inside the refresh window: NEEDS_REAUTH with a reconnect action, ahead of expiry.
 * - `revoked`: the provider says the grant is gone: REVOKED (user removed the app / revoked)
 *   or NEEDS_REAUTH (expired, password changed, role lost), at once, with a reconnect action.
 * - `transient_failure`: outage, 5xx, timeout, throttling: the connection stays ACTIVE; next
 *   attempt after exponential backoff with full jitter.
 * - `failed`: refused for another reason: backoff as well; NEEDS_REAUTH after
 *   MAX_NON_TRANSIENT_FAILURES in a row.
 * - `undecryptable`: a stored token cannot be decrypted (sealed for another context, key
 *   under another key, tampered): it can never heal, so NEEDS_REAUTH at once with a reconnect action
 *   (no backoff, no retry on the next run). An unusable token key is not the connection's fault:
 *   it stays due and is counted `failed` until an operator fixes the key.
 */

import { newId } from "../../platform/keys.js";
import { SYSTEM_REFRESH_ACTOR, type TokenAuditEvent } from "../domain/audit.js";
import {
  backoffDelayMs,
  type Connection,
  type ConnectionStatus,
  MAX_NON_TRANSIENT_FAILURES,
  refreshDueAt,
  TOKEN_PURPOSE,
} from "../domain/connection.js";
import { scopeDiff } from "../domain/scopes.js";
import {
  type GrantDeps,
  isProviderError,
  LINKEDIN_REVOKED_BY_MEMBER,
  META_APP_REMOVED_SUBCODE,
  type ProviderError,
  type Providers,
  StaleConnectionError,
  UndecryptableTokenError,
} from "./ports.js";
import { flagConnection, UNDECRYPTABLE_WHY } from "./targets.js";

export type RefreshOutcome =
  | "refreshed"
  | "needs_reauth"
  | "revoked"
  | "transient_failure"
  | "failed"
  | "undecryptable"
  | "skipped";

export interface RefreshDeps extends GrantDeps {
  readonly random?: () => number;
  /** One call per connection processed (the handler turns it into the `TokenRefresh` metric). */
  readonly recordOutcome?: (outcome: RefreshOutcome, connection?: Pick<Connection, "provider">) => void;
}

/** Process every due connection (up to `limit`); returns the outcome counts. */
export async function refreshDueTokens(deps: RefreshDeps, limit = 500, concurrency = 5) {
  const due = await deps.connections.dueForRefresh(deps.clock.now(), limit);
  const counts: Partial<Record<RefreshOutcome, number>> = {};
  const errors: { tenantId: string; id: string; error: string }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const ref = due[next++]!;
      let outcome: RefreshOutcome;
      try {
        outcome = await refreshOne(deps, ref.tenantId, ref.id);
      } catch (error) {
        // One connection's unexpected failure (storage, vault) never stops the others; it stays
        // due and is tried again on the next run.
        if (error instanceof StaleConnectionError) outcome = "skipped";
        else {
          outcome = "failed";
          deps.recordOutcome?.("failed");
          errors.push({
            ...ref,
            error: error instanceof Error ? `${error.name}: ${error.message}` : "unknown",
          });
        }
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, due.length)) }, worker));
  return { processed: due.length, counts, errors };
}

/** Refresh one connection if it is (still) due. */
export async function refreshOne(deps: RefreshDeps, tenantId: string, id: string): Promise<RefreshOutcome> {
  const c = await deps.connections.get(tenantId, id);
  const now = deps.clock.now();
  const dueAt = c ? refreshDueAt(c) : undefined;
  // GSI2 is eventually consistent: re-check against the item itself.
  if (!c || !dueAt || Date.parse(dueAt) > now.getTime() || !c.accessToken) return "skipped";
  const record = (o: RefreshOutcome) => {
    deps.recordOutcome?.(o, c);
    return o;
  };
  const nowIso = now.toISOString();
  const ctx = (purpose: string) => ({ tenantId, connectionId: id, purpose });
  const audit = (
    e: Omit<TokenAuditEvent, "id" | "tenantId" | "connectionId" | "provider" | "actor" | "at">,
  ) =>
    deps.audit.append({
      ...e,
      id: newId("aud"),
      tenantId,
      connectionId: id,
      provider: c.provider,
      actor: SYSTEM_REFRESH_ACTOR,
      at: nowIso,
    });

  let result: Awaited<ReturnType<Providers["meta"]["renew"]>>;
  try {
    const accessToken = await deps.vault.open(c.accessToken, ctx(TOKEN_PURPOSE.access));
    const refreshToken = c.refreshToken
      ? await deps.vault.open(c.refreshToken, ctx(TOKEN_PURPOSE.refresh))
      : undefined;
    result = await deps.providers[c.provider].renew({
      accessToken,
      refreshToken,
      accessTokenExpiresAt: c.accessTokenExpiresAt,
    });
  } catch (error) {
    if (error instanceof UndecryptableTokenError) {
      const reason = `token_undecryptable:${error.reason}`;
      await flagConnection(deps, c, "NEEDS_REAUTH", UNDECRYPTABLE_WHY, nowIso, reason);
      await audit({
        type: "refresh_failed",
        outcome: "failure",
        reason,
        details: { status: "NEEDS_REAUTH" },
      });
      return record("undecryptable");
    }
    if (!isProviderError(error)) throw error;
    return record(await onProviderError(deps, c, error, nowIso, audit));
  }

  if (result.kind === "not_renewable") {
    await flagConnection(
      deps,
      c,
      "NEEDS_REAUTH",
      `Access ${c.accessTokenExpiresAt ? `expires at ${c.accessTokenExpiresAt}` : "is expiring"} and cannot be renewed automatically (${result.reason}).`,
      nowIso,
    );
    await audit({
      type: "refresh_failed",
      outcome: "failure",
      reason: result.reason,
      details: { status: "NEEDS_REAUTH" },
    });
    return record("needs_reauth");
  }

  const accessToken = await deps.vault.seal(result.accessToken, ctx(TOKEN_PURPOSE.access));
  const refreshToken = result.refreshToken
    ? await deps.vault.seal(result.refreshToken, ctx(TOKEN_PURPOSE.refresh))
    : c.refreshToken;
  const scopes = result.scopes && result.scopes.length > 0 ? [...result.scopes] : [...c.scopes];
  await deps.connections.save({
    ...c,
    accessToken,
    refreshToken,
    accessTokenExpiresAt: result.accessTokenExpiresAt,
    refreshTokenExpiresAt: result.refreshToken
      ? (result.refreshTokenExpiresAt ?? c.refreshTokenExpiresAt)
      : c.refreshTokenExpiresAt,
    scopes,
    refresh: { failures: 0, lastAttemptAt: nowIso, lastRefreshedAt: nowIso },
    updatedAt: nowIso,
    version: c.version + 1,
  });
  await audit({ type: "refreshed", outcome: "success", details: { expiresAt: result.accessTokenExpiresAt } });
  const diff = scopeDiff(c.scopes, scopes);
  if (diff.added.length > 0 || diff.removed.length > 0) {
    await audit({ type: "scopes_changed", outcome: "success", details: diff });
  }
  return record("refreshed");
}

async function onProviderError(
  deps: RefreshDeps,
  c: Connection,
  error: ProviderError,
  now: string,
  audit: (
    e: Omit<TokenAuditEvent, "id" | "tenantId" | "connectionId" | "provider" | "actor" | "at">,
  ) => Promise<void>,
): Promise<RefreshOutcome> {
  if (error.classification === "revoked") {
    const revokedByUser =
      (error.provider === "meta" && error.subcode === META_APP_REMOVED_SUBCODE) ||
      (error.provider === "linkedin" && error.code === LINKEDIN_REVOKED_BY_MEMBER);
    const status: ConnectionStatus = revokedByUser ? "REVOKED" : "NEEDS_REAUTH";
    await flagConnection(
      deps,
      c,
      status,
      revokedByUser
        ? "The account owner removed Herald's access at the provider."
        : "The provider no longer accepts this grant.",
      now,
      error.reason,
    );
    await audit({ type: "refresh_failed", outcome: "failure", reason: error.reason, details: { status } });
    return "revoked";
  }
  const failures = c.refresh.failures + 1;
  const transient = error.classification === "transient" || error.classification === "rate_limited";
  if (!transient && failures >= MAX_NON_TRANSIENT_FAILURES) {
    await flagConnection(
      deps,
      c,
      "NEEDS_REAUTH",
      `The provider refused to renew access ${failures} times in a row.`,
      now,
      error.reason,
    );
    await audit({
      type: "refresh_failed",
      outcome: "failure",
      reason: error.reason,
      details: { status: "NEEDS_REAUTH", failures },
    });
    return "needs_reauth";
  }
  const waitMs = Math.max(backoffDelayMs(failures, deps.random), (error.retryAfterSeconds ?? 0) * 1000);
  const nextAttemptAt = new Date(Date.parse(now) + waitMs).toISOString();
  await deps.connections.save({
    ...c,
    refresh: { ...c.refresh, failures, nextAttemptAt, lastAttemptAt: now, lastError: error.reason },
    updatedAt: now,
    version: c.version + 1,
  });
  await audit({
    type: "refresh_failed",
    outcome: "failure",
    reason: error.reason,
    details: { failures, nextAttemptAt, transient },
  });
  return transient ? "transient_failure" : "failed";
}
