/**
 * Finish connecting an account: `GET /v1/oauth/{provider}/callback` (public).
 *
 *   handler → completeAuthorization → OAuthStateRepository.consume (single use)
 *   → ProviderPort.completeAuthorization (exchange, long-lived upgrade, targets)
 *   → Vault.seal → ConnectionRepository (create or update in place) → syncTargets → AuditRepository
 *   → ConnectionEvents (a reconnect: ConnectionRestored for its targets, ConnectionDisconnected
 *     for targets the new grant no longer reaches)
 *
 * Anything wrong before the connection is written stores nothing: a state we never issued,
 * already used or expired, a denied consent, a failed exchange. The answer is a redirect to
 * the state's return URL with `error`/`error_description` when the state is ours (its return
 * URL was allow-listed), otherwise a plain page (there is no trustworthy place to send anyone).
 */

import { newId } from "../../platform/keys.js";
import type { TokenAuditEvent } from "../domain/audit.js";
import { type Connection, type Provider, TOKEN_PURPOSE } from "../domain/connection.js";
import { withQuery } from "../domain/return-url.js";
import { scopeDiff } from "../domain/scopes.js";
import { hashState } from "./authorize.js";
import { announceTargetChanges } from "./manage.js";
import {
  AccountTakenError,
  type AuthorizedAccount,
  type GrantDeps,
  isProviderError,
  type OAuthStateRecord,
  type OAuthStateRepository,
  StaleConnectionError,
} from "./ports.js";
import { syncTargets } from "./targets.js";

/**
 * A grant's dependencies (`GrantDeps`; `events` tells the posts context which targets a
 * reconnect restored or lost) plus the OAuth states.
 */
export interface CallbackDeps extends GrantDeps {
  readonly states: OAuthStateRepository;
  /** Called for every outcome (metrics/logs); never receives tokens. */
  readonly observe?: (outcome: string, detail?: Record<string, unknown>) => void;
}

export interface CallbackQuery {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  readonly error_reason?: string;
  readonly error_description?: string;
}

export type CallbackResult =
  | { readonly kind: "redirect"; readonly location: string; readonly connectionId?: string }
  | { readonly kind: "page"; readonly status: number; readonly title: string; readonly message: string };

const fail = (record: OAuthStateRecord, error: string, description: string): CallbackResult => ({
  kind: "redirect",
  location: withQuery(record.returnUrl, { error, error_description: description, provider: record.provider }),
});

const STATE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export async function completeAuthorization(
  deps: CallbackDeps,
  provider: Provider,
  query: CallbackQuery,
  context: { correlationId?: string } = {},
): Promise<CallbackResult> {
  const observe = deps.observe ?? (() => undefined);
  const page = (status: number, outcome: string, message: string): CallbackResult => {
    observe(outcome);
    return { kind: "page", status, title: "This sign-in link cannot be used", message };
  };
  if (!query.state || !STATE_SHAPE.test(query.state)) {
    return page(
      400,
      "invalid_state",
      "The sign-in response carries no valid state. Start connecting the account again from Herald.",
    );
  }
  const record = await deps.states.consume(hashState(query.state));
  if (!record) {
    return page(
      400,
      "invalid_state",
      "This sign-in link is unknown or was already used. Start connecting the account again from Herald.",
    );
  }
  const now = deps.clock.now();
  if (record.expiresAt * 1000 <= now.getTime()) {
    observe("state_expired");
    return fail(record, "state_expired", "The sign-in took longer than 10 minutes. Start again.");
  }
  if (record.provider !== provider) {
    observe("invalid_state");
    return fail(record, "invalid_state", "The sign-in response came back for another provider. Start again.");
  }
  if (query.error) {
    observe("access_denied", { providerError: query.error });
    return fail(
      record,
      "access_denied",
      "Access was not granted. Connect again and approve the requested permissions.",
    );
  }
  if (!query.code) {
    observe("invalid_request");
    return fail(record, "invalid_request", "The provider sent no authorization code. Start again.");
  }

  let account: AuthorizedAccount;
  try {
    account = await deps.providers[provider].completeAuthorization({
      code: query.code,
      redirectUri: record.redirectUri,
      codeVerifier: record.codeVerifier,
    });
  } catch (error) {
    if (!isProviderError(error)) throw error;
    const transient = error.classification === "transient" || error.classification === "rate_limited";
    observe(transient ? "provider_unavailable" : "exchange_failed", { reason: error.reason });
    return fail(
      record,
      transient ? "temporarily_unavailable" : "exchange_failed",
      transient
        ? "The provider did not answer. Try connecting again in a few minutes."
        : "The provider refused the sign-in. Start connecting again.",
    );
  }

  const stored = await storeConnection(deps, record, account, now.toISOString());
  const connectionId = stored.id;
  observe("connected");
  try {
    const ref = { tenantId: record.tenantId, id: connectionId, provider: record.provider };
    const correlationId = context.correlationId ?? crypto.randomUUID();
    // Every reconnect announces all its targets (not only those that were out of service), so
    // connecting again also repairs a ConnectionRestored that never reached the bus.
    await announceTargetChanges(deps.events, ref, {
      lost: stored.lost,
      regained: stored.reconnect ? stored.active : [],
      correlationId,
    });
  } catch (error) {
    // The connection is stored; blocked deliveries can still be rescheduled by hand, and
    // connecting again announces the targets again.
    observe("event_failed", { error: error instanceof Error ? error.name : "unknown" });
  }
  return {
    kind: "redirect",
    connectionId,
    location: withQuery(record.returnUrl, { connectionId, provider: record.provider }),
  };
}

