/**
 * Token audit events: every token event with actor and outcome. Append-only; never holds a
 * token. Stored in the connection's audit partition `TENANT#<t>#TOKENAUDIT#<connectionId>`
 * (SK `AUDIT#<at>#<id>`) and listed per tenant by time through GSI1
 * (`TENANT#<t>#TOKENAUDIT` / `<at>#<id>`).
 */
import type { Provider } from "./connection.js";

export const AUDIT_TYPES = [
  "issued",
  "refreshed",
  "refresh_failed",
  "revoked",
  "disconnected",
  "scopes_changed",
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditActor {
  /** `user` (a tenant member), `system` (a Herald cron), `provider` (a provider callback). */
  readonly type: "user" | "system" | "provider";
  readonly id: string;
}

export interface TokenAuditEvent {
  readonly tenantId: string;
  /** `aud_…` */
  readonly id: string;
  readonly connectionId: string;
  readonly provider: Provider;
  readonly type: AuditType;
  readonly actor: AuditActor;
  readonly outcome: "success" | "failure";
  /** Token-free reason: provider error reason, `no_refresh_token`, … */
  readonly reason?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly at: string;
}

export const SYSTEM_REFRESH_ACTOR: AuditActor = { type: "system", id: "token-refresh" };
