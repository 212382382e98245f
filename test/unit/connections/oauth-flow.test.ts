import { describe, expect, it } from "vitest";
import { TOKEN_PURPOSE } from "../../../functions/connections/domain/connection.js";
import { hashState, startAuthorization } from "../../../functions/connections/use-cases/authorize.js";
import { completeAuthorization } from "../../../functions/connections/use-cases/callback.js";
import { targetIdFor } from "../../../functions/connections/use-cases/targets.js";
import { ValidationError } from "../../../functions/platform/errors.js";
import { MetaApiError, ProviderNetworkError } from "../../../functions/providers/errors.js";
import { linkedInAccount, world } from "./in-memory.js";

const admin = { tenantId: "acme", userId: "user-1", roles: ["admin" as const] };
const returnUrl = "https://app.acme.test/connections/done";

async function authorize(
  w: ReturnType<typeof world>,
  provider: "meta" | "linkedin" = "meta",
  tenant = admin,
) {
  const out = await startAuthorization(w.deps, { auth: tenant, provider, preset: "publish", returnUrl });
  const state = new URL(out.authorizationUrl).searchParams.get("state")!;
  return { ...out, state };
}

const nothingStored = (w: ReturnType<typeof world>) => {
  expect(w.connections.items.size).toBe(0);
  expect(w.targets.items.size).toBe(0);
  expect(w.audit.items).toHaveLength(0);
};

