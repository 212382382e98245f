import { describe, expect, it } from "vitest";
import {
  BACKOFF_CAP_MS,
  backoffCeilingMs,
  backoffDelayMs,
  REFRESH_AHEAD_MS,
  TOKEN_PURPOSE,
} from "../../../functions/connections/domain/connection.js";
import { startAuthorization } from "../../../functions/connections/use-cases/authorize.js";
import { completeAuthorization } from "../../../functions/connections/use-cases/callback.js";
import {
  type RefreshOutcome,
  refreshDueTokens,
} from "../../../functions/connections/use-cases/refresh-tokens.js";
import { UNDECRYPTABLE_WHY } from "../../../functions/connections/use-cases/targets.js";
import { createTokenVault } from "../../../functions/platform/crypto/token-vault.js";
import { fakeDataKeys } from "../../support/fake-data-keys.js";

const disabledKeys = () => {
  const keys = fakeDataKeys();
  keys.failWith("DisabledException");
  return keys;
};

import { LinkedInApiError, MetaApiError, ProviderNetworkError } from "../../../functions/providers/errors.js";
import { world } from "./in-memory.js";

async function connect(w: ReturnType<typeof world>, provider: "meta" | "linkedin") {
  const out = await startAuthorization(w.deps, {
    auth: { tenantId: "acme", userId: "user-1", roles: ["admin"] },
    provider,
    preset: "publish",
    returnUrl: "https://app.acme.test/connections",
  });
  const state = new URL(out.authorizationUrl).searchParams.get("state")!;
  const res = await completeAuthorization(w.deps, provider, { code: "C", state });
  return (res as { connectionId: string }).connectionId;
}

const run = (w: ReturnType<typeof world>) => {
  const outcomes: RefreshOutcome[] = [];
  return refreshDueTokens({ ...w.deps, random: () => 0.5, recordOutcome: (o) => outcomes.push(o) }).then(
    (r) => ({ ...r, outcomes }),
  );
};
const toWindow = (w: ReturnType<typeof world>) => {
  // Access expires 2027-01-25T10:00Z; step into the refresh window.
  w.clock.t = Date.parse("2027-01-25T10:00:00.000Z") - REFRESH_AHEAD_MS + 60_000;
};

describe("backoff", () => {
  it("grows exponentially up to a cap, with full jitter under the ceiling", () => {
    expect([1, 2, 3, 4].map(backoffCeilingMs)).toEqual([300_000, 600_000, 1_200_000, 2_400_000]);
    expect(backoffCeilingMs(40)).toBe(BACKOFF_CAP_MS);
    expect(backoffDelayMs(3, () => 0.999)).toBeLessThan(backoffCeilingMs(3));
    expect(backoffDelayMs(3, () => 0)).toBe(60_000);
  });
});

