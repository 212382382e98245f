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

/**
 * Known-answer vector for Meta's `signed_request`, built by hand from the documented algorithm
 * (developers.facebook.com/docs/development/create-an-app/app-dashboard/data-deletion-callback/:
 * `<base64url(HMAC-SHA256(app secret, encoded payload))>.<base64url(payload JSON)>`, no padding)
 * and the payload Meta documents there. Meta publishes no signature with its secret, so the
 * values were computed independently of this project's code, with coreutils and OpenSSL:
 *
 *   P=$(printf '%s' '<payload JSON>' | base64 -w0 | tr '+/' '-_' | tr -d '=')
 *   printf '%s' "$P" | openssl dgst -sha256 -hmac 'herald-test-app-secret' -binary | base64 -w0 | tr '+/' '-_' | tr -d '='
 *   (hex: ade53e8b8af1c904733693645f6e7cc1d2f69fb208357d488bc731f9317eb40b)
 */
const KAT = {
  secret: "herald-test-app-secret",
  previousSecret: "herald-previous-secret",
  payloadJson: '{"user_id":"218471","algorithm":"HMAC-SHA256","issued_at":1291836800,"expires":1291840400}',
  encodedPayload:
    "eyJ1c2VyX2lkIjoiMjE4NDcxIiwiYWxnb3JpdGhtIjoiSE1BQy1TSEEyNTYiLCJpc3N1ZWRfYXQiOjEyOTE4MzY4MDAsImV4cGlyZXMiOjEyOTE4NDA0MDB9",
  signature: "reU-i4rxyQRzNpNkX258wdL2n7IINX1Ii8cx-TF-tAs",
  /** The same payload signed with `previousSecret` (same commands). */
  signatureByPrevious: "975EzZebCrBCkaIfFN1K7fhypxeGEH81b9AI0-MvK68",
} as const;
const katRequest = `${KAT.signature}.${KAT.encodedPayload}`;

describe("signed_request (known-answer vector)", () => {
  it("accepts the hand-computed vector and returns Meta's documented payload", () => {
    expect(verifySignedRequest(katRequest, [KAT.secret])).toEqual(JSON.parse(KAT.payloadJson));
  });

  it("accepts the vector signed with the previous secret while both are configured (rotation)", () => {
    const byPrevious = `${KAT.signatureByPrevious}.${KAT.encodedPayload}`;
    expect(verifySignedRequest(byPrevious, [KAT.secret, KAT.previousSecret])?.user_id).toBe("218471");
    expect(verifySignedRequest(byPrevious, [KAT.secret])).toBeUndefined();
  });

  it("refuses the vector under another secret", () => {
    expect(verifySignedRequest(katRequest, ["another-secret"])).toBeUndefined();
  });

  it("refuses the vector's signature on a payload with one character changed", () => {
    const forged = KAT.encodedPayload.replace("MjE4NDcx", "MjE4NDcy"); // user_id 218471 → 218472
    expect(forged).not.toBe(KAT.encodedPayload);
    expect(verifySignedRequest(`${KAT.signature}.${forged}`, [KAT.secret])).toBeUndefined();
  });

  it("refuses a request that is not exactly two dot-separated parts", () => {
    expect(verifySignedRequest(`${katRequest}.x`, [KAT.secret])).toBeUndefined();
    expect(verifySignedRequest(KAT.encodedPayload, [KAT.secret])).toBeUndefined();
    expect(verifySignedRequest("", [KAT.secret])).toBeUndefined();
  });

  it("signs the documented payload to the same vector (the local sandbox's signer agrees with Meta's algorithm)", () => {
    expect(signRequest(JSON.parse(KAT.payloadJson) as Record<string, unknown>, KAT.secret)).toBe(katRequest);
  });
});

describe("signed_request payload checks (signed with the project's signer)", () => {
  it("refuses a correctly signed payload whose algorithm is not HMAC-SHA256", () => {
    expect(
      verifySignedRequest(signRequest({ ...payload, algorithm: "none" }, SECRET), [SECRET]),
    ).toBeUndefined();
  });

  it("refuses a correctly signed payload without a user_id", () => {
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
