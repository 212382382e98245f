import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MetaApiError, ProviderNetworkError } from "../../../functions/providers/errors.js";
import { MetaClient } from "../../../functions/providers/meta/client.js";
import { classifyMetaError } from "../../../functions/providers/meta/errors.js";
import { type FakeServer, startFakeServer } from "../../support/fake-server.js";

const credentials = { appId: "1234", appSecret: "fake-app-secret" };
let server: FakeServer;
let client: MetaClient;

beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  client = new MetaClient({
    graphUrl: `${server.url}/meta/graph`,
    wwwUrl: `${server.url}/meta/www`,
    version: "v25.0",
    credentials,
    timeoutMs: 300,
  });
});

const graphError = (code: number, subcode?: number, extra: Record<string, unknown> = {}) => ({
  status: 400,
  json: {
    error: {
      message: `(#${code}) boom`,
      type: "OAuthException",
      code,
      error_subcode: subcode,
      fbtrace_id: "T1",
      ...extra,
    },
  },
});

describe("Meta client", () => {
  it("builds the login dialog URL on the www host with the configured version", () => {
    const url = new URL(
      client.authorizationUrl({ redirectUri: "https://api.example/cb", state: "s1", scopes: ["a", "b"] }),
    );
    expect(url.origin + url.pathname).toBe(`${server.url}/meta/www/v25.0/dialog/oauth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "1234",
      redirect_uri: "https://api.example/cb",
      state: "s1",
      scope: "a,b",
      response_type: "code",
    });
  });

  it("exchanges a code and then upgrades to a long-lived token", async () => {
    server.handle((r) =>
      r.url.searchParams.get("grant_type") === "fb_exchange_token"
        ? { json: { access_token: "LONG", token_type: "bearer", expires_in: 5183944 } }
        : { json: { access_token: "SHORT", token_type: "bearer", expires_in: 3600 } },
    );
    expect(await client.exchangeCode("CODE", "https://api.example/cb")).toEqual({
      accessToken: "SHORT",
      expiresIn: 3600,
    });
    expect(await client.exchangeForLongLived("SHORT")).toEqual({ accessToken: "LONG", expiresIn: 5183944 });
    const [first, second] = server.requests;
    expect(first!.url.pathname).toBe("/meta/graph/v25.0/oauth/access_token");
    expect(first!.url.searchParams.get("code")).toBe("CODE");
    expect(first!.url.searchParams.get("client_secret")).toBe("fake-app-secret");
    expect(second!.url.searchParams.get("fb_exchange_token")).toBe("SHORT");
  });

  it("sends user tokens as a bearer header with appsecret_proof, never in the URL", async () => {
    server.handle(() => ({ json: { id: "u1", name: "Ada" } }));
    expect(await client.me("USER-TOKEN")).toEqual({ id: "u1", name: "Ada" });
    const req = server.requests[0]!;
    expect(req.headers.authorization).toBe("Bearer USER-TOKEN");
    expect(req.url.toString()).not.toContain("USER-TOKEN");
    expect(req.url.searchParams.get("appsecret_proof")).toBe(
      createHmac("sha256", "fake-app-secret").update("USER-TOKEN").digest("hex"),
    );
  });

  it("lists pages across cursor pages, with IG accounts (fetching a profile the listing did not expand)", async () => {
    server.handle((r) => {
      if (r.url.pathname.endsWith("/me/accounts") && !r.url.searchParams.get("after")) {
        return {
          json: {
            data: [
              {
                id: "p1",
                name: "Page One",
                access_token: "PT1",
                tasks: ["CREATE_CONTENT"],
                instagram_business_account: { id: "ig1", username: "one" },
              },
              { id: "broken-no-token", name: "x" },
            ],
            paging: { cursors: { after: "CUR1" }, next: "https://graph.facebook.com/next" },
          },
        };
      }
      if (r.url.pathname.endsWith("/me/accounts")) {
        return {
          json: {
            data: [
              { id: "p2", name: "Page Two", access_token: "PT2", instagram_business_account: { id: "ig2" } },
            ],
            paging: { cursors: { after: "CUR2" } },
          },
        };
      }
      if (r.url.pathname.endsWith("/ig2")) return { json: { id: "ig2", username: "two", name: "Two" } };
      return { status: 404, json: {} };
    });
    const pages = await client.listPages("UT");
    expect(pages.map((p) => [p.id, p.accessToken, p.instagram?.id, p.instagram?.username])).toEqual([
      ["p1", "PT1", "ig1", "one"],
      ["p2", "PT2", "ig2", "two"],
    ]);
    expect(server.requests[1]!.url.searchParams.get("after")).toBe("CUR1");
    // The IG profile is read with that page's token.
    expect(server.requests[2]!.headers.authorization).toBe("Bearer PT2");
    // paging.next pointed at another host: it was never fetched.
    expect(server.requests.every((r) => r.url.pathname.startsWith("/meta/graph/"))).toBe(true);
  });

  it("reads permissions and debug_token, and revokes", async () => {
    server.handle((r) => {
      if (r.url.pathname.endsWith("/me/permissions") && r.method === "GET") {
        return {
          json: {
            data: [
              { permission: "pages_show_list", status: "granted" },
              { permission: "read_insights", status: "declined" },
            ],
          },
        };
      }
      if (r.url.pathname.endsWith("/me/permissions") && r.method === "DELETE")
        return { json: { success: true } };
      return {
        json: {
          data: { app_id: "1234", type: "USER", is_valid: true, expires_at: 0, scopes: ["a"], user_id: "u1" },
        },
      };
    });
    expect(await client.permissions("UT")).toEqual({
      granted: ["pages_show_list"],
      declined: ["read_insights"],
    });
    const info = await client.debugToken("PAGE-T");
    expect(info).toMatchObject({ isValid: true, expiresAt: 0, scopes: ["a"], userId: "u1" });
    expect(server.requests[1]!.headers.authorization).toBe("Bearer 1234|fake-app-secret");
    expect(server.requests[1]!.url.searchParams.get("input_token")).toBe("PAGE-T");
    expect(await client.revokePermissions("UT")).toBe(true);
  });

  it.each([
    [190, 460, "revoked"],
    [190, 458, "revoked"],
    [190, 467, "revoked"],
    [190, 492, "revoked"],
    [190, 463, "revoked"],
    [1, undefined, "transient"],
    [2, undefined, "transient"],
    [4, undefined, "rate_limited"],
    [80001, undefined, "rate_limited"],
    [200, undefined, "auth"],
    [100, 36009, "auth"],
    [100, undefined, "permanent"],
    [506, undefined, "permanent"],
  ] as const)("turns a Graph error %s/%s into a %s MetaApiError", async (code, subcode, classification) => {
    server.handle(() => graphError(code, subcode));
    const error = await client.me("UT").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaApiError);
    expect(error).toMatchObject({
      provider: "meta",
      classification,
      status: 400,
      code,
      subcode,
      traceId: "T1",
    });
    expect((error as Error).message).not.toContain("UT");
  });

  it("classifies 5xx without an envelope and is_transient as transient", () => {
    expect(classifyMetaError(503, undefined)).toBe("transient");
    expect(classifyMetaError(400, { code: 9999, is_transient: true })).toBe("transient");
    expect(classifyMetaError(400, undefined)).toBe("permanent");
  });

  it("turns a hung request and a refused connection into transient network errors", async () => {
    server.handle(() => ({ hang: true }));
    await expect(client.me("UT")).rejects.toMatchObject({
      classification: "transient",
      name: "ProviderNetworkError",
    });
    const dead = new MetaClient({
      graphUrl: "http://127.0.0.1:1",
      wwwUrl: "http://127.0.0.1:1",
      credentials,
    });
    const error = await dead.me("UT").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderNetworkError);
    expect(error).toMatchObject({ classification: "transient", reason: "meta:network" });
  });
});
