/**
 * The port other contexts use to publish as a target (the publish worker's `TargetResolver`):
 *
 *   publish worker → resolve → TargetRepository / ConnectionRepository → Vault.open
 *   publish worker → markNeedsReauth → flagConnection → takeOutOfService → ConnectionEvents
 *
 * `resolve` answers the target's external id and its decrypted token (the Page token for
 * Facebook Pages and their Instagram accounts, the member token for LinkedIn), or its status
 * when it is not usable.
 */
import { TOKEN_PURPOSE } from "../domain/connection.js";
import type { Platform, TargetKind } from "../domain/target.js";
import {
  type ConnectionEvents,
  type ConnectionRepository,
  StaleConnectionError,
  type TargetRepository,
  type Vault,
} from "./ports.js";
import { flagConnection } from "./targets.js";

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

export interface TokenResolverDeps {
  readonly connections: ConnectionRepository;
  readonly targets: TargetRepository;
  readonly vault: Vault;
  readonly events: ConnectionEvents;
  readonly now?: () => Date;
}

export function tokenResolver(deps: TokenResolverDeps) {
  const now = deps.now ?? (() => new Date());

  /** Flag the connection; someone else changing it first (refresh cron, another worker) wins. */
  const markNeedsReauth = async (tenantId: string, connectionId: string, why: string, reason: string) => {
    const c = await deps.connections.get(tenantId, connectionId);
    if (c?.status !== "ACTIVE") return;
    try {
      await flagConnection(deps, c, "NEEDS_REAUTH", why, now().toISOString(), reason);
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
    }
  };

  return {
    async resolve(tenantId: string, targetId: string): Promise<PublishableTarget | undefined> {
      const t = await deps.targets.getStored(tenantId, targetId);
      if (!t) return undefined;
      const c = await deps.connections.get(tenantId, t.connectionId);
      const base = {
        targetId: t.id,
        platform: t.platform,
        kind: t.kind,
        externalId: t.externalId,
        connectionId: t.connectionId,
      };
      if (c?.status !== "ACTIVE" || t.status !== "ACTIVE") {
        return { ...base, status: t.status === "ACTIVE" ? "NEEDS_REAUTH" : t.status };
      }
      const ctx = (purpose: string) => ({ tenantId, connectionId: c.id, purpose });
      let token: string | undefined;
      if (t.token) token = await deps.vault.open(t.token, ctx(TOKEN_PURPOSE.target(t.id)));
      else if (c.accessToken) token = await deps.vault.open(c.accessToken, ctx(TOKEN_PURPOSE.access));
      return token ? { ...base, status: "ACTIVE", token } : { ...base, status: "NEEDS_REAUTH" };
    },

    markNeedsReauth,
  };
}
