/**
 * The OAuth flow against the local stack and the provider sandbox: a good connect, and every
 * kind of bad callback (replayed, forged, expired, cross-tenant, denied) storing nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, tokenFor } from "../../support/stack.js";
import {
  adminToken,
  authorize,
  callback,
  connect,
  consent,
  getJson,
  newTenant,
  putItem,
  stateItem,
  tenantItems,
} from "./helpers.js";

const tenant = newTenant("it-oauth");
const other = newTenant("it-oauth-other");
let token: string;
let otherToken: string;

const connectionItems = async (t: string) =>
  (await tenantItems(t)).filter((i) => /#(CONNECTION|TARGET|ACCOUNT|TOKENAUDIT)#/.test(String(i.PK)));

beforeAll(async () => {
  token = await adminToken(tenant);
  otherToken = await adminToken(other);
});

describe("connect a Meta account", () => {
  it("stores the connection with its Pages and Instagram accounts and redirects back with its id", async () => {
    const { authorizationUrl, state, expiresAt } = await authorize(token, "meta");
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    const stored = await stateItem(state);
    expect(stored).toMatchObject({
      tenantId: tenant,
      provider: "meta",
      returnUrl: expect.stringContaining("127.0.0.1"),
    });

    const back = await callback(await consent("meta", authorizationUrl));
    expect(back.status).toBe(302);
    const location = new URL(back.location!);
    expect(location.origin + location.pathname).toBe("http://127.0.0.1:5173/settings/connections");
    const id = location.searchParams.get("connectionId")!;
    expect(id).toMatch(/^con_/);
    expect(await stateItem(state)).toBeUndefined();

    const conn = await getJson<Record<string, unknown>>(`/v1/connections/${id}`, token);
    expect(conn.status).toBe(200);
    expect(conn.body).toMatchObject({ id, provider: "meta", status: "ACTIVE", connectedBy: "admin-1" });
    expect(conn.body.scopes).toEqual(
      expect.arrayContaining(["pages_manage_posts", "instagram_content_publish"]),
    );
    expect(JSON.stringify(conn.body)).not.toMatch(/EAAB|hv1\./);

    const targets = await getJson<{ items: { kind: string; status: string }[] }>(
      `/v1/connections/${id}/targets`,
      token,
    );
    expect(targets.status).toBe(200);
    const kinds = new Set(targets.body.items.map((t) => t.kind));
    expect(kinds).toEqual(new Set(["facebook_page", "instagram_account"]));
    expect(targets.body.items.every((t) => t.status === "ACTIVE")).toBe(true);
    expect(JSON.stringify(targets.body)).not.toMatch(/EAAB|hv1\./);
  });

  it("updates the same connection in place when the account connects again", async () => {
    const first = await connect(token, "meta");
    const before = await getJson<{ items: { id: string }[] }>(`/v1/connections/${first}/targets`, token);
    const again = await connect(token, "meta");
    expect(again).toBe(first);
    const after = await getJson<{ items: { id: string }[] }>(`/v1/connections/${first}/targets`, token);
    expect(after.body.items.map((t) => t.id).sort()).toEqual(before.body.items.map((t) => t.id).sort());
    const list = await getJson<{ items: { id: string; provider: string }[] }>("/v1/connections", token);
    expect(list.body.items.filter((c) => c.provider === "meta")).toHaveLength(1);
  });
});

describe("refused callbacks store nothing", () => {
  it("a replayed state gets a plain page and changes nothing", async () => {
    const { authorizationUrl } = await authorize(otherToken, "meta");
    const location = await consent("meta", authorizationUrl);
    expect((await callback(location)).status).toBe(302);
    const before = await connectionItems(other);
    const replay = await callback(location);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("content-type")).toMatch(/text\/html/);
    expect(replay.text).toMatch(/already used/);
    expect(await connectionItems(other)).toEqual(before);
  });

  it("a forged or missing state gets a plain page", async () => {
    const t = newTenant("it-forged");
    const tk = await adminToken(t);
    const { authorizationUrl } = await authorize(tk, "meta");
    const location = new URL(await consent("meta", authorizationUrl));
    location.searchParams.set("state", Buffer.alloc(32, 1).toString("base64url"));
    const forged = await callback(location.toString());
    expect(forged.status).toBe(400);
    location.searchParams.delete("state");
    expect((await callback(location.toString())).status).toBe(400);
    expect(await connectionItems(t)).toEqual([]);
  });

  it("an expired state (still present: TTL deletes lag) redirects with state_expired", async () => {
    const t = newTenant("it-expired");
    const tk = await adminToken(t);
    const { authorizationUrl, state } = await authorize(tk, "meta");
    const item = (await stateItem(state))!;
    await putItem({ ...item, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const back = await callback(await consent("meta", authorizationUrl));
    expect(back.status).toBe(302);
    expect(new URL(back.location!).searchParams.get("error")).toBe("state_expired");
    expect(await connectionItems(t)).toEqual([]);
    expect(await stateItem(state)).toBeUndefined();
  });

  it("a denied consent redirects with access_denied", async () => {
    const t = newTenant("it-denied");
    const tk = await adminToken(t);
    for (const provider of ["meta", "linkedin"] as const) {
      const { authorizationUrl } = await authorize(tk, provider);
      const back = await callback(await consent(provider, authorizationUrl, false));
      expect(back.status).toBe(302);
      expect(new URL(back.location!).searchParams.get("error")).toBe("access_denied");
    }
    expect(await connectionItems(t)).toEqual([]);
  });

  it("cross-tenant: a state completes only into the tenant that issued it, and others cannot see or touch it", async () => {
    const a = newTenant("it-xa");
    const b = newTenant("it-xb");
    const ta = await adminToken(a);
    const tb = await adminToken(b);
    const id = await connect(ta, "linkedin");
    expect(await connectionItems(b)).toEqual([]);
    expect((await getJson(`/v1/connections/${id}`, tb)).status).toBe(404);
    expect((await getJson(`/v1/connections/${id}/targets`, tb)).status).toBe(404);
    expect((await api(`/v1/connections/${id}`, { method: "DELETE", token: tb })).status).toBe(404);
    expect((await getJson<{ items: unknown[] }>("/v1/connections", tb)).body.items).toEqual([]);
    expect((await getJson(`/v1/connections/${id}`, ta)).status).toBe(200);
    // A state used on the other provider's callback is refused (and consumed).
    const { authorizationUrl } = await authorize(tb, "meta");
    const location = new URL(await consent("meta", authorizationUrl));
    const wrong = new URL(
      location.toString().replace("/v1/oauth/meta/callback", "/v1/oauth/linkedin/callback"),
    );
    const back = await callback(wrong.toString());
    expect(new URL(back.location!).searchParams.get("error")).toBe("invalid_state");
    expect(await connectionItems(b)).toEqual([]);
  });

  it("refuses a return URL outside the allow-list and editors", async () => {
    const res = await api("/v1/connections/meta/authorize", {
      method: "POST",
      token,
      json: { returnUrl: "https://evil.example/steal" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: { code: string }[] }).issues[0]!.code).toBe(
      "return_url_not_allowed",
    );
    const editor = await tokenFor({ tenant, roles: ["editor"], sub: "ed" });
    const forbidden = await api("/v1/connections/meta/authorize", {
      method: "POST",
      token: editor,
      json: { returnUrl: "http://127.0.0.1:5173/settings/connections" },
    });
    expect(forbidden.status).toBe(403);
  });
});
