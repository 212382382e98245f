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
    // Idempotent.
    await disconnectConnection(w.deps, { tenantId: "acme", id, actor: { type: "user", id: "user-2" } });
    expect(w.events.sent).toHaveLength(1);
  });

  it("blocks what was scheduled to the disconnected targets, with the reconnect action", async () => {
    const w = world();
    const id = await connect(w);
    const calls: { targetIds: readonly string[]; action: { message: string }; by: string }[] = [];
    const deps = {
      ...w.deps,
      blocker: {
        blockForTargets: async (input: (typeof calls)[number]) => {
          calls.push(input);
          return 2;
        },
        unblockForTargets: async () => 0,
      },
    };
    const out = await disconnectConnection(deps, { tenantId: "acme", id, actor: { type: "user", id: "u9" } });
    expect(out.blockedDeliveries).toBe(2);
    const targetIds = (await w.targets.listByConnection("acme", id)).map((t) => t.id);
    expect(calls).toEqual([
      expect.objectContaining({
        targetIds,
        by: "user:u9",
        action: expect.objectContaining({ type: "reconnect" }),
      }),
    ]);
    expect(w.audit.items.find((e) => e.type === "disconnected")?.details).toMatchObject({
      blockedDeliveries: 2,
    });
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
});
