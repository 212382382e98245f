import { describe, expect, it } from "vitest";
import { startAuthorization } from "../../../functions/connections/use-cases/authorize.js";
import { completeAuthorization } from "../../../functions/connections/use-cases/callback.js";
import {
  disconnectConnection,
  getConnection,
  listConnections,
  listConnectionTargets,
  refreshConnectionTargets,
} from "../../../functions/connections/use-cases/manage.js";
import { ConflictError, NotFoundError } from "../../../functions/platform/errors.js";
import { ProviderNetworkError } from "../../../functions/providers/errors.js";
import { world } from "./in-memory.js";

async function connect(w: ReturnType<typeof world>, provider: "meta" | "linkedin" = "meta") {
  const out = await startAuthorization(w.deps, {
    auth: { tenantId: "acme", userId: "user-1", roles: ["admin"] },
    provider,
    preset: "publish",
    returnUrl: "https://app.acme.test/connections",
  });
  const state = new URL(out.authorizationUrl).searchParams.get("state")!;
  return ((await completeAuthorization(w.deps, provider, { code: "C", state })) as { connectionId: string })
    .connectionId;
}

describe("manage connections", () => {
  it("lists and reads connections without any token, and answers 404 for another tenant's id", async () => {
    const w = world();
    const id = await connect(w);
    const list = await listConnections(w.deps, "acme");
    expect(list).toHaveLength(1);
    const json = JSON.stringify([
      list,
      await getConnection(w.deps, "acme", id),
      await listConnectionTargets(w.deps, "acme", id),
    ]);
    expect(json).not.toMatch(/EAAB|hv1\./);
    expect(list[0]).toMatchObject({ id, status: "ACTIVE", hasRefreshToken: false });
    await expect(getConnection(w.deps, "globex", id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listConnectionTargets(w.deps, "globex", id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await listConnections(w.deps, "globex")).toEqual([]);
  });

  it("refreshes targets with the decrypted user token: new ones appear, gone ones are disconnected", async () => {
    const w = world();
    const id = await connect(w);
    w.meta.targets = [
      {
        platform: "facebook",
        kind: "facebook_page",
        externalId: "page-2",
        name: "Page Two",
        token: "EAAB-page-2",
      },
    ];
    const out = await refreshConnectionTargets(w.deps, "acme", id);
    expect(out.map((t) => [t.externalId, t.status])).toEqual([["page-2", "ACTIVE"]]);
    expect(w.meta.calls.find((c) => c.op === "listTargets")?.args).toBe("EAAB-long-lived-user-token");
    const all = await listConnectionTargets(w.deps, "acme", id);
    expect(
      all
        .filter((t) => t.status === "DISCONNECTED")
        .map((t) => t.externalId)
        .sort(),
    ).toEqual(["ig-1", "page-1"]);
  });

  it("disconnects: revokes at the provider, erases every token, disconnects targets, audits and emits an event", async () => {
    const w = world();
    const id = await connect(w);
    const out = await disconnectConnection(w.deps, {
      tenantId: "acme",
      id,
      actor: { type: "user", id: "user-2" },
    });
    expect(out.revokedAtProvider).toBe(true);
    expect(w.meta.calls.find((c) => c.op === "revoke")?.args).toBe("EAAB-long-lived-user-token");
    const c = (await w.connections.get("acme", id))!;
    expect(c.status).toBe("DISCONNECTED");
    expect(c.accessToken).toBeUndefined();
    expect(c.refreshToken).toBeUndefined();
    const targets = await w.targets.listByConnection("acme", id);
    expect(targets.every((t) => t.status === "DISCONNECTED" && t.token === undefined)).toBe(true);
    expect(w.audit.items.slice(-2).map((e) => [e.type, e.outcome, e.actor.id])).toEqual([
      ["revoked", "success", "user-2"],
      ["disconnected", "success", "user-2"],
    ]);
    expect(w.events.sent).toEqual([
      expect.objectContaining({
        connectionId: id,
        reason: "disconnected",
        targetIds: targets.map((t) => t.id),
      }),
    ]);
    await expect(refreshConnectionTargets(w.deps, "acme", id)).rejects.toBeInstanceOf(ConflictError);
    // Idempotent: nothing more to erase or audit; the event is sent again (its consumer is idempotent).
    const audited = w.audit.items.length;
    await disconnectConnection(w.deps, { tenantId: "acme", id, actor: { type: "user", id: "user-2" } });
    expect(w.audit.items).toHaveLength(audited);
    expect(w.events.sent).toHaveLength(2);
    expect(w.events.sent[1]).toEqual(w.events.sent[0]);
  });

  it("announces a disconnect again when DELETE is repeated, so a lost first event can be recovered", async () => {
    const w = world();
    const id = await connect(w);
    const targetIds = (await w.targets.listByConnection("acme", id)).map((t) => t.id);
    w.events.failWith = new Error("EventBridge unreachable");
    await expect(
      disconnectConnection(w.deps, { tenantId: "acme", id, actor: { type: "user", id: "u9" } }),
    ).rejects.toThrow(/unreachable/);
    // The tokens are gone and the connection is DISCONNECTED, but nothing reached the bus.
    expect((await w.connections.get("acme", id))?.status).toBe("DISCONNECTED");
    expect(w.events.sent).toEqual([]);
    w.events.failWith = undefined;
    await disconnectConnection(w.deps, { tenantId: "acme", id, actor: { type: "user", id: "u9" } });
    expect(w.events.sent).toEqual([
      expect.objectContaining({ connectionId: id, reason: "disconnected", targetIds }),
    ]);
  });

  it("announces the targets a refresh lost (revoked) and the ones it found again (restored)", async () => {
    const w = world();
    const id = await connect(w);
    const before = await w.targets.listByConnection("acme", id);
    const page = before.find((t) => t.kind === "facebook_page")!;
    const ig = before.find((t) => t.kind === "instagram_account")!;
    const all = w.meta.account.targets;
    w.meta.targets = [...all].filter((t) => t.kind === "facebook_page");
    await refreshConnectionTargets(w.deps, "acme", id, { correlationId: "corr-r" });
    expect(w.events.sent).toEqual([
      expect.objectContaining({
        connectionId: id,
        targetIds: [ig.id],
        reason: "revoked",
        why: expect.stringMatching(/no longer lists/),
        correlationId: "corr-r",
      }),
    ]);
    expect(w.events.restoredSent).toEqual([]);
    // The Instagram account is reachable again: its deliveries may go back on schedule.
    w.meta.targets = [...all];
    await refreshConnectionTargets(w.deps, "acme", id);
    expect(w.events.sent).toHaveLength(1);
    expect(w.events.restoredSent).toEqual([
      expect.objectContaining({ connectionId: id, provider: "meta", targetIds: [ig.id] }),
    ]);
    expect(page.status).toBe("ACTIVE");
  });

  it("erases tokens even when the provider cannot be reached to revoke", async () => {
    const w = world();
    const id = await connect(w, "linkedin");
    w.linkedin.revokeError = new ProviderNetworkError("down", {
      provider: "linkedin",
      classification: "transient",
    });
    const out = await disconnectConnection(w.deps, {
      tenantId: "acme",
      id,
      actor: { type: "user", id: "u" },
    });
    expect(out.revokedAtProvider).toBe(false);
    expect((await w.connections.get("acme", id))!.refreshToken).toBeUndefined();
    expect(w.audit.items.find((e) => e.type === "revoked")).toMatchObject({
      outcome: "failure",
      reason: "linkedin:network",
    });
  });

  it("refuses to disconnect another tenant's connection", async () => {
    const w = world();
    const id = await connect(w);
    await expect(
      disconnectConnection(w.deps, { tenantId: "globex", id, actor: { type: "user", id: "x" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await w.connections.get("acme", id))!.status).toBe("ACTIVE");
  });

  it("a target refresh whose stored token cannot be decrypted flags the connection and answers 409 with reconnect", async () => {
    const w = world();
    const id = await connect(w);
    const c = (await w.connections.get("acme", id))!;
    w.connections.items.set(`acme|${id}`, {
      ...c,
      // The last characters of the GCM ciphertext+tag changed: the tag no longer authenticates.
      accessToken: `${c.accessToken!.slice(0, -2)}${c.accessToken!.endsWith("AA") ? "BB" : "AA"}`,
    });
    const error = await refreshConnectionTargets(w.deps, "acme", id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).extensions).toMatchObject({
      status: "NEEDS_REAUTH",
      action: { type: "reconnect", message: expect.stringContaining("POST /v1/connections/meta/authorize") },
    });
    expect(w.meta.calls.some((call) => call.op === "listTargets")).toBe(false);
    expect((await w.connections.get("acme", id))?.status).toBe("NEEDS_REAUTH");
    expect(w.events.sent).toEqual([expect.objectContaining({ connectionId: id, reason: "needs_reauth" })]);
  });
});
