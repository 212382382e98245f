import { createHash } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import {
  ADA,
  APP,
  CALLBACK,
  control,
  GRACE,
  mintToken,
  OTHER_APP,
  rest,
  type Sandbox,
  useLinkedInSandbox,
} from "./linkedin-support.js";

/**
 * LinkedIn OAuth on the sandbox (providers.md B2): the authorization page and its error pages,
 * the consent form submitted without a browser, the code exchange and its exact error bodies,
 * PKCE, partner-mode refresh tokens, introspection and revocation.
 */

let sb: Sandbox;
useLinkedInSandbox({
  started: (running) => {
    sb = running;
  },
});

const www = (path: string) => `${sb.url}/linkedin/www${path}`;

function authorizeUrl(params: Record<string, string>): string {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: APP.clientId,
    redirect_uri: CALLBACK,
    state: "st-123",
    scope: "openid profile email w_member_social",
    ...params,
  });
  return `${www("/oauth/v2/authorization")}?${q.toString()}`;
}

/** Fetch the consent page, fill its form like a person would, and answer the redirect. */
async function consent(params: Record<string, string>, action: "allow" | "cancel", member: string = ADA.sub) {
  const page = await fetch(authorizeUrl(params));
  expect(page.status).toBe(200);
  const html = await page.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  const formAction = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  expect(requestId).toBeDefined();
  expect(html).toContain(`value="${member}"`);
  const submit = new URL(formAction as string, page.url);
  const res = await fetch(submit, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request_id: requestId as string, member, action }),
  });
  expect(res.status).toBe(303);
  return new URL(res.headers.get("location") as string);
}