/** Create the connection, or update the tenant's existing one for this account in place. */
async function storeConnection(
  deps: CallbackDeps,
  record: OAuthStateRecord,
  account: AuthorizedAccount,
  now: string,
): Promise<{ id: string; reconnect: boolean; active: string[]; lost: string[] }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const existingId = await deps.connections.findIdByAccount(
      record.tenantId,
      record.provider,
      account.externalAccountId,
    );
    const existing = existingId ? await deps.connections.get(record.tenantId, existingId) : undefined;
    const id = existing?.id ?? newId("con");
    const ctx = (purpose: string) => ({ tenantId: record.tenantId, connectionId: id, purpose });
    const accessToken = await deps.vault.seal(account.accessToken, ctx(TOKEN_PURPOSE.access));
    // A grant without a refresh token never drops the one we hold (LinkedIn returns it once).
    const refreshToken = account.refreshToken
      ? await deps.vault.seal(account.refreshToken, ctx(TOKEN_PURPOSE.refresh))
      : existing?.refreshToken;
    const connection: Connection = {
      tenantId: record.tenantId,
      id,
      provider: record.provider,
      externalAccountId: account.externalAccountId,
      displayName: account.displayName ?? existing?.displayName,
      scopes: account.scopes.length > 0 ? [...account.scopes] : [...record.scopes],
      status: "ACTIVE",
      accessToken,
      refreshToken,
      accessTokenExpiresAt: account.accessTokenExpiresAt,
      refreshTokenExpiresAt: account.refreshToken
        ? account.refreshTokenExpiresAt
        : existing?.refreshTokenExpiresAt,
      refresh: { failures: 0, lastRefreshedAt: now },
      connectedBy: record.userId,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      version: (existing?.version ?? 0) + 1,
    };
    try {
      if (existing) await deps.connections.save(connection);
      else await deps.connections.create(connection);
    } catch (error) {
      // Another callback for the same account won the race; go again as an update.
      if (error instanceof AccountTakenError || error instanceof StaleConnectionError) continue;
      throw error;
    }
    const targets = await syncTargets(deps, {
      tenantId: record.tenantId,
      connectionId: id,
      discovered: account.targets,
      now,
    });
    const base = {
      tenantId: record.tenantId,
      connectionId: id,
      provider: record.provider,
      actor: { type: "user", id: record.userId },
      outcome: "success",
      at: now,
    } as const;
    const events: TokenAuditEvent[] = [
      {
        ...base,
        id: newId("aud"),
        type: "issued",
        details: {
          reconnect: existing !== undefined,
          targets: account.targets.length,
          refreshToken: refreshToken !== undefined,
          expiresAt: account.accessTokenExpiresAt,
        },
      },
    ];
    const diff = existing ? scopeDiff(existing.scopes, connection.scopes) : undefined;
    if (diff && (diff.added.length > 0 || diff.removed.length > 0)) {
      events.push({ ...base, id: newId("aud"), type: "scopes_changed", details: diff });
    }
    for (const e of events) await deps.audit.append(e);
    return {
      id,
      reconnect: existing !== undefined,
      active: targets.active.map((t) => t.id),
      lost: targets.lost,
    };
  }
  throw new Error("Could not store the connection after concurrent updates");
}
