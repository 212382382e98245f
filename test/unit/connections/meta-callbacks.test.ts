import { describe, expect, it } from "vitest";
import { signRequest, verifySignedRequest } from "../../../functions/connections/domain/signed-request.js";
import { startAuthorization } from "../../../functions/connections/use-cases/authorize.js";
import { completeAuthorization } from "../../../functions/connections/use-cases/callback.js";
import {
  metaDataDeletion,
  metaDataDeletionStatus,
  metaDeauthorize,
} from "../../../functions/connections/use-cases/meta-callbacks.js";
import { NotFoundError, UnauthorizedError } from "../../../functions/platform/errors.js";
import { world } from "./in-memory.js";

const SECRET = "current-app-secret";
const OLD = "previous-app-secret";
const payload = { user_id: "fb-user-1", algorithm: "HMAC-SHA256", issued_at: 1_800_000_000 };

function metaWorld() {
  const w = world();
  w.deps.returnUrls = { allowedPrefixes: async () => ["https://app.test/"] };
  return { ...w, cbDeps: { ...w.deps, appSecrets: async () => [SECRET, OLD] } };
}

async function connect(w: ReturnType<typeof metaWorld>, tenantId: string) {
  const out = await startAuthorization(w.deps, {
    auth: { tenantId, userId: "u", roles: ["admin"] },
    provider: "meta",
    preset: "publish",
    returnUrl: "https://app.test/x",
  });
  const state = new URL(out.authorizationUrl).searchParams.get("state")!;
  return ((await completeAuthorization(w.deps, "meta", { code: "C", state })) as { connectionId: string })
    .connectionId;
}

describe("signed_request", () => {
  it("verifies with the current or the previous secret and refuses anything else", () => {
    expect(verifySignedRequest(signRequest(payload, SECRET), [SECRET, OLD])?.user_id).toBe("fb-user-1");
    expect(verifySignedRequest(signRequest(payload, OLD), [SECRET, OLD])?.user_id).toBe("fb-user-1");
    expect(verifySignedRequest(signRequest(payload, "other"), [SECRET, OLD])).toBeUndefined();
    const good = signRequest(payload, SECRET);
    const [sig, body] = good.split(".");
    const forgedBody = Buffer.from(JSON.stringify({ ...payload, user_id: "someone-else" })).toString(
      "base64url",
    );
    expect(verifySignedRequest(`${sig}.${forgedBody}`, [SECRET])).toBeUndefined();
    expect(verifySignedRequest(`${sig}.${body}.x`, [SECRET])).toBeUndefined();
    expect(verifySignedRequest("", [SECRET])).toBeUndefined();
    expect(
      verifySignedRequest(signRequest({ ...payload, algorithm: "none" }, SECRET), [SECRET]),
    ).toBeUndefined();
    expect(verifySignedRequest(signRequest({ algorithm: "HMAC-SHA256" }, SECRET), [SECRET])).toBeUndefined();
  });
});

describe("Meta callbacks", () => {
  it("deauthorize revokes the user's connections in every tenant and erases their tokens", async () => {
    const w = metaWorld();
    const a = await connect(w, "acme");
    const g = await connect(w, "globex");
    const out = await metaDeauthorize(w.cbDeps, signRequest(payload, SECRET));
    expect(out.affected).toBe(2);
    for (const [t, id] of [
      ["acme", a],
      ["globex", g],
    ] as const) {
      const c = (await w.connections.get(t, id))!;
      expect(c.status).toBe("REVOKED");
      expect(c.accessToken).toBeUndefined();
      expect(c.action?.type).toBe("reconnect");
      const targets = await w.targets.listByConnection(t, id);
      expect(targets.every((x) => x.token === undefined && x.status === "NEEDS_REAUTH")).toBe(true);
    }
    expect(w.audit.items.filter((e) => e.type === "revoked").map((e) => e.actor)).toEqual([
      { type: "provider", id: "meta:deauthorize" },
      { type: "provider", id: "meta:deauthorize" },
    ]);
    expect(w.events.sent.map((e) => e.reason)).toEqual(["revoked", "revoked"]);
  });

  it("refuses an unsigned or badly signed request and changes nothing", async () => {
    const w = metaWorld();
    const id = await connect(w, "acme");
    await expect(metaDeauthorize(w.cbDeps, undefined)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(metaDeauthorize(w.cbDeps, signRequest(payload, "wrong"))).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    expect((await w.connections.get("acme", id))!.status).toBe("ACTIVE");
  });

  it("data deletion erases, answers a status URL and code, and the status is readable", async () => {
    const w = metaWorld();
    const id = await connect(w, "acme");
    const out = await metaDataDeletion(w.cbDeps, signRequest(payload, SECRET), "https://api.herald.test");
    expect(out.url).toBe(`https://api.herald.test/v1/meta/data-deletion/${out.confirmation_code}`);
    const c = (await w.connections.get("acme", id))!;
    expect(c.accessToken).toBeUndefined();
    expect(c.displayName).toBeUndefined();
    expect((await w.targets.listByConnection("acme", id)).every((t) => t.status === "DISCONNECTED")).toBe(
      true,
    );
    expect(await metaDataDeletionStatus(w.cbDeps, out.confirmation_code)).toMatchObject({
      status: "completed",
    });
    await expect(metaDataDeletionStatus(w.cbDeps, "unknown-code")).rejects.toBeInstanceOf(NotFoundError);
  });
});