function exchange(form: Record<string, string>): Promise<Response> {
  return fetch(www("/oauth/v2/accessToken"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
}

const codeForm = (code: string, extra: Record<string, string> = {}) => ({
  grant_type: "authorization_code",
  code,
  client_id: APP.clientId,
  client_secret: APP.clientSecret,
  redirect_uri: CALLBACK,
  ...extra,
});

describe("authorization page", () => {
  it("shows the app, the requested permissions and the seeded members with Allow and Cancel", async () => {
    const res = await fetch(authorizeUrl({}));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("x-li-uuid")).toBeTruthy();
    const html = await res.text();
    expect(html).toContain(APP.name);
    expect(html).toContain("Create, modify, and delete posts, comments, and reactions on your behalf");
    expect(html).toContain(`value="${ADA.sub}"`);
    expect(html).toContain(`value="${GRACE.sub}"`);
    expect(html).toMatch(/id="allow"/);
    expect(html).toMatch(/id="cancel"/);
  });

  it.each([
    [{ client_id: "nope" }, "Client_id doesn&#39;t match"],
    [{ redirect_uri: "https://evil.example/cb" }, "Redirect_uri doesn&#39;t match"],
    [{ redirect_uri: "http://127.0.0.1:9/cb#frag" }, "Redirect_uri doesn&#39;t match"],
    [{ scope: "openid r_nonexistent" }, "Invalid scope"],
    [{ scope: "" }, "Invalid scope"],
  ])("answers a 401 error page for %j", async (params, message) => {
    const res = await fetch(authorizeUrl(params));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain(message);
  });

  it("accepts a registered redirect URI (query ignored) and any loopback port by default", async () => {
    for (const uri of [
      `${APP.redirectUris[0]}?from=test`,
      "http://localhost:51234/x",
      "http://127.0.0.1:1/y",
    ]) {
      expect((await fetch(authorizeUrl({ redirect_uri: uri }))).status).toBe(200);
    }
    await control(sb, "/_sandbox/linkedin/settings", { allowLoopbackRedirects: false }, "PUT");
    expect((await fetch(authorizeUrl({ redirect_uri: "http://127.0.0.1:1/y" }))).status).toBe(401);
    await control(sb, "/_sandbox/linkedin/settings", { extraRedirectUris: ["http://127.0.0.1:1/y"] }, "PUT");
    expect((await fetch(authorizeUrl({ redirect_uri: "http://127.0.0.1:1/y" }))).status).toBe(200);
  });
});

describe("consent without a browser and the code exchange", () => {
  it("approve → code + state → access token with comma-separated scope and an OpenID id_token", async () => {
    const cb = await consent({}, "allow");
    expect(`${cb.origin}${cb.pathname}`).toBe(CALLBACK);
    expect(cb.searchParams.get("state")).toBe("st-123");
    const code = cb.searchParams.get("code") as string;
    expect(code.length).toBeGreaterThan(20);

    const res = await exchange(codeForm(code));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 5_184_000, scope: "openid,profile,email,w_member_social" });
    expect(body.refresh_token).toBeUndefined();
    expect(body.refresh_token_expires_in).toBeUndefined();
    expect(String(body.access_token).length).toBeGreaterThan(400);
    expect(body.token_type).toBe("Bearer");

    const jwks = createRemoteJWKSet(new URL(www("/oauth/openid/jwks")));
    const { payload } = await jwtVerify(String(body.id_token), jwks, {
      issuer: `${sb.url}/linkedin/www/oauth`,
      audience: APP.clientId,
    });
    expect(payload.sub).toBe(ADA.sub);
    expect(payload.email).toBe(ADA.email);

    const me = await rest(sb, "/v2/userinfo", { token: String(body.access_token) });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { sub: string }).sub).toBe(ADA.sub);
  });

  it("the member picked on the page is the one the token belongs to", async () => {
    const cb = await consent({}, "allow", GRACE.sub);
    const body = (await (await exchange(codeForm(cb.searchParams.get("code") as string))).json()) as {
      access_token: string;
    };
    const me = (await (await rest(sb, "/v2/userinfo", { token: body.access_token })).json()) as {
      sub: string;
    };
    expect(me.sub).toBe(GRACE.sub);
  });

  it("cancel → error=user_cancelled_authorize with a description and the state", async () => {
    const cb = await consent({}, "cancel");
    expect(cb.searchParams.get("error")).toBe("user_cancelled_authorize");
    expect(cb.searchParams.get("error_description")).toBe("The user cancelled the authorization");
    expect(cb.searchParams.get("state")).toBe("st-123");
    expect(cb.searchParams.get("code")).toBeNull();
  });

  it("a code is single use", async () => {
    const code = (await consent({}, "allow")).searchParams.get("code") as string;
    expect((await exchange(codeForm(code))).status).toBe(200);
    const again = await exchange(codeForm(code));
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      error: "invalid_request",
      error_description:
        "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists",
    });
  });

  it("a code lives 30 minutes on the sandbox clock", async () => {
    const code = (await consent({}, "allow")).searchParams.get("code") as string;
    await control(sb, "/_sandbox/clock", { advanceMs: 30 * 60_000 + 1_000 });
    const res = await exchange(codeForm(code));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("redirect_uri must match the one of the authorization request", async () => {
    const code = (await consent({}, "allow")).searchParams.get("code") as string;
    const res = await exchange(codeForm(code, { redirect_uri: "http://127.0.0.1:9/other" }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_description: string }).error_description).toContain(
      "appid/redirect uri/code verifier does not match",
    );
  });

  it("an unknown code → 401 authorization code not found", async () => {
    const res = await exchange(codeForm("AQnot-a-code"));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: "invalid_request",
      error_description: "Unable to retrieve access token: authorization code not found",
    });
  });

  it.each(["grant_type", "code", "redirect_uri", "client_id", "client_secret"])(
    "a missing %s → 400 with LinkedIn's wording",
    async (name) => {
      const form: Record<string, string> = codeForm("AQsome-code");
      delete form[name];
      const res = await exchange(form);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: "invalid_request",
        error_description: `A required parameter "${name}" is missing`,
      });
    },
  );

  it("PKCE: the code_verifier must match the S256 code_challenge", async () => {
    const verifier = "a-long-random-verifier-string-0123456789-abcdefghijk";
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const params = { code_challenge: challenge, code_challenge_method: "S256" };
    const bad = (await consent(params, "allow")).searchParams.get("code") as string;
    expect((await exchange(codeForm(bad, { code_verifier: "wrong" }))).status).toBe(400);
    const good = (await consent(params, "allow")).searchParams.get("code") as string;
    expect((await exchange(codeForm(good, { code_verifier: verifier }))).status).toBe(200);
  });

  it("the authorize control route hands out a code without the page", async () => {
    const res = await control(sb, "/_sandbox/linkedin/authorize", {
      member: GRACE.sub,
      redirectUri: CALLBACK,
      scope: "openid profile",
      state: "s1",
    });
    expect(res.status).toBe(200);
    const { code, location } = (await res.json()) as { code: string; location: string };
    expect(new URL(location).searchParams.get("state")).toBe("s1");
    const token = (await (await exchange(codeForm(code))).json()) as { scope: string };
    expect(token.scope).toBe("openid,profile");
  });

  it("asking for a different scope set revokes the member's earlier tokens for the app", async () => {
    const first = await mintToken(sb, ADA.sub, ["openid", "profile"]);
    expect((await rest(sb, "/v2/userinfo", { token: first })).status).toBe(200);
    await mintToken(sb, ADA.sub, ["openid", "profile", "w_member_social"]);
    const res = await rest(sb, "/v2/userinfo", { token: first });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { serviceErrorCode: number }).serviceErrorCode).toBe(65601);
  });
});

