import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LinkedInApiError } from "../../../functions/providers/errors.js";
import { LinkedInClient, pkceChallenge, pkcePair } from "../../../functions/providers/linkedin/client.js";
import { type FakeServer, startFakeServer } from "../../support/fake-server.js";

let server: FakeServer;
let client: LinkedInClient;
const credentials = { clientId: "li-client", clientSecret: "fake-li-secret" };

beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  client = new LinkedInClient({
    apiUrl: `${server.url}/linkedin/api`,
    wwwUrl: `${server.url}/linkedin/www`,
    version: "202601",
    credentials,
  });
});

const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe("LinkedIn client", () => {
  it("builds the authorization URL with a PKCE S256 challenge when given one", () => {
    const { verifier, challenge } = pkcePair();
    expect(challenge).toBe(pkceChallenge(verifier));
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = new URL(
      client.authorizationUrl({
        redirectUri: "https://api/cb",
        state: "S",
        scopes: ["openid", "w_member_social"],
        codeChallenge: challenge,
      }),
    );
    expect(url.pathname).toBe("/linkedin/www/oauth/v2/authorization");
    expect(url.searchParams.get("scope")).toBe("openid w_member_social");
    expect(url.searchParams.get("code_challenge")).toBe(challenge);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const plain = new URL(
      client.authorizationUrl({ redirectUri: "https://api/cb", state: "S", scopes: ["openid"] }),
    );
    expect(plain.searchParams.has("code_challenge")).toBe(false);
  });

  it("exchanges a code (form post with client credentials and verifier) and parses comma scopes", async () => {
    server.handle(() => ({
      json: {
        access_token: "AQ1",
        expires_in: 5184000,
        refresh_token: "RT1",
        refresh_token_expires_in: 31536000,
        scope: "openid,w_member_social",
      },
    }));
    const grant = await client.exchangeCode("CODE", "https://api/cb", "VERIFIER");
    expect(grant).toEqual({
      accessToken: "AQ1",
      expiresIn: 5184000,
      refreshToken: "RT1",
      refreshTokenExpiresIn: 31536000,
      scopes: ["openid", "w_member_social"],
    });
    const req = server.requests[0]!;
    expect(req.url.pathname).toBe("/linkedin/www/oauth/v2/accessToken");
    expect(form(req.body)).toEqual({
      grant_type: "authorization_code",
      code: "CODE",
      redirect_uri: "https://api/cb",
      code_verifier: "VERIFIER",
      client_id: "li-client",
      client_secret: "fake-li-secret",
    });
  });

  it("classifies a refused refresh token as revoked, but a refused code as auth", async () => {
    server.handle(() => ({
      status: 400,
      json: {
        error: "invalid_request",
        error_description: "The provided authorization grant or refresh token is invalid, expired or revoked",
      },
    }));
    await expect(client.refresh("RT")).rejects.toMatchObject({
      classification: "revoked",
      code: "invalid_request",
    });
    await expect(client.exchangeCode("C", "https://api/cb")).rejects.toMatchObject({
      classification: "auth",
    });
  });

  it("sends the version and Rest.li headers on /rest calls only", async () => {
    server.handle((r) =>
      r.url.pathname.endsWith("/v2/userinfo")
        ? {
            json: {
              sub: "abc",
              name: "Ada",
              picture: "https://x/p.jpg",
              locale: { country: "US", language: "en" },
            },
          }
        : { json: { localizedName: "Acme", vanityName: "acme" } },
    );
    expect(await client.userinfo("T")).toEqual({
      sub: "abc",
      name: "Ada",
      pictureUrl: "https://x/p.jpg",
      email: undefined,
    });
    expect(server.requests[0]!.headers["linkedin-version"]).toBeUndefined();
    await client.organization("T", "42");
    const rest = server.requests[1]!;
    expect(rest.url.pathname).toBe("/linkedin/api/rest/organizations/42");
    expect(rest.headers["linkedin-version"]).toBe("202601");
    expect(rest.headers["x-restli-protocol-version"]).toBe("2.0.0");
    expect(rest.headers.authorization).toBe("Bearer T");
  });

  it("pages through organizationAcls and names each organisation", async () => {
    server.handle((r) => {
      if (r.url.pathname.endsWith("/rest/organizationAcls")) {
        const start = Number(r.url.searchParams.get("start"));
        const all = Array.from({ length: 101 }, (_, i) => ({
          organization: `urn:li:organization:${i + 1}`,
          roleAssignee: "urn:li:person:abc",
          role: "ADMINISTRATOR",
          state: "APPROVED",
        }));
        return {
          json: { elements: all.slice(start, start + 100), paging: { start, count: 100, total: 101 } },
        };
      }
      const id = r.url.pathname.split("/").pop();
      return { json: { localizedName: `Org ${id}` } };
    });
    const orgs = await client.administeredOrganizations("T");
    expect(orgs).toHaveLength(101);
    expect(orgs[100]).toEqual({
      id: "101",
      urn: "urn:li:organization:101",
      role: "ADMINISTRATOR",
      name: "Org 101",
      vanityName: undefined,
    });
    const acl = server.requests.filter((r) => r.url.pathname.endsWith("organizationAcls"));
    expect(acl.map((r) => r.url.searchParams.get("start"))).toEqual(["0", "100"]);
    expect(acl[0]!.url.searchParams.get("role")).toBe("ADMINISTRATOR");
  });

  it("introspects a token", async () => {
    server.handle(() => ({
      json: { active: true, status: "active", expires_at: 1_900_000_000, scope: "openid,w_member_social" },
    }));
    expect(await client.introspect("T")).toEqual({
      active: true,
      status: "active",
      expiresAt: 1_900_000_000,
      scopes: ["openid", "w_member_social"],
    });
    expect(form(server.requests[0]!.body).token).toBe("T");
  });

  it.each([
    [
      401,
      { status: 401, serviceErrorCode: 65601, code: "REVOKED_ACCESS_TOKEN", message: "revoked" },
      "revoked",
    ],
    [
      401,
      { status: 401, serviceErrorCode: 65602, code: "EXPIRED_ACCESS_TOKEN", message: "expired" },
      "revoked",
    ],
    [403, { status: 403, serviceErrorCode: 100, code: "ACCESS_DENIED", message: "no" }, "auth"],
    [429, { status: 429, message: "Resource level throttle APPLICATION DAY limit" }, "rate_limited"],
    [503, undefined, "transient"],
    [
      426,
      { status: 426, code: "NONEXISTENT_VERSION", message: "Requested version 20241101 is not active" },
      "permanent",
    ],
  ] as const)("turns HTTP %s into a %s LinkedInApiError", async (status, json, classification) => {
    server.handle(() => ({ status, json }));
    const error = await client.userinfo("T").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkedInApiError);
    expect(error).toMatchObject({ provider: "linkedin", status, classification });
    if (json && "serviceErrorCode" in json)
      expect((error as LinkedInApiError).code).toBe(json.serviceErrorCode);
  });
});
