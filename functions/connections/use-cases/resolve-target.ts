/**
 * The port other contexts use to publish as a target (the publish worker's `TargetResolver`):
 *
 *   publish worker → resolve → TargetRepository / ConnectionRepository → Vault.open
 *   publish worker → markNeedsReauth → flagConnection → takeOutOfService → ConnectionEvents
 *
 * `resolve` answers the target's external id and its decrypted token (the Page token for
 * Facebook Pages and their Instagram accounts, the member token for LinkedIn), or its status
 * when it is not usable. A stored token that cannot be decrypted (sealed for another context,
 * sealed under another key, tampered) can never heal: the connection is flagged NEEDS_REAUTH with a
 * reconnect action and its targets are announced through `takeOutOfService` (ConnectionDisconnected
 * v1), and `TargetUnusableError` tells the worker to fail the delivery at once. An unusable
 * token key (KMS) is an operator's problem: `TargetUnusableError` with `contact_support`, and the
 * connection is left alone (its tokens are intact; reconnecting would not help).
 */

import { TargetUnusableError } from "../../platform/unusable-target.js";
import { TOKEN_PURPOSE } from "../domain/connection.js";
import {
  type ConnectionEvents,
  type ConnectionRepository,
  type PublishableTarget,
  StaleConnectionError,
  type TargetRepository,
  TokenKeyError,
  UndecryptableTokenError,
  type Vault,
} from "./ports.js";
import { flagConnection, UNDECRYPTABLE_WHY } from "./targets.js";

export interface TokenResolverDeps {
  readonly connections: ConnectionRepository;
  readonly targets: TargetRepository;
  readonly vault: Vault;
  readonly events: ConnectionEvents;
  readonly now?: () => Date;
}

export type { PublishableTarget };

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
      try {
        if (t.token) token = await deps.vault.open(t.token, ctx(TOKEN_PURPOSE.target(t.id)));
        else if (c.accessToken) token = await deps.vault.open(c.accessToken, ctx(TOKEN_PURPOSE.access));
      } catch (error) {
        if (error instanceof UndecryptableTokenError) {
          const reason = `token_undecryptable:${error.reason}`;
          await markNeedsReauth(tenantId, c.id, UNDECRYPTABLE_WHY, reason);
          throw new TargetUnusableError(
            t.id,
            c.id,
            "reconnect",
            reason,
            `${UNDECRYPTABLE_WHY} The connection was flagged for reconnection: reconnect the account in Herald and schedule the post again.`,
          );
        }
        if (error instanceof TokenKeyError) {
          throw new TargetUnusableError(
            t.id,
            c.id,
            "contact_support",
            "token_key_unusable",
            "Herald's token encryption key is unusable, so no stored access can be read. Contact support; reconnecting will not help.",
          );
        }
        throw error;
      }
      return token ? { ...base, status: "ACTIVE", token } : { ...base, status: "NEEDS_REAUTH" };
    },

    markNeedsReauth,
  };
}