describe("partner mode refresh tokens", () => {
  it("returns refresh_token; refreshing gives a new access token and the same refresh token with less time", async () => {
    await control(sb, "/_sandbox/config", { linkedin: { partnerRefreshTokens: true } }, "PUT");
    const code = (await consent({}, "allow")).searchParams.get("code") as string;
    const first = (await (await exchange(codeForm(code))).json()) as Record<string, unknown>;
    expect(first.refresh_token).toEqual(expect.any(String));
    expect(first.refresh_token_expires_in).toBe(31_536_000);

    await control(sb, "/_sandbox/clock", { advanceMs: 10 * 86_400_000 });
    const res = await exchange({
      grant_type: "refresh_token",
      refresh_token: String(first.refresh_token),
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
    expect(res.status).toBe(200);
    const second = (await res.json()) as Record<string, unknown>;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.expires_in).toBe(5_184_000);
    expect(second.refresh_token).toBe(first.refresh_token);
    // Real time flows on besides the moved clock, so allow a minute of slack below the exact value.
    expect(second.refresh_token_expires_in).toBeLessThanOrEqual(31_536_000 - 10 * 86_400);
    expect(second.refresh_token_expires_in).toBeGreaterThan(31_536_000 - 10 * 86_400 - 60);
    expect(second.scope).toBe("openid,profile,email,w_member_social");
  });

  it("a bad refresh token → 400 invalid_request with LinkedIn's wording", async () => {
    await control(sb, "/_sandbox/config", { linkedin: { partnerRefreshTokens: true } }, "PUT");
    const res = await exchange({
      grant_type: "refresh_token",
      refresh_token: "AQnot-a-refresh-token",
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "invalid_request",
      error_description: "The provided authorization grant or refresh token is invalid, expired or revoked",
    });
  });
});

describe("introspection and revocation", () => {
  const introspect = (form: Record<string, string>) =>
    fetch(www("/oauth/v2/introspectToken"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });

  it("reports an active token in the documented shape, then expired on the sandbox clock", async () => {
    const token = await mintToken(sb, ADA.sub, ["openid", "profile", "w_member_social"]);
    const res = await introspect({ client_id: APP.clientId, client_secret: APP.clientSecret, token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      active: true,
      client_id: APP.clientId,
      authorized_at: expect.any(Number),
      created_at: expect.any(Number),
      status: "active",
      expires_at: (body.created_at as number) + 5_184_000,
      scope: "openid,profile,w_member_social",
      auth_type: "3L",
    });
    await control(sb, "/_sandbox/clock", { advanceMs: 5_184_000_000 });
    const later = (await (
      await introspect({ client_id: APP.clientId, client_secret: APP.clientSecret, token })
    ).json()) as Record<string, unknown>;
    expect(later).toMatchObject({ active: false, status: "expired" });
  });

  it("another app's token → 200 {active:false}; bad secret → 401; bad client or token → 400", async () => {
    const token = await mintToken(sb, ADA.sub, ["openid"], OTHER_APP.clientId);
    const other = await introspect({ client_id: APP.clientId, client_secret: APP.clientSecret, token });
    expect(other.status).toBe(200);
    expect(await other.json()).toEqual({ active: false });
    expect((await introspect({ client_id: APP.clientId, client_secret: "wrong", token })).status).toBe(401);
    expect((await introspect({ client_id: "nope", client_secret: "x", token })).status).toBe(400);
    expect(
      (await introspect({ client_id: APP.clientId, client_secret: APP.clientSecret, token: "AQx" })).status,
    ).toBe(400);
  });

  it("revoke makes the token answer 65601 and introspect as revoked", async () => {
    const token = await mintToken(sb, ADA.sub, ["openid", "profile"]);
    const res = await fetch(www("/oauth/v2/revoke"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: APP.clientId, client_secret: APP.clientSecret, token }),
    });
    expect(res.status).toBe(200);
    const api = await rest(sb, "/v2/userinfo", { token });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({
      status: 401,
      serviceErrorCode: 65601,
      code: "REVOKED_ACCESS_TOKEN",
      message: "The token used in the request has been revoked by the user",
    });
    const info = (await (
      await introspect({ client_id: APP.clientId, client_secret: APP.clientSecret, token })
    ).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ active: false, status: "revoked" });
  });
});