describe("refresh cron", () => {
  it("does nothing before the refresh window", async () => {
    const w = world();
    await connect(w, "linkedin");
    expect((await run(w)).processed).toBe(0);
  });

  it("refreshes a LinkedIn token with its refresh token, keeps the refresh token, audits and counts", async () => {
    const w = world();
    const id = await connect(w, "linkedin");
    toWindow(w);
    w.linkedin.renewResult = {
      kind: "renewed",
      accessToken: "AQ-access-NEW",
      accessTokenExpiresAt: "2027-03-26T10:00:00.000Z",
    };
    const r = await run(w);
    expect(r.outcomes).toEqual(["refreshed"]);
    expect(w.linkedin.calls.find((c) => c.op === "renew")?.args).toMatchObject({
      accessToken: "AQ-access-1",
      refreshToken: "AQ-refresh-1",
    });
    const c = (await w.connections.get("acme", id))!;
    expect(c.status).toBe("ACTIVE");
    expect(c.accessTokenExpiresAt).toBe("2027-03-26T10:00:00.000Z");
    expect(
      await w.vault.open(c.accessToken!, {
        tenantId: "acme",
        connectionId: id,
        purpose: TOKEN_PURPOSE.access,
      }),
    ).toBe("AQ-access-NEW");
    expect(
      await w.vault.open(c.refreshToken!, {
        tenantId: "acme",
        connectionId: id,
        purpose: TOKEN_PURPOSE.refresh,
      }),
    ).toBe("AQ-refresh-1");
    expect(w.audit.items.at(-1)).toMatchObject({
      type: "refreshed",
      outcome: "success",
      actor: { type: "system" },
    });
    // Not due again until the next window.
    expect((await run(w)).processed).toBe(0);
  });

  it("keeps a connection ACTIVE through provider outages, with growing backoff, and audits each failure", async () => {
    const w = world();
    const id = await connect(w, "linkedin");
    toWindow(w);
    w.linkedin.renewResult = new LinkedInApiError("503", {
      provider: "linkedin",
      classification: "transient",
      status: 503,
    });
    const waits: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await run(w);
      expect(r.outcomes).toEqual(["transient_failure"]);
      const c = (await w.connections.get("acme", id))!;
      expect(c.status).toBe("ACTIVE");
      expect(c.refresh.failures).toBe(i);
      const wait = Date.parse(c.refresh.nextAttemptAt!) - w.clock.t;
      expect(wait).toBe(backoffDelayMs(i, () => 0.5));
      waits.push(wait);
      // Not retried before its time.
      expect((await run(w)).processed).toBe(0);
      w.clock.t = Date.parse(c.refresh.nextAttemptAt!);
    }
    expect(waits[0]!).toBeLessThan(waits[1]!);
    expect(waits[1]!).toBeLessThan(waits[2]!);
    w.linkedin.renewResult = new ProviderNetworkError("timeout", {
      provider: "linkedin",
      classification: "transient",
    });
    await run(w);
    expect((await w.connections.get("acme", id))!.status).toBe("ACTIVE");
    const failures = w.audit.items.filter((e) => e.type === "refresh_failed");
    expect(failures).toHaveLength(4);
    expect(failures[0]!.reason).toBe("linkedin:503");
    expect(w.events.sent).toHaveLength(0);
  });

  it("flags a revoked LinkedIn grant at once: REVOKED with a reconnect action, targets NEEDS_REAUTH, event sent", async () => {
    const w = world();
    const id = await connect(w, "linkedin");
    toWindow(w);
    w.linkedin.renewResult = new LinkedInApiError("revoked", {
      provider: "linkedin",
      classification: "revoked",
      status: 401,
      code: 65601,
      subcode: "REVOKED_ACCESS_TOKEN",
    });
    expect((await run(w)).outcomes).toEqual(["revoked"]);
    const c = (await w.connections.get("acme", id))!;
    expect(c.status).toBe("REVOKED");
    expect(c.action?.type).toBe("reconnect");
    expect(c.action?.message).toContain("/v1/connections/linkedin/authorize");
    expect((await w.targets.listByConnection("acme", id)).every((t) => t.status === "NEEDS_REAUTH")).toBe(
      true,
    );
    expect(w.events.sent).toMatchObject([{ connectionId: id, reason: "revoked" }]);
    expect(w.audit.items.at(-1)).toMatchObject({
      type: "refresh_failed",
      reason: "linkedin:65601/REVOKED_ACCESS_TOKEN",
    });
    expect((await run(w)).processed).toBe(0);
  });

  it("announces the flagged connection's targets (their deliveries get blocked), but not on a transient failure", async () => {
    const w = world();
    const id = await connect(w, "meta");
    toWindow(w);
    w.meta.renewResult = new ProviderNetworkError("down", { provider: "meta", classification: "transient" });
    await refreshDueTokens(w.deps);
    expect(w.events.sent).toEqual([]);
    w.clock.advance(7 * 60 * 60 * 1000);
    w.meta.renewResult = new MetaApiError("190", {
      provider: "meta",
      classification: "revoked",
      code: 190,
      subcode: 467,
    });
    await refreshDueTokens(w.deps);
    expect(w.events.sent).toEqual([
      expect.objectContaining({
        connectionId: id,
        targetIds: (await w.targets.listByConnection("acme", id)).map((t) => t.id),
        reason: "needs_reauth",
        why: "The provider no longer accepts this grant.",
      }),
    ]);
  });

  it("marks a Meta grant whose password changed NEEDS_REAUTH (190/460) and one whose app was removed REVOKED (190/458)", async () => {
    for (const [subcode, status] of [
      [460, "NEEDS_REAUTH"],
      [458, "REVOKED"],
    ] as const) {
      const w = world();
      const id = await connect(w, "meta");
      toWindow(w);
      w.meta.renewResult = new MetaApiError("190", {
        provider: "meta",
        classification: "revoked",
        status: 400,
        code: 190,
        subcode,
      });
      await run(w);
      expect((await w.connections.get("acme", id))!.status).toBe(status);
    }
  });

  it("sets NEEDS_REAUTH ahead of expiry when the provider cannot renew (no refresh token)", async () => {
    const w = world();
    const id = await connect(w, "linkedin");
    toWindow(w);
    w.linkedin.renewResult = { kind: "not_renewable", reason: "no_refresh_token" };
    expect((await run(w)).outcomes).toEqual(["needs_reauth"]);
    const c = (await w.connections.get("acme", id))!;
    expect(c.status).toBe("NEEDS_REAUTH");
    expect(Date.parse(c.accessTokenExpiresAt!)).toBeGreaterThan(w.clock.t);
    expect(c.action?.message).toMatch(/cannot be renewed automatically/);
    expect(w.audit.items.at(-1)).toMatchObject({ type: "refresh_failed", reason: "no_refresh_token" });
  });

  it("keeps going when one connection fails unexpectedly, and audits scopes the user removed", async () => {
    const w = world();
    const broken = await connect(w, "linkedin");
    const meta = await connect(w, "meta");
    toWindow(w);
    // Something unexpected (not a provider error, not the vault): that connection fails alone and stays due.
    w.linkedin.renewResult = new TypeError("fetch failed");
    w.meta.renewResult = {
      kind: "renewed",
      accessToken: "EAAB-renewed",
      accessTokenExpiresAt: "2027-03-20T10:00:00.000Z",
      scopes: ["pages_show_list"],
    };
    const r = await run(w);
    expect(r.counts).toEqual({ failed: 1, refreshed: 1 });
    expect(r.errors).toEqual([expect.objectContaining({ id: broken, error: "TypeError: fetch failed" })]);
    expect((await w.connections.get("acme", meta))!.scopes).toEqual(["pages_show_list"]);
    expect(
      w.audit.items.find((e) => e.type === "scopes_changed" && e.connectionId === meta)?.details,
    ).toEqual({
      added: [],
      removed: ["pages_manage_posts"],
    });
  });

  it("flags a connection whose token cannot be decrypted NEEDS_REAUTH at once instead of retrying it every run", async () => {
    const w = world();
    const id = await connect(w, "linkedin");
    toWindow(w);
    // The refresh token sealed under another connection's context (a copy-paste or tampering).
    const c = (await w.connections.get("acme", id))!;
    const foreign = await w.vault.seal("AQ-refresh-1", {
      tenantId: "acme",
      connectionId: "con_other",
      purpose: TOKEN_PURPOSE.refresh,
    });
    w.connections.items.set(`acme|${id}`, { ...c, refreshToken: foreign });
    const r = await run(w);
    expect(r.outcomes).toEqual(["undecryptable"]);
    expect(r.errors).toEqual([]);
    expect(w.linkedin.calls.some((call) => call.op === "renew")).toBe(false);
    const flagged = (await w.connections.get("acme", id))!;
    expect(flagged).toMatchObject({
      status: "NEEDS_REAUTH",
      statusReason: UNDECRYPTABLE_WHY,
      action: { type: "reconnect" },
      refresh: expect.objectContaining({ lastError: "token_undecryptable:authentication_failed" }),
    });
    expect(flagged.refresh.nextAttemptAt).toBeUndefined();
    expect(w.events.sent).toEqual([
      expect.objectContaining({ connectionId: id, reason: "needs_reauth", why: UNDECRYPTABLE_WHY }),
    ]);
    expect(w.audit.items.at(-1)).toMatchObject({
      type: "refresh_failed",
      reason: "token_undecryptable:authentication_failed",
      details: { status: "NEEDS_REAUTH" },
    });
    // Not due any more: the next run leaves it alone.
    w.clock.t += 24 * 3600_000;
    expect((await run(w)).processed).toBe(0);
  });

  it("leaves connections due (failed, not flagged) when the token key itself is unusable (KMS)", async () => {
    const w = world();
    const id = await connect(w, "linkedin");
    toWindow(w);
    const r = await refreshDueTokens({
      ...w.deps,
      vault: createTokenVault(disabledKeys()),
    });
    expect(r.counts).toEqual({ failed: 1 });
    expect(r.errors).toEqual([
      expect.objectContaining({ id, error: expect.stringContaining("TokenKeyError") }),
    ]);
    expect((await w.connections.get("acme", id))?.status).toBe("ACTIVE");
    expect(w.events.sent).toEqual([]);
  });

  it("renews a Meta long-lived token by re-exchange", async () => {
    const w = world();
    const id = await connect(w, "meta");
    toWindow(w);
    w.meta.renewResult = {
      kind: "renewed",
      accessToken: "EAAB-renewed",
      accessTokenExpiresAt: "2027-03-20T10:00:00.000Z",
    };
    expect((await run(w)).outcomes).toEqual(["refreshed"]);
    expect((await w.connections.get("acme", id))!.accessTokenExpiresAt).toBe("2027-03-20T10:00:00.000Z");
  });
});
