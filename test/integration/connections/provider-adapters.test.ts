import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  linkedInClientFactory,
  linkedInProvider,
} from "../../../functions/connections/adapters/linkedin-provider.js";
import { metaClientFactory, metaProvider } from "../../../functions/connections/adapters/meta-provider.js";
import { type FakeServer, startFakeServer } from "../../support/fake-server.js";
import { ManualClock } from "../../unit/connections/in-memory.js";

let server: FakeServer;
const clock = new ManualClock(Date.parse("2026-11-26T10:00:00.000Z"));
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const meta = () =>
  metaProvider(
    metaClientFactory({ graphUrl: `${server.url}/g`, wwwUrl: `${server.url}/w` }, async () => ({
      appId: "1",
      appSecret: "s",
    })),
    clock,
  );
const linkedin = (pkce = false) =>
  linkedInProvider(
    linkedInClientFactory({ apiUrl: `${server.url}/api`, wwwUrl: `${server.url}/www` }, async () => ({
      clientId: "c",
      clientSecret: "s",
    })),
    clock,
    { pkce },
  );

describe("Meta provider port", () => {
  it("exchanges, upgrades to long-lived, and turns Pages and IG accounts into targets with the Page token", async () => {
    server.handle((r) => {
      const p = r.url.pathname;
      if (p.endsWith("/oauth/access_token")) {
        return r.url.searchParams.get("grant_type")
          ? { json: { access_token: "LONG", expires_in: 5_184_000 } }
          : { json: { access_token: "SHORT", expires_in: 3600 } };
      }
      if (p.endsWith("/me/permissions"))
        return { json: { data: [{ permission: "pages_show_list", status: "granted" }] } };
      if (p.endsWith("/me/accounts")) {
        return {
          json: {
            data: [
              {
                id: "p1",
                name: "P",
                access_token: "PT",
                instagram_business_account: { id: "ig", username: "u" },
              },
            ],
          },
        };
      }
      if (p.endsWith("/me")) return { json: { id: "fb-1", name: "Ada" } };
      return { status: 404, json: {} };
    });
    const account = await meta().completeAuthorization({ code: "C", redirectUri: "https://x/cb" });
    expect(account).toMatchObject({
      externalAccountId: "fb-1",
      scopes: ["pages_show_list"],
      accessToken: "LONG",
      accessTokenExpiresAt: "2027-01-25T10:00:00.000Z",
    });
    expect(account.targets.map((t) => [t.kind, t.externalId, t.token])).toEqual([
      ["facebook_page", "p1", "PT"],
      ["instagram_account", "ig", "PT"],
    ]);
  });

  it("reports a re-exchange that does not extend the expiry as not renewable", async () => {
    server.handle(() => ({ json: { access_token: "SAME", expires_in: 3600 } }));
    const out = await meta().renew({ accessToken: "T", accessTokenExpiresAt: "2026-11-27T10:00:00.000Z" });
    expect(out).toEqual({ kind: "not_renewable", reason: "meta_expiry_not_extended" });
  });
});

describe("LinkedIn provider port", () => {
  it("sends a PKCE challenge only when enabled, and the verifier on the exchange", async () => {
    const on = new URL(
      await linkedin(true).authorizationUrl({
        redirectUri: "https://x/cb",
        state: "S",
        scopes: ["openid"],
        codeVerifier: "v".repeat(43),
      }),
    );
    expect(on.searchParams.get("code_challenge_method")).toBe("S256");
    const off = new URL(
      await linkedin(false).authorizationUrl({
        redirectUri: "https://x/cb",
        state: "S",
        scopes: ["openid"],
        codeVerifier: "v".repeat(43),
      }),
    );
    expect(off.searchParams.has("code_challenge")).toBe(false);
  });

  it("retries userinfo once when LinkedIn calls a fresh token revoked (65601), and keeps the member when org access is refused", async () => {
    let userinfoCalls = 0;
    server.handle((r) => {
      const p = r.url.pathname;
      if (p.endsWith("/oauth/v2/accessToken"))
        return { json: { access_token: "AQ", expires_in: 5_184_000, scope: "openid,r_organization_admin" } };
      if (p.endsWith("/v2/userinfo")) {
        userinfoCalls++;
        return userinfoCalls === 1
          ? {
              status: 401,
              json: {
                status: 401,
                serviceErrorCode: 65601,
                code: "REVOKED_ACCESS_TOKEN",
                message: "revoked",
              },
            }
          : { json: { sub: "abc", name: "Ada" } };
      }
      if (p.endsWith("/rest/organizationAcls"))
        return {
          status: 403,
          json: { status: 403, serviceErrorCode: 100, code: "ACCESS_DENIED", message: "no" },
        };
      return { status: 404, json: {} };
    });
    const account = await linkedin().completeAuthorization({ code: "C", redirectUri: "https://x/cb" });
    expect(userinfoCalls).toBe(2);
    expect(account.targets).toEqual([
      {
        platform: "linkedin",
        kind: "linkedin_member",
        externalId: "urn:li:person:abc",
        name: "Ada",
        pictureUrl: undefined,
      },
    ]);
  });

  it("is not renewable without a refresh token", async () => {
    expect(await linkedin().renew({ accessToken: "T" })).toEqual({
      kind: "not_renewable",
      reason: "no_refresh_token",
    });
    expect(server.requests).toHaveLength(0);
  });
});
