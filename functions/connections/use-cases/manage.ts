/**
 * Read and manage connections: list, get, targets, target refresh, disconnect.
 *
 *   handlers → these use cases → ConnectionRepository / TargetRepository / Vault / ProviderPort
 *   / AuditRepository / ConnectionEvents
 *
 * Views never include tokens (sealed or not).
 */

import { ConflictError, NotFoundError } from "../../platform/errors.js";
import { newId } from "../../platform/keys.js";
import type { AuditActor } from "../domain/audit.js";
import { type Connection, reconnectAction, refreshDueAt, TOKEN_PURPOSE } from "../domain/connection.js";
import { toTargetView } from "../domain/target.js";
import { type ConnectionEvents, type GrantDeps, isProviderError, UndecryptableTokenError } from "./ports.js";
import { flagConnection, syncTargets, takeOutOfService, UNDECRYPTABLE_WHY } from "./targets.js";

export interface ConnectionView {
  id: string;
  provider: Connection["provider"];
  externalAccountId: string;
  displayName?: string;
  scopes: string[];
  status: Connection["status"];
  statusReason?: string;
  action?: { type: "reconnect"; message: string };
  accessTokenExpiresAt?: string;
  refreshTokenExpiresAt?: string;
  hasRefreshToken: boolean;
  lastRefreshedAt?: string;
  nextRefreshAt?: string;
  refreshFailures: number;
  connectedBy: string;
  createdAt: string;
  updatedAt: string;
}