describe("authorize", () => {
  it("stores only the hash of a 256-bit state, bound to tenant, user, provider, return URL; 10-minute expiry", async () => {
    const w = world();
    const out = await authorize(w);
    expect(out.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(out.state, "base64url")).toHaveLength(32);
    const stored = w.states.items.get(hashState(out.state))!;
    expect(stored).toMatchObject({ tenantId: "acme", userId: "user-1", provider: "meta", returnUrl });
    expect(stored.redirectUri).toBe("https://api.herald.test/v1/oauth/meta/callback");
    expect(JSON.stringify([...w.states.items])).not.toContain(out.state);
    expect(stored.expiresAt * 1000 - w.clock.t).toBe(600_000);
    expect(out.expiresAt).toBe("2026-11-26T10:10:00.000Z");
    expect(stored.codeVerifier).toBeUndefined();
  });

  it("keeps a PKCE verifier with the state for providers that use PKCE", async () => {
    const w = world();
    const out = await authorize(w, "linkedin");
    expect(w.states.items.get(hashState(out.state))!.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses a return URL outside the tenant's allow-list (no open redirect), storing no state", async () => {
    const w = world();
    for (const bad of [
      "https://evil.test/connections",
      "https://app.acme.test/connectionsX",
      "https://app.acme.test/other",
    ]) {
      await expect(
        startAuthorization(w.deps, { auth: admin, provider: "meta", preset: "publish", returnUrl: bad }),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    // Another tenant's allow-list does not cover acme's URL.
    await expect(
      startAuthorization(w.deps, {
        auth: { ...admin, tenantId: "globex" },
        provider: "meta",
        preset: "publish",
        returnUrl,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(w.states.items.size).toBe(0);
  });
});

describe("callback", () => {
  it("stores the connection with sealed tokens and its targets, audits, and redirects with the id", async () => {
    const w = world();
    const { state } = await authorize(w);
    const res = await completeAuthorization(w.deps, "meta", { code: "CODE", state });
    expect(res.kind).toBe("redirect");
    const location = new URL((res as { location: string }).location);
    expect(location.origin + location.pathname).toBe(returnUrl);
    const connectionId = location.searchParams.get("connectionId")!;
    const c = (await w.connections.get("acme", connectionId))!;
    expect(c).toMatchObject({
      provider: "meta",
      externalAccountId: "fb-user-1",
      status: "ACTIVE",
      connectedBy: "user-1",
    });
    expect(c.accessToken).not.toContain("EAAB");
    expect(
      await w.vault.open(c.accessToken!, { tenantId: "acme", connectionId, purpose: TOKEN_PURPOSE.access }),
    ).toBe("EAAB-long-lived-user-token");
    const targets = await w.targets.listByConnection("acme", connectionId);
    expect(targets.map((t) => t.kind).sort()).toEqual(["facebook_page", "instagram_account"]);
    const page = targets.find((t) => t.kind === "facebook_page")!;
    expect(page.id).toBe(targetIdFor("acme", connectionId, "facebook_page", "page-1"));
    expect(
      await w.vault.open(page.token!, {
        tenantId: "acme",
        connectionId,
        purpose: TOKEN_PURPOSE.target(page.id),
      }),
    ).toBe("EAAB-page-token-1");
    expect(w.audit.items.map((e) => [e.type, e.actor.id, e.outcome])).toEqual([
      ["issued", "user-1", "success"],
    ]);
    expect(w.meta.calls.find((c) => c.op === "completeAuthorization")?.args).toMatchObject({
      code: "CODE",
      redirectUri: "https://api.herald.test/v1/oauth/meta/callback",
    });
  });

  it("refuses a replayed state with a plain page and stores nothing more", async () => {
    const w = world();
    const { state } = await authorize(w);
    await completeAuthorization(w.deps, "meta", { code: "CODE", state });
    const before = { c: w.connections.items.size, a: w.audit.items.length };
    const again = await completeAuthorization(w.deps, "meta", { code: "CODE", state });
    expect(again).toMatchObject({ kind: "page", status: 400 });
    expect({ c: w.connections.items.size, a: w.audit.items.length }).toEqual(before);
    expect(w.meta.calls.filter((c) => c.op === "completeAuthorization")).toHaveLength(1);
  });

  it("refuses forged and missing states with a plain page, without calling the provider", async () => {
    const w = world();
    await authorize(w);
    for (const state of [undefined, "short", Buffer.alloc(32, 7).toString("base64url")]) {
      const res = await completeAuthorization(w.deps, "meta", { code: "CODE", state });
      expect(res).toMatchObject({ kind: "page", status: 400 });
    }
    expect(w.meta.calls.filter((c) => c.op === "completeAuthorization")).toHaveLength(0);
    nothingStored(w);
  });

  it("refuses an expired state (redirect with state_expired), even if TTL has not deleted it yet", async () => {
    const w = world();
    const { state } = await authorize(w);
    w.clock.advance(10 * 60 * 1000 + 1);
    const res = await completeAuthorization(w.deps, "meta", { code: "CODE", state });
    expect(res.kind).toBe("redirect");
    expect(new URL((res as { location: string }).location).searchParams.get("error")).toBe("state_expired");
    nothingStored(w);
  });

  it("refuses a state used on another provider's callback", async () => {
    const w = world();
    const { state } = await authorize(w, "meta");
    const res = await completeAuthorization(w.deps, "linkedin", { code: "CODE", state });
    expect(new URL((res as { location: string }).location).searchParams.get("error")).toBe("invalid_state");
    nothingStored(w);
  });

  it("binds the connection to the tenant that issued the state, whoever completes it", async () => {
    const w = world();
    const { state } = await authorize(w, "meta", { ...admin, tenantId: "acme" });
    const res = await completeAuthorization(w.deps, "meta", { code: "CODE", state });
    const id = (res as { connectionId: string }).connectionId;
    expect(await w.connections.get("acme", id)).toBeDefined();
    expect(await w.connections.get("globex", id)).toBeUndefined();
  });

  it("stores nothing when consent is denied or the exchange fails", async () => {
    const w = world();
    const denied = await completeAuthorization(w.deps, "meta", {
      state: (await authorize(w)).state,
      error: "access_denied",
      error_reason: "user_denied",
    });
    expect(new URL((denied as { location: string }).location).searchParams.get("error")).toBe(
      "access_denied",
    );

    w.meta.exchangeError = new MetaApiError("used code", {
      provider: "meta",
      classification: "auth",
      code: 100,
      subcode: 36009,
    });
    const failed = await completeAuthorization(w.deps, "meta", {
      code: "C",
      state: (await authorize(w)).state,
    });
    expect(new URL((failed as { location: string }).location).searchParams.get("error")).toBe(
      "exchange_failed",
    );

    w.meta.exchangeError = new ProviderNetworkError("down", {
      provider: "meta",
      classification: "transient",
    });
    const down = await completeAuthorization(w.deps, "meta", {
      code: "C",
      state: (await authorize(w)).state,
    });
    expect(new URL((down as { location: string }).location).searchParams.get("error")).toBe(
      "temporarily_unavailable",
    );
    nothingStored(w);
  });

  it("updates a reconnected account in place, keeps its refresh token and target ids, and audits scope changes", async () => {
    const w = world();
    const first = await completeAuthorization(w.deps, "linkedin", {
      code: "C1",
      state: (await authorize(w, "linkedin")).state,
    });
    const id = (first as { connectionId: string }).connectionId;
    const before = (await w.connections.get("acme", id))!;
    const targetIds = (await w.targets.listByConnection("acme", id)).map((t) => t.id);

    w.linkedin.account = linkedInAccount({
      accessToken: "AQ-access-2",
      refreshToken: undefined,
      refreshTokenExpiresAt: undefined,
      scopes: ["openid", "w_member_social", "r_organization_admin"],
    });
    const second = await completeAuthorization(w.deps, "linkedin", {
      code: "C2",
      state: (await authorize(w, "linkedin")).state,
    });
    expect((second as { connectionId: string }).connectionId).toBe(id);
    expect(w.connections.items.size).toBe(1);
    const after = (await w.connections.get("acme", id))!;
    expect(after.version).toBe(before.version + 1);
    expect(after.createdAt).toBe(before.createdAt);
    const ctx = { tenantId: "acme", connectionId: id };
    expect(await w.vault.open(after.accessToken!, { ...ctx, purpose: TOKEN_PURPOSE.access })).toBe(
      "AQ-access-2",
    );
    expect(await w.vault.open(after.refreshToken!, { ...ctx, purpose: TOKEN_PURPOSE.refresh })).toBe(
      "AQ-refresh-1",
    );
    expect(after.refreshTokenExpiresAt).toBe(before.refreshTokenExpiresAt);
    expect((await w.targets.listByConnection("acme", id)).map((t) => t.id)).toEqual(targetIds);
    const scopes = w.audit.items.find((e) => e.type === "scopes_changed");
    expect(scopes?.details).toEqual({ added: ["r_organization_admin"], removed: [] });
  });

  it("announces a reconnect's targets as restored (not a first connect), and a failing bus never undoes it", async () => {
    const w = world();
    const res = await completeAuthorization(
      w.deps,
      "meta",
      { code: "C", state: (await authorize(w)).state },
      { correlationId: "corr" },
    );
    const id = (res as { connectionId: string }).connectionId;
    // A first connect has no deliveries to restore.
    expect(w.events.restoredSent).toEqual([]);
    await completeAuthorization(
      w.deps,
      "meta",
      { code: "C", state: (await authorize(w)).state },
      { correlationId: "corr-2" },
    );
    const active = (await w.targets.listByConnection("acme", id)).map((t) => t.id).sort();
    expect(
      w.events.restoredSent.map((e) => [
        e.connectionId,
        e.provider,
        [...e.targetIds].sort(),
        e.correlationId,
      ]),
    ).toEqual([[id, "meta", active, "corr-2"]]);
    expect(w.events.sent).toEqual([]);

    w.events.failWith = new Error("EventBridge unreachable");
    const again = await completeAuthorization(w.deps, "meta", {
      code: "C",
      state: (await authorize(w)).state,
    });
    expect(again).toMatchObject({ kind: "redirect", connectionId: id });
    expect((await w.connections.get("acme", id))?.status).toBe("ACTIVE");
  });

  it("marks targets the account no longer reaches as DISCONNECTED and drops their tokens", async () => {
    const w = world();
    const first = await completeAuthorization(w.deps, "meta", {
      code: "C",
      state: (await authorize(w)).state,
    });
    const id = (first as { connectionId: string }).connectionId;
    w.meta.account = {
      ...w.meta.account,
      targets: w.meta.account.targets.filter((t) => t.kind === "facebook_page"),
    };
    await completeAuthorization(w.deps, "meta", { code: "C", state: (await authorize(w)).state });
    const ig = (await w.targets.listByConnection("acme", id)).find((t) => t.kind === "instagram_account")!;
    expect(ig.status).toBe("DISCONNECTED");
    expect(ig.token).toBeUndefined();
    // Its deliveries get blocked through the event; the others are announced as restored.
    expect(w.events.sent).toEqual([
      expect.objectContaining({ connectionId: id, targetIds: [ig.id], reason: "revoked" }),
    ]);
    expect(w.events.restoredSent.flatMap((e) => e.targetIds)).not.toContain(ig.id);
  });
});
