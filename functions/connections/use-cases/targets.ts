/**
 * Target bookkeeping shared by the callback, the target refresh and disconnect: deterministic
 * target ids (same connection + same provider place → same id, so posts keep pointing at it
 * across reconnects), sealing each target's own token, and marking vanished targets.
 */
import { createHash } from "node:crypto";
import {
  type Connection,
  type ConnectionStatus,
  reconnectAction,
  TOKEN_PURPOSE,
} from "../domain/connection.js";
import type { TargetStatus } from "../domain/target.js";
import type {
  ConnectionEvents,
  ConnectionRepository,
  DiscoveredTarget,
  StoredTarget,
  TargetRepository,
  Vault,
} from "./ports.js";

export const targetIdFor = (tenantId: string, connectionId: string, kind: string, externalId: string) =>
  `tgt_${createHash("sha256").update(`${tenantId}|${connectionId}|${kind}|${externalId}`).digest("base64url").slice(0, 22)}`;

/**
 * Store the discovered targets (sealing their tokens); targets no longer reachable become
 * DISCONNECTED. Returns the stored (ACTIVE) targets, the ids of those just lost and of those
 * that were not ACTIVE before (`regained`); callers announce them (ConnectionDisconnected /
 * ConnectionRestored) so the posts context blocks or unblocks their deliveries.
 */
export async function syncTargets(
  deps: { targets: TargetRepository; vault: Vault },
  input: { tenantId: string; connectionId: string; discovered: readonly DiscoveredTarget[]; now: string },
): Promise<{ active: StoredTarget[]; lost: string[]; regained: string[] }> {
  const existing = new Map(
    (await deps.targets.listByConnection(input.tenantId, input.connectionId)).map((t) => [t.id, t]),
  );
  const out: StoredTarget[] = [];
  const regained: string[] = [];
  for (const d of input.discovered) {
    const id = targetIdFor(input.tenantId, input.connectionId, d.kind, d.externalId);
    const before = existing.get(id);
    existing.delete(id);
    const token = d.token
      ? await deps.vault.seal(d.token, {
          tenantId: input.tenantId,
          connectionId: input.connectionId,
          purpose: TOKEN_PURPOSE.target(id),
        })
      : undefined;
    const target: StoredTarget = {
      tenantId: input.tenantId,
      id,
      connectionId: input.connectionId,
      platform: d.platform,
      kind: d.kind,
      externalId: d.externalId,
      name: d.name,
      username: d.username,
      pictureUrl: d.pictureUrl,
      status: "ACTIVE",
      createdAt: before?.createdAt ?? input.now,
      updatedAt: input.now,
      token,
    };
    await deps.targets.put(target);
    out.push(target);
    if (before && before.status !== "ACTIVE") regained.push(id);
  }
  const lost: string[] = [];
  for (const gone of existing.values()) {
    if (gone.status === "DISCONNECTED" && gone.token === undefined) continue;
    await deps.targets.put({ ...gone, status: "DISCONNECTED", token: undefined, updatedAt: input.now });
    lost.push(gone.id);
  }
  return { active: out, lost, regained };
}

/** Set every target of a connection to `status`; `eraseTokens` drops their sealed tokens. */
export async function markTargets(
  deps: { targets: TargetRepository },
  input: { tenantId: string; connectionId: string; status: TargetStatus; eraseTokens: boolean; now: string },
): Promise<string[]> {
  const list = await deps.targets.listByConnection(input.tenantId, input.connectionId);
  for (const t of list) {
    await deps.targets.put({
      ...t,
      status: t.status === "DISCONNECTED" ? "DISCONNECTED" : input.status,
      token: input.eraseTokens ? undefined : t.token,
      updatedAt: input.now,
    });
  }
  return list.map((t) => t.id);
}

/** How a connection leaves service: its new status, what its targets become, and what is said. */
export interface OutOfService {
  readonly status: Exclude<ConnectionStatus, "ACTIVE">;
  /** Shown as the connection's status reason (and the reconnect action's message). */
  readonly why: string;
  /** Offer a reconnect action on the connection (not after an admin's own disconnect). */
  readonly reconnect: boolean;
  readonly targetStatus: TargetStatus;
  /** Erase the stored tokens of the connection and its targets. */
  readonly eraseTokens: boolean;
  /** Announce `ConnectionDisconnected` with this reason; omit to stay silent. */
  readonly announce?: "disconnected" | "revoked" | "needs_reauth";
  readonly now: string;
  readonly correlationId?: string;
  /** Further changes to the saved connection (refresh bookkeeping, forgotten names). */
  readonly patch?: Partial<Connection>;
}

/**
 * Take a connection out of service, the one way: save its new status (tokens erased when
 * asked), move its targets along, then tell other contexts through ConnectionDisconnected v1
 * (the posts context blocks their deliveries). Used by disconnect, the refresh cron, the
 * publish worker's token resolver and Meta's deauthorize / data-deletion callbacks.
 */
export async function takeOutOfService(
  deps: { connections: ConnectionRepository; targets: TargetRepository; events: ConnectionEvents },
  c: Connection,
  change: OutOfService,
): Promise<string[]> {
  const { accessToken, refreshToken, ...rest } = c;
  await deps.connections.save({
    ...rest,
    ...(change.eraseTokens ? {} : { accessToken, refreshToken }),
    status: change.status,
    statusReason: change.why,
    action: change.reconnect ? reconnectAction(c.provider, change.why) : undefined,
    refresh: { ...c.refresh, nextAttemptAt: undefined },
    ...change.patch,
    updatedAt: change.now,
    version: c.version + 1,
  });
  const targetIds = await markTargets(deps, {
    tenantId: c.tenantId,
    connectionId: c.id,
    status: change.targetStatus,
    eraseTokens: change.eraseTokens,
    now: change.now,
  });
  if (change.announce) {
    await deps.events.disconnected({
      tenantId: c.tenantId,
      connectionId: c.id,
      provider: c.provider,
      targetIds,
      reason: change.announce,
      why: change.why,
      correlationId: change.correlationId,
    });
  }
  return targetIds;
}

/** The connection's status reason when a stored token of it cannot be decrypted. */
export const UNDECRYPTABLE_WHY =
  "Herald can no longer decrypt the stored access for this account (it was sealed for another connection, its key was retired, or it was altered).";

/**
 * Take a connection out of service with a reconnect action; its targets follow, and
 * ConnectionDisconnected v1 tells the posts context to block their deliveries. Shared by the
 * refresh cron, the target refresh and the publish worker's target resolver, when a provider
 * refuses the grant or a stored token cannot be decrypted.
 */
export async function flagConnection(
  deps: { connections: ConnectionRepository; targets: TargetRepository; events: ConnectionEvents },
  c: Connection,
  status: Exclude<ConnectionStatus, "ACTIVE">,
  why: string,
  now: string,
  reason?: string,
) {
  await takeOutOfService(deps, c, {
    status,
    why,
    reconnect: true,
    targetStatus: "NEEDS_REAUTH",
    eraseTokens: false,
    announce: status === "REVOKED" ? "revoked" : "needs_reauth",
    now,
    patch: { refresh: { ...c.refresh, nextAttemptAt: undefined, lastAttemptAt: now, lastError: reason } },
  });
}