export const toConnectionView = (c: Connection): ConnectionView => ({
  id: c.id,
  provider: c.provider,
  externalAccountId: c.externalAccountId,
  displayName: c.displayName,
  scopes: [...c.scopes],
  status: c.status,
  statusReason: c.statusReason,
  action: c.action ? { ...c.action } : undefined,
  accessTokenExpiresAt: c.accessTokenExpiresAt,
  refreshTokenExpiresAt: c.refreshTokenExpiresAt,
  hasRefreshToken: c.refreshToken !== undefined,
  lastRefreshedAt: c.refresh.lastRefreshedAt,
  nextRefreshAt: refreshDueAt(c),
  refreshFailures: c.refresh.failures,
  connectedBy: c.connectedBy,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

/** Managing connections acts on live grants: see `GrantDeps`. */
export type ManageDeps = GrantDeps;

async function mustGet(deps: Pick<ManageDeps, "connections">, tenantId: string, id: string) {
  const c = await deps.connections.get(tenantId, id);
  if (!c) throw new NotFoundError(`No connection ${id} in your organisation.`);
  return c;
}

export async function listConnections(deps: Pick<ManageDeps, "connections">, tenantId: string) {
  const items = await deps.connections.list(tenantId);
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(toConnectionView);
}

export async function getConnection(deps: Pick<ManageDeps, "connections">, tenantId: string, id: string) {
  return toConnectionView(await mustGet(deps, tenantId, id));
}

export async function listConnectionTargets(
  deps: Pick<ManageDeps, "connections" | "targets">,
  tenantId: string,
  id: string,
) {
  await mustGet(deps, tenantId, id);
  const items = await deps.targets.listByConnection(tenantId, id);
  return items.sort((a, b) => a.name.localeCompare(b.name)).map(toTargetView);
}

/**
 * Ask the provider again which places the connection reaches; new ones appear, vanished ones
 * are DISCONNECTED (announced as ConnectionDisconnected `revoked`, so their deliveries get
 * blocked) and ones reachable again are announced as ConnectionRestored.
 */
export async function refreshConnectionTargets(
  deps: ManageDeps,
  tenantId: string,
  id: string,
  context: { correlationId?: string } = {},
) {
  const c = await mustGet(deps, tenantId, id);
  if (c.status !== "ACTIVE" || !c.accessToken) {
    throw new ConflictError(`Connection ${id} is ${c.status}; reconnect it before refreshing its targets.`, {
      status: c.status,
      action: c.action,
    });
  }
  let token: string;
  try {
    token = await deps.vault.open(c.accessToken, {
      tenantId,
      connectionId: id,
      purpose: TOKEN_PURPOSE.access,
    });
  } catch (error) {
    if (!(error instanceof UndecryptableTokenError)) throw error;
    // It cannot heal: take the connection out of service like the refresh cron does, then say so.
    const now = deps.clock.now().toISOString();
    await flagConnection(
      deps,
      c,
      "NEEDS_REAUTH",
      UNDECRYPTABLE_WHY,
      now,
      `token_undecryptable:${error.reason}`,
    );
    const action = reconnectAction(c.provider, UNDECRYPTABLE_WHY);
    throw new ConflictError(`Connection ${id} needs to be reconnected: ${UNDECRYPTABLE_WHY}`, {
      status: "NEEDS_REAUTH",
      action,
    });
  }
  const discovered = await deps.providers[c.provider].listTargets(token);
  const { active, lost, regained } = await syncTargets(deps, {
    tenantId,
    connectionId: id,
    discovered,
    now: deps.clock.now().toISOString(),
  });
  await announceTargetChanges(deps.events, c, { lost, regained, correlationId: context.correlationId });
  return active.sort((a, b) => a.name.localeCompare(b.name)).map(toTargetView);
}

/** The status reason and reconnect message of an admin's own disconnect (first and repeated). */
const ADMIN_DISCONNECT = "An administrator disconnected this account.";

/**
 * Disconnect: revoke at the provider where possible, erase every token (connection and
 * targets), mark targets DISCONNECTED, audit, and tell other contexts (deliveries to these
 * targets get blocked with a reconnect action by the posts context's consumer).
 */
export async function disconnectConnection(
  deps: ManageDeps,
  input: { tenantId: string; id: string; actor: AuditActor; correlationId?: string },
) {
  const c = await mustGet(deps, input.tenantId, input.id);
  if (c.status === "DISCONNECTED" && !c.accessToken) {
    // Already disconnected: nothing left to erase (DELETE is idempotent). Announce it again, so
    // a retried DELETE whose first event never reached the bus still gets deliveries blocked.
    const targets = await deps.targets.listByConnection(c.tenantId, c.id);
    await deps.events.disconnected({
      tenantId: c.tenantId,
      connectionId: c.id,
      provider: c.provider,
      targetIds: targets.map((t) => t.id),
      reason: "disconnected",
      why: ADMIN_DISCONNECT,
      correlationId: input.correlationId,
    });
    return { revokedAtProvider: false };
  }
  const now = deps.clock.now().toISOString();
  let revokedAtProvider = false;
  let revokeError: string | undefined;
  if (c.accessToken) {
    try {
      const token = await deps.vault.open(c.accessToken, {
        tenantId: c.tenantId,
        connectionId: c.id,
        purpose: TOKEN_PURPOSE.access,
      });
      await deps.providers[c.provider].revoke(token);
      revokedAtProvider = true;
    } catch (error) {
      // Revocation is best effort: the tokens are erased on our side whatever the provider says.
      revokeError = isProviderError(error) ? error.reason : "vault_or_unknown";
    }
  }
  const targetIds = await takeOutOfService(deps, c, {
    status: "DISCONNECTED",
    why: ADMIN_DISCONNECT,
    reconnect: false,
    targetStatus: "DISCONNECTED",
    eraseTokens: true,
    announce: "disconnected",
    now,
    correlationId: input.correlationId,
  });
  const base = {
    tenantId: c.tenantId,
    connectionId: c.id,
    provider: c.provider,
    actor: input.actor,
    at: now,
  } as const;
  if (c.accessToken) {
    await deps.audit.append({
      ...base,
      id: newId("aud"),
      type: "revoked",
      outcome: revokedAtProvider ? "success" : "failure",
      reason: revokeError,
      details: { atProvider: true },
    });
  }
  await deps.audit.append({
    ...base,
    id: newId("aud"),
    type: "disconnected",
    outcome: "success",
    details: { targets: targetIds.length },
  });
  return { revokedAtProvider };
}

/** Tell other contexts which targets a target refresh or a reconnect lost or regained. */
export async function announceTargetChanges(
  events: ConnectionEvents,
  c: Pick<Connection, "tenantId" | "id" | "provider">,
  changes: { lost: readonly string[]; regained: readonly string[]; correlationId?: string },
) {
  const ref = { tenantId: c.tenantId, connectionId: c.id, provider: c.provider };
  if (changes.lost.length > 0) {
    await events.disconnected({
      ...ref,
      targetIds: changes.lost,
      reason: "revoked",
      why: "The provider no longer lists this place among those the connected account can publish to.",
      correlationId: changes.correlationId,
    });
  }
  if (changes.regained.length > 0) {
    await events.restored({ ...ref, targetIds: changes.regained, correlationId: changes.correlationId });
  }
}
