/**
 * The local API gateway and identity provider as API Gateway's HTTP API + JWT authorizer
 * would behave, through the running stack (manifest routes) and through a gateway started
 * here over a fixture function (event shape and error mapping).
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionSpec } from "../../../functions/manifest.js";
import { type RunningGateway, startGateway } from "../../../local/gateway/index.js";
import { createInvoker } from "../../../local/runtime/invoker.js";
import { API_SCOPE } from "../../../schemas/resources.js";
import { api, stackInfo, tokenFor } from "../../support/stack.js";

describe("the running stack's gateway", () => {
  it("answers /health without a token", async () => {
    const res = await api("/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; stage: string };
    expect(body).toMatchObject({ status: "ok", stage: "local" });
  });

  it("returns the token's tenant, user and roles on /v1/me (groups pass as the HTTP API's string form)", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["admin", "editor"], sub: "alice" });
    const res = await api("/v1/me", { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tenantId: "acme", userId: "alice", roles: ["admin", "editor"] });
  });

  it("mints tokens with the production access-token claim shape", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["editor"], sub: "bob" });
    const [header, payload] = token
      .split(".")
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
    expect(header).toMatchObject({ alg: "RS256", kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: stackInfo().identity.issuer,
      sub: "bob",
      client_id: stackInfo().identity.clientId,
      token_use: "access",
      username: "bob",
      tenant_id: "acme",
      "cognito:groups": ["editor"],
      scope: expect.any(String),
      jti: expect.any(String),
    });
    expect(payload.exp - payload.iat).toBe(3600);
    expect(payload.auth_time).toBe(payload.iat);
  });

  it("serves the JWKS and OpenID configuration under the issuer", async () => {
    const { issuer, jwksUrl } = stackInfo().identity;
    const config = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(config.issuer).toBe(issuer);
    expect(config.jwks_uri).toBe(jwksUrl);
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: { kty: string; alg: string }[] };
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256" });
  });

  it("refuses a token signed with another key (same kid, same claims) with the HTTP API's 401", async () => {
    const real = await tokenFor({ tenant: "acme", roles: ["admin"] });
    const [header, payload] = real
      .split(".")
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(payload).setProtectedHeader(header).sign(privateKey);
    const res = await api("/v1/me", { token: forged });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "Unauthorized" });
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("refuses an expired token", async () => {
    const res = await api("/v1/me", {
      token: await tokenFor({ tenant: "acme", roles: ["admin"], expiresIn: -60 }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "Unauthorized" });
    expect(res.headers.get("www-authenticate")).toContain("expired");
  });

  it("refuses a missing or non-bearer authorization header", async () => {
    expect((await api("/v1/me")).status).toBe(401);
    const basic = await api("/v1/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(basic.status).toBe(401);
  });

  it("refuses an ID token (valid signature, tenant and groups, but no API scope) with the HTTP API's 403", async () => {
    const idToken = await tokenFor({ tenant: "acme", roles: ["admin"], tokenUse: "id" });
    const payload = JSON.parse(Buffer.from(idToken.split(".")[1]!, "base64url").toString());
    expect(payload).toMatchObject({ token_use: "id", aud: stackInfo().identity.clientId, tenant_id: "acme" });
    expect(payload.scope).toBeUndefined();
    const res = await api("/v1/me", { token: idToken });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: "Forbidden" });
    expect(res.headers.get("www-authenticate")).toContain(`scope="${API_SCOPE}"`);
    // The access token of the same user carries the scope and passes.
    const access = await tokenFor({ tenant: "acme", roles: ["admin"] });
    expect((await api("/v1/me", { token: access })).status).toBe(200);
  });

  it("lets a valid token without a tenant through the authorizer; the handler chain answers 401 problem+json", async () => {
    const res = await api("/v1/me", { token: await tokenFor({ roles: ["admin"] }) });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { detail: string }).detail).toMatch(/no tenant/);
  });

  it("refuses an editor on an admin-only route with 403 problem+json; an admin passes the role check", async () => {
    const editor = await api("/v1/settings", {
      method: "PUT",
      token: await tokenFor({ tenant: "acme", roles: ["editor"] }),
      json: {},
    });
    expect(editor.status).toBe(403);
    expect(editor.headers.get("content-type")).toBe("application/problem+json");
    expect(((await editor.json()) as { requiredRoles: string[] }).requiredRoles).toEqual(["admin"]);
    const admin = await api("/v1/settings", {
      method: "PUT",
      token: await tokenFor({ tenant: "acme", roles: ["admin"] }),
      json: {},
    });
    expect([401, 403]).not.toContain(admin.status);
  });

  it("answers an unknown route and a wrong method with the HTTP API's 404", async () => {
    for (const res of [await api("/v1/nothing-here"), await api("/health", { method: "DELETE" })]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ message: "Not Found" });
    }
  });

  it("refuses a body over 10 MB with 413", async () => {
    const res = await api("/v1/me", {
      method: "POST",
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 97),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: "Request Entity Too Large" });
  });
});

describe("a gateway over a fixture function", () => {
  const info = () => stackInfo();
  const fixture: FunctionSpec = {
    name: "echo",
    description: "fixture",
    entry: "test/integration/stack/fixtures/echo.handler.ts",
    triggers: [
      { type: "http", method: "POST", path: "/echo/{mode}", auth: { roles: ["admin"] }, operationId: "echo" },
      { type: "http", method: "GET", path: "/files/{proxy+}", auth: { public: true }, operationId: "files" },
      { type: "http", method: "GET", path: "/files/special", auth: { public: true }, operationId: "special" },
    ],
    memoryMb: 512,
    timeoutSeconds: 1,
    bindings: {},
  };
  let gateway: RunningGateway;
  let other: RunningGateway;
  const invoker = () =>
    createInvoker({ functions: [fixture], stage: "t", region: "us-east-1", accountId: "000000000000" });

  beforeAll(async () => {
    const authorizer = {
      issuer: info().identity.issuer,
      jwksUrl: info().identity.jwksUrl,
      audience: [info().identity.clientId],
    };
    gateway = await startGateway({
      functions: [fixture],
      invoker: invoker(),
      authorizer,
      integrationTimeoutMs: 500,
    });
    // Expects another issuer and app client: the stack's tokens are valid but not for this API.
    other = await startGateway({
      functions: [fixture],
      invoker: invoker(),
      authorizer: { ...authorizer, issuer: `${info().identity.issuer}-other`, audience: ["another-client"] },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await other?.close();
  });

  const call = (g: RunningGateway, path: string, init: RequestInit = {}) => fetch(new URL(path, g.url), init);

  it("builds the payload 2.0 event and maps the structured result", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["admin", "editor"], sub: "carol" });
    const res = await call(gateway, "/echo/show%20me?a=1&b=2&a=3", {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        cookie: "s=1; t=2",
        "x-multi": "v",
      },
      body: JSON.stringify({ hi: 1 }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-fixture")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    const { event, context } = (await res.json()) as {
      event: APIGatewayProxyEventV2WithJWTAuthorizer;
      context: { functionName: string; memory: string; remaining: number };
    };
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "POST /echo/{mode}",
      rawPath: "/echo/show%20me",
      rawQueryString: "a=1&b=2&a=3",
      cookies: ["s=1", "t=2"],
      queryStringParameters: { a: "1,3", b: "2" },
      pathParameters: { mode: "show me" },
      body: '{"hi":1}',
      isBase64Encoded: false,
    });
    expect(event.headers["content-type"]).toBe("application/json");
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext).toMatchObject({
      routeKey: "POST /echo/{mode}",
      stage: "$default",
      http: { method: "POST", path: "/echo/show%20me", sourceIp: "127.0.0.1" },
    });
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    const claims = event.requestContext.authorizer.jwt.claims;
    expect(claims["cognito:groups"]).toBe("[admin editor]");
    expect(claims.tenant_id).toBe("acme");
    expect(claims.sub).toBe("carol");
    expect(typeof claims.exp).toBe("string");
    expect(context.functionName).toBe("herald-t-echo");
    expect(context.memory).toBe("512");
    expect(context.remaining).toBeGreaterThan(0);
    expect(context.remaining).toBeLessThanOrEqual(1000);
  });

  it("base64-encodes a binary body", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["admin"] });
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    const res = await call(gateway, "/echo/bin", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: bytes,
    });
    const { event } = (await res.json()) as { event: { body: string; isBase64Encoded: boolean } };
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, "base64")).toEqual(bytes);
  });

  it("prefers a literal route over a greedy one and passes the greedy remainder", async () => {
    const special = (await (await call(gateway, "/files/special")).json()) as { event: { routeKey: string } };
    expect(special.event.routeKey).toBe("GET /files/special");
    const deep = (await (await call(gateway, "/files/a/b/c.txt")).json()) as {
      event: {
        routeKey: string;
        pathParameters: Record<string, string>;
        requestContext: { authorizer?: unknown };
      };
    };
    expect(deep.event.routeKey).toBe("GET /files/{proxy+}");
    expect(deep.event.pathParameters).toEqual({ proxy: "a/b/c.txt" });
    expect(deep.event.requestContext.authorizer).toBeUndefined();
  });

  it("infers a 200 JSON answer from a non-structured result", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["admin"] });
    const res = await call(gateway, "/echo/raw", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: "world" });
  });

  it("answers 500 Internal Server Error when the function throws", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["admin"] });
    const res = await call(gateway, "/echo/throw", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: "Internal Server Error" });
  });

  it("answers 503 Service Unavailable when the integration times out", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["admin"] });
    const res = await call(gateway, "/echo/slow", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ message: "Service Unavailable" });
  });

  it("answers 500 when the function outlives its own timeout (1 s) within the gateway's 30 s", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["admin"] });
    const patient = await startGateway({
      functions: [fixture],
      invoker: invoker(),
      authorizer: {
        issuer: info().identity.issuer,
        jwksUrl: info().identity.jwksUrl,
        audience: [info().identity.clientId],
      },
    });
    try {
      const res = await call(patient, "/echo/slow", {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: "Internal Server Error" });
    } finally {
      await patient.close();
    }
  });

  it("refuses tokens from another issuer or for another app client", async () => {
    const token = await tokenFor({ tenant: "acme", roles: ["admin"] });
    const res = await call(other, "/echo/x", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("iss");

    // Right issuer, wrong audience: a gateway trusting the stack's issuer but another client id.
    const audienceGateway = await startGateway({
      functions: [fixture],
      invoker: invoker(),
      authorizer: {
        issuer: info().identity.issuer,
        jwksUrl: info().identity.jwksUrl,
        audience: ["another-client"],
      },
    });
    try {
      const r = await call(audienceGateway, "/echo/x", {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ message: "Unauthorized" });
      expect(r.headers.get("www-authenticate")).toContain("audience");
    } finally {
      await audienceGateway.close();
    }
  });

  it("accepts a token whose key it has never seen only if the JWKS holds it (kid rotation refetch)", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    expect((await exportJWK(publicKey)).kty).toBe("RSA");
    const token = await new SignJWT({ client_id: info().identity.clientId, tenant_id: "acme" })
      .setProtectedHeader({ alg: "RS256", kid: "unknown-kid" })
      .setIssuer(info().identity.issuer)
      .setSubject("mallory")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    const res = await call(gateway, "/echo/x", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
  });
});
