/**
 * Herald's provider clients against the provider sandbox module (in-process, loopback,
 * ephemeral port): OAuth exchanges with and without PKCE, refresh, introspection, revocation,
 * target listing and the revoked-grant classification, as the real flows use them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LinkedInClient, pkcePair } from "../../../functions/providers/linkedin/client.js";
import { MetaClient } from "../../../functions/providers/meta/client.js";
import { providerBaseUrls, SANDBOX_APPS, startSandbox } from "../../../local/sandbox/index.js";

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let meta: MetaClient;
let linkedin: LinkedInClient;
const REDIRECT = "http://127.0.0.1:3000/v1/oauth/linkedin/callback";

const control = async (path: string, json: unknown, method = "POST") => {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(json),
  });
  return (await res.json()) as Record<string, unknown>;
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, config: { linkedin: { partnerRefreshTokens: true } } });
  const urls = providerBaseUrls(sandbox.url);
  meta = new MetaClient({ graphUrl: urls.metaGraph, wwwUrl: urls.metaWww, credentials: SANDBOX_APPS.meta });
  linkedin = new LinkedInClient({
    apiUrl: urls.linkedinApi,
    wwwUrl: urls.linkedinWww,
    credentials: SANDBOX_APPS.linkedin,
  });
});
afterAll(() => sandbox.close());

describe("Meta client × sandbox", () => {
  it("lists Pages with tokens and IG accounts, reads permissions and debug_token, and sees a removed app as revoked", async () => {
    const minted = await control("/_sandbox/meta/tokens", { userId: "100000000000002" });
    const token = String(minted.access_token ?? minted.token);
    const pages = await meta.listPages(token);
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.every((p) => p.accessToken.startsWith("EAAB"))).toBe(true);
    expect(pages.some((p) => p.instagram?.username)).toBe(true);
    expect((await meta.permissions(token)).granted).toContain("pages_show_list");
    const page = await meta.debugToken(pages[0]!.accessToken);
    expect(page).toMatchObject({ isValid: true, type: "PAGE", expiresAt: 0 });

    expect(await meta.revokePermissions(token)).toBe(true);
    await expect(meta.me(token)).rejects.toMatchObject({
      classification: "revoked",
      code: 190,
      subcode: 458,
    });
  });
});

describe("LinkedIn client × sandbox", () => {
  it("exchanges a PKCE code with its verifier (and refuses a wrong one), refreshes, introspects and revokes", async () => {
    const { verifier, challenge } = pkcePair();
    const auth = await control("/_sandbox/linkedin/authorize", {
      redirectUri: REDIRECT,
      scopes: ["openid", "profile", "w_member_social", "r_organization_admin"],
      codeChallenge: challenge,
    });
    await expect(
      linkedin.exchangeCode(String(auth.code), REDIRECT, "wrong-verifier".padEnd(43, "x")),
    ).rejects.toMatchObject({
      classification: "auth",
    });
    const again = await control("/_sandbox/linkedin/authorize", {
      redirectUri: REDIRECT,
      scopes: ["openid", "profile", "w_member_social", "r_organization_admin"],
      codeChallenge: challenge,
    });
    const grant = await linkedin.exchangeCode(String(again.code), REDIRECT, verifier);
    expect(grant.refreshToken).toBeDefined();
    expect(grant.scopes).toContain("w_member_social");

    const me = await linkedin.userinfo(grant.accessToken);
    expect(me.sub).toMatch(/\w+/);
    const orgs = await linkedin.administeredOrganizations(grant.accessToken);
    expect(orgs.length).toBeGreaterThan(0);
    expect(orgs[0]!.urn).toMatch(/^urn:li:organization:\d+$/);

    const refreshed = await linkedin.refresh(grant.refreshToken!);
    expect(refreshed.accessToken).not.toBe(grant.accessToken);
    expect((await linkedin.introspect(refreshed.accessToken)).active).toBe(true);

    await linkedin.revoke(refreshed.accessToken);
    expect((await linkedin.introspect(refreshed.accessToken)).active).toBe(false);
    await expect(linkedin.userinfo(refreshed.accessToken)).rejects.toMatchObject({
      classification: "revoked",
      status: 401,
    });
    await control(`/_sandbox/linkedin/members/${me.sub}/revoke`, {});
    await expect(linkedin.refresh(grant.refreshToken!)).rejects.toMatchObject({ classification: "revoked" });
  });
});
