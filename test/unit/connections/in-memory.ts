/** In-memory ports for the connection use cases (unit tests only). */

import type { TokenAuditEvent } from "../../../functions/connections/domain/audit.js";
import type { Provider } from "../../../functions/connections/domain/connection.js";
import { type Connection, refreshDueAt } from "../../../functions/connections/domain/connection.js";
import {
  AccountTakenError,
  type AuditRepository,
  type AuthorizedAccount,
  type Clock,
  type ConnectionEvents,
  type ConnectionRepository,
  type DataDeletionRecord,
  type DataDeletionRepository,
  type DiscoveredTarget,
  type OAuthStateRecord,
  type OAuthStateRepository,
  type ProviderPort,
  type RenewResult,
  StaleConnectionError,
  type StoredTarget,
  type TargetRepository,
} from "../../../functions/connections/use-cases/ports.js";
import { createTokenVault } from "../../../functions/platform/crypto/token-vault.js";
import { fakeDataKeys } from "../../support/fake-data-keys.js";

export class MemoryConnections implements ConnectionRepository {
  readonly items = new Map<string, Connection>();
  readonly accounts = new Map<string, string>();
  private k = (t: string, id: string) => `${t}|${id}`;
  async get(t: string, id: string) {
    return this.items.get(this.k(t, id));
  }
  async list(t: string) {
    return [...this.items.values()].filter((c) => c.tenantId === t);
  }
  async findIdByAccount(t: string, p: Provider, ext: string) {
    return this.accounts.get(`${t}|${p}|${ext}`);
  }
  async findByAccountEverywhere(p: Provider, ext: string) {
    return [...this.accounts.entries()]
      .filter(([k]) => k.endsWith(`|${p}|${ext}`))
      .map(([k, id]) => ({ tenantId: k.split("|")[0]!, id }));
  }
  async create(c: Connection) {
    const ak = `${c.tenantId}|${c.provider}|${c.externalAccountId}`;
    if (this.accounts.has(ak)) throw new AccountTakenError(ak);
    this.accounts.set(ak, c.id);
    this.items.set(this.k(c.tenantId, c.id), c);
  }
  async save(c: Connection) {
    const before = this.items.get(this.k(c.tenantId, c.id));
    if (!before || before.version !== c.version - 1) throw new StaleConnectionError(c.id);
    this.items.set(this.k(c.tenantId, c.id), c);
  }
  async dueForRefresh(now: Date, limit: number) {
    return [...this.items.values()]
      .filter((c) => {
        const due = refreshDueAt(c);
        return due !== undefined && Date.parse(due) <= now.getTime();
      })
      .slice(0, limit)
      .map((c) => ({ tenantId: c.tenantId, id: c.id }));
  }
}

export class MemoryTargets implements TargetRepository {
  readonly items = new Map<string, StoredTarget>();
  async getStored(t: string, id: string) {
    return this.items.get(`${t}|${id}`);
  }
  async getTarget(t: string, id: string) {
    const s = this.items.get(`${t}|${id}`);
    if (!s) return undefined;
    const { token: _t, ...rest } = s;
    return rest;
  }
  async listByConnection(t: string, cid: string) {
    return [...this.items.values()].filter((x) => x.tenantId === t && x.connectionId === cid);
  }
  async put(target: StoredTarget) {
    this.items.set(`${target.tenantId}|${target.id}`, target);
  }
}

export class MemoryStates implements OAuthStateRepository {
  readonly items = new Map<string, OAuthStateRecord>();
  async put(r: OAuthStateRecord) {
    this.items.set(r.stateHash, r);
  }
  async consume(hash: string) {
    const r = this.items.get(hash);
    this.items.delete(hash);
    return r;
  }
}

export class MemoryAudit implements AuditRepository {
  readonly items: TokenAuditEvent[] = [];
  async append(e: TokenAuditEvent) {
    this.items.push(e);
  }
  async query(t: string, q: { connectionId?: string; type?: string; limit: number }) {
    const items = this.items
      .filter(
        (e) =>
          e.tenantId === t &&
          (!q.connectionId || e.connectionId === q.connectionId) &&
          (!q.type || e.type === q.type),
      )
      .slice(0, q.limit);
    return { items };
  }
}

export class MemoryDeletions implements DataDeletionRepository {
  readonly items = new Map<string, DataDeletionRecord>();
  async put(r: DataDeletionRecord) {
    this.items.set(r.confirmationCode, r);
  }
  async get(code: string) {
    return this.items.get(code);
  }
}

export class RecordingEvents implements ConnectionEvents {
  /** ConnectionDisconnected, in order. */
  readonly sent: Parameters<ConnectionEvents["disconnected"]>[0][] = [];
  /** ConnectionRestored, in order. */
  readonly restoredSent: Parameters<ConnectionEvents["restored"]>[0][] = [];
  /** Set to make the next calls fail (EventBridge refused or unreachable). */
  failWith?: Error;
  async disconnected(input: Parameters<ConnectionEvents["disconnected"]>[0]) {
    if (this.failWith) throw this.failWith;
    this.sent.push(input);
  }
  async restored(input: Parameters<ConnectionEvents["restored"]>[0]) {
    if (this.failWith) throw this.failWith;
    this.restoredSent.push(input);
  }
}

export class ManualClock implements Clock {
  constructor(public t = Date.parse("2026-11-26T10:00:00.000Z")) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

/** A scripted provider: tests set what each call answers or throws. */
export class FakeProvider implements ProviderPort {
  usesPkce: boolean;
  account: AuthorizedAccount;
  targets: DiscoveredTarget[] = [];
  renewResult: RenewResult | Error = { kind: "not_renewable", reason: "no_refresh_token" };
  exchangeError?: Error;
  revokeError?: Error;
  readonly calls: { op: string; args: unknown }[] = [];

  constructor(
    readonly provider: Provider,
    account: AuthorizedAccount,
    usesPkce = false,
  ) {
    this.account = account;
    this.usesPkce = usesPkce;
  }
  async authorizationUrl(input: {
    redirectUri: string;
    state: string;
    scopes: readonly string[];
    codeVerifier?: string;
  }) {
    this.calls.push({ op: "authorizationUrl", args: input });
    const u = new URL(`https://consent.example/${this.provider}`);
    u.searchParams.set("state", input.state);
    u.searchParams.set("redirect_uri", input.redirectUri);
    return u.toString();
  }
  async completeAuthorization(input: { code: string; redirectUri: string; codeVerifier?: string }) {
    this.calls.push({ op: "completeAuthorization", args: input });
    if (this.exchangeError) throw this.exchangeError;
    return this.account;
  }
  async listTargets(token: string) {
    this.calls.push({ op: "listTargets", args: token });
    return this.targets;
  }
  async renew(input: { accessToken: string; refreshToken?: string }) {
    this.calls.push({ op: "renew", args: input });
    if (this.renewResult instanceof Error) throw this.renewResult;
    return this.renewResult;
  }
  async revoke(token: string) {
    this.calls.push({ op: "revoke", args: token });
    if (this.revokeError) throw this.revokeError;
  }
}

/** A vault over an in-memory KMS that enforces the encryption context. */
export const testVault = () => createTokenVault(fakeDataKeys());

export const metaAccount = (over: Partial<AuthorizedAccount> = {}): AuthorizedAccount => ({
  externalAccountId: "fb-user-1",
  displayName: "Ada Admin",
  scopes: ["pages_show_list", "pages_manage_posts"],
  accessToken: "EAAB-long-lived-user-token",
  accessTokenExpiresAt: "2027-01-25T10:00:00.000Z",
  targets: [
    {
      platform: "facebook",
      kind: "facebook_page",
      externalId: "page-1",
      name: "Page One",
      token: "EAAB-page-token-1",
    },
    {
      platform: "instagram",
      kind: "instagram_account",
      externalId: "ig-1",
      name: "one",
      username: "one",
      token: "EAAB-page-token-1",
    },
  ],
  ...over,
});

export const linkedInAccount = (over: Partial<AuthorizedAccount> = {}): AuthorizedAccount => ({
  externalAccountId: "li-sub-1",
  displayName: "Lin Ked",
  scopes: ["openid", "w_member_social"],
  accessToken: "AQ-access-1",
  accessTokenExpiresAt: "2027-01-25T10:00:00.000Z",
  refreshToken: "AQ-refresh-1",
  refreshTokenExpiresAt: "2027-11-26T10:00:00.000Z",
  targets: [
    { platform: "linkedin", kind: "linkedin_member", externalId: "urn:li:person:li-sub-1", name: "Lin Ked" },
  ],
  ...over,
});

export function world() {
  const clock = new ManualClock();
  const meta = new FakeProvider("meta", metaAccount());
  const linkedin = new FakeProvider("linkedin", linkedInAccount(), true);
  const deps = {
    providers: { meta, linkedin },
    states: new MemoryStates(),
    connections: new MemoryConnections(),
    targets: new MemoryTargets(),
    audit: new MemoryAudit(),
    deletions: new MemoryDeletions(),
    events: new RecordingEvents(),
    vault: testVault(),
    clock,
    publicApiUrl: "https://api.herald.test",
    returnUrls: {
      allowedPrefixes: async (t: string) => (t === "acme" ? ["https://app.acme.test/connections"] : []),
    },
  };
  return { ...deps, deps, meta, linkedin };
}
