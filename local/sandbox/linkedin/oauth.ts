import { createHash, generateKeyPairSync, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { exportJWK, SignJWT } from "jose";
import type { Router, SandboxContext, SandboxRequest, SandboxResponse } from "../core/types.js";
import { WWW } from "./api.js";
import { consentPage, errorPage } from "./consent-page.js";
import { liHtml, liJson, oauthError } from "./responses.js";
import type { LinkedInSeedApp } from "./seed.js";
import {
  type AccessToken,
  type AuthCode,
  findApp,
  findMember,
  type LinkedInState,
  liState,
  opaqueToken,
  type RefreshToken,
} from "./state.js";

/**
 * LinkedIn's three-legged OAuth on `/linkedin/www/oauth/v2/…` (providers.md B2): the
 * consent page, the code exchange (30-minute single-use codes, redirect_uri must match, PKCE),
 * refresh tokens in partner mode, introspection and revocation.
 */

const CODE_MISMATCH =
  "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists";
const BAD_REFRESH = "The provided authorization grant or refresh token is invalid, expired or revoked";

/** Split a scope parameter: LinkedIn documents spaces, clients also send commas. */
export function splitScopes(raw: string | null): string[] {
  return (raw ?? "").split(/[\s,]+/).filter((s) => s.length > 0);
}

function stripQuery(uri: string): string | undefined {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}

/**
 * Whether `uri` may receive the code: a registered URI (query ignored, no `#`), or, when
 * `settings.allowLoopbackRedirects` is on, any `http://127.0.0.1:*` / `http://localhost:*` URL.
 */
export function redirectAllowed(st: LinkedInState, app: LinkedInSeedApp, uri: string): boolean {
  if (uri.includes("#")) return false;
  const bare = stripQuery(uri);
  if (!bare) return false;
  const registered = [...app.redirectUris, ...st.settings.extraRedirectUris].map(stripQuery);
  if (registered.includes(bare)) return true;
  const u = new URL(uri);
  return (
    st.settings.allowLoopbackRedirects &&
    u.protocol === "http:" &&
    (u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]")
  );
}

// The key that signs OpenID id_tokens, made once per process (kept across resets).
let signingKey: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;
function idTokenKey(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
  if (!signingKey) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const kid = createHash("sha256")
      .update(publicKey.export({ type: "spki", format: "der" }))
      .digest("base64url");
    signingKey = { privateKey, publicKey, kid: kid.slice(0, 16) };
  }
  return signingKey;
}

/** The issuer of id_tokens: the sandbox's analogue of `https://www.linkedin.com/oauth`. */
export function issuer(ctx: SandboxContext): string {
  return `${ctx.baseUrl}${WWW}/oauth`;
}

/**
 * Issue an access token (and, in partner mode, a refresh token) for a member. When
 * `settings.scopeChangeRevokesTokens` is on, the member's earlier tokens for the app with a
 * different scope set are revoked, as LinkedIn documents.
 */
export function issueTokens(
  ctx: SandboxContext,
  st: LinkedInState,
  input: { clientId: string; member: string; scopes: readonly string[]; expiresInSeconds?: number },
): { access: AccessToken; refresh?: RefreshToken } {
  const now = ctx.clock.now();
  const scopeKey = [...input.scopes].sort().join(" ");
  if (st.settings.scopeChangeRevokesTokens) {
    for (const t of [...st.tokens.values(), ...st.refreshTokens.values()]) {
      if (
        t.clientId === input.clientId &&
        t.member === input.member &&
        [...t.scopes].sort().join(" ") !== scopeKey
      ) {
        t.revoked = true;
      }
    }
  }
  const access: AccessToken = {
    token: opaqueToken(),
    clientId: input.clientId,
    member: input.member,
    scopes: [...input.scopes],
    createdAt: now,
    authorizedAt: now,
    expiresAt: now + (input.expiresInSeconds ?? st.settings.accessTokenSeconds) * 1000,
    revoked: false,
  };
  st.tokens.set(access.token, access);
  if (!ctx.config.linkedin.partnerRefreshTokens) return { access };
  const refresh: RefreshToken = {
    token: opaqueToken("AQ", 300),
    clientId: input.clientId,
    member: input.member,
    scopes: [...input.scopes],
    authorizedAt: now,
    expiresAt: now + st.settings.refreshTokenSeconds * 1000,
    revoked: false,
  };
  st.refreshTokens.set(refresh.token, refresh);
  return { access, refresh };
}

async function tokenResponseBody(
  ctx: SandboxContext,
  st: LinkedInState,
  access: AccessToken,
  refresh: RefreshToken | undefined,
): Promise<Record<string, unknown>> {
  const now = ctx.clock.now();
  const body: Record<string, unknown> = {
    access_token: access.token,
    expires_in: Math.ceil((access.expiresAt - now) / 1000),
  };
  if (refresh) {
    body.refresh_token = refresh.token;
    body.refresh_token_expires_in = Math.ceil((refresh.expiresAt - now) / 1000);
  }
  body.scope = access.scopes.join(",");
  if (access.scopes.includes("openid")) {
    const member = findMember(st, access.member);
    const key = idTokenKey();
    body.token_type = "Bearer";
    body.id_token = await new SignJWT({
      name: member ? `${member.givenName} ${member.familyName}` : undefined,
      given_name: member?.givenName,
      family_name: member?.familyName,
      ...(access.scopes.includes("email") ? { email: member?.email, email_verified: true } : {}),
      locale: "en_US",
    })
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer(issuer(ctx))
      .setAudience(access.clientId)
      .setSubject(access.member)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 3600)
      .sign(key.privateKey);
  }
  return body;
}

function missing(req: SandboxRequest, name: string): SandboxResponse {
  return oauthError(req, 400, "invalid_request", `A required parameter "${name}" is missing`);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Check client_id/client_secret of a form; undefined when they are fine. */
function authenticateClient(
  req: SandboxRequest,
  st: LinkedInState,
  form: URLSearchParams,
): { app: LinkedInSeedApp } | { error: SandboxResponse } {
  const app = findApp(st, form.get("client_id"));
  if (!app || !safeEqual(app.clientSecret, form.get("client_secret") ?? "")) {
    // [I] LinkedIn's exact wording for a bad client is not confirmed.
    return { error: oauthError(req, 401, "invalid_client", "Client authentication failed") };
  }
  return { app };
}

function pkceMatches(code: AuthCode, verifier: string | null): boolean {
  if (!code.codeChallenge) return true;
  if (!verifier) return false;
  if (code.codeChallengeMethod === "plain") return verifier === code.codeChallenge;
  return createHash("sha256").update(verifier).digest("base64url") === code.codeChallenge;
}

/** Register the OAuth routes. */
export function registerOAuth(router: Router): void {
  const clientTarget = (req: SandboxRequest) =>
    req.query.get("client_id") ?? req.form().get("client_id") ?? undefined;

  router.add(
    "GET",
    `${WWW}/oauth/v2/authorization`,
    (req, ctx) => {
      const st = liState(ctx);
      const q = req.query;
      const app = findApp(st, q.get("client_id"));
      if (!app) return liHtml(401, errorPage("Client_id doesn't match"));
      const redirectUri = q.get("redirect_uri") ?? "";
      if (!redirectAllowed(st, app, redirectUri)) return liHtml(401, errorPage("Redirect_uri doesn't match"));
      if (q.get("response_type") !== "code") return liHtml(400, errorPage("Invalid response_type"));
      const scopes = splitScopes(q.get("scope"));
      if (scopes.length === 0 || scopes.some((s) => !app.scopes.includes(s))) {
        return liHtml(401, errorPage("Invalid scope"));
      }
      const method = q.get("code_challenge_method") ?? undefined;
      if (q.get("code_challenge") && method !== undefined && method !== "S256" && method !== "plain") {
        return liHtml(400, errorPage("Invalid code_challenge_method"));
      }
      const id = randomBytes(16).toString("base64url");
      st.pending.set(id, {
        id,
        clientId: app.clientId,
        redirectUri,
        state: q.get("state") ?? undefined,
        scopes: [...new Set(scopes)],
        codeChallenge: q.get("code_challenge") ?? undefined,
        codeChallengeMethod: q.get("code_challenge") ? (method ?? "S256") : undefined,
        expiresAt: ctx.clock.now() + st.settings.codeSeconds * 1000,
      });
      return liHtml(
        200,
        consentPage({ app, scopes: [...new Set(scopes)], members: st.members, requestId: id, redirectUri }),
      );
    },
    { target: clientTarget },
  );

  router.add("POST", `${WWW}/oauth/v2/authorization-submit`, (req, ctx) => {
    const st = liState(ctx);
    const form = req.form();
    const pending = st.pending.get(form.get("request_id") ?? "");
    if (!pending || ctx.clock.now() >= pending.expiresAt) {
      return liHtml(
        400,
        errorPage("This authorization request is no longer valid. Start again from the app."),
      );
    }
    const target = new URL(pending.redirectUri);
    const action = form.get("action");
    if (action === "cancel") {
      st.pending.delete(pending.id);
      target.searchParams.set("error", "user_cancelled_authorize");
      target.searchParams.set("error_description", "The user cancelled the authorization");
      target.searchParams.set("state", pending.state ?? "");
      return { status: 303, headers: { location: target.toString() }, body: "" };
    }
    const member = findMember(st, form.get("member"));
    if (action !== "allow" || !member)
      return liHtml(400, errorPage("Choose a member and press Allow or Cancel."));
    st.pending.delete(pending.id);
    const code: AuthCode = {
      code: opaqueToken("AQ", 160),
      clientId: pending.clientId,
      redirectUri: pending.redirectUri,
      member: member.sub,
      scopes: pending.scopes,
      expiresAt: ctx.clock.now() + st.settings.codeSeconds * 1000,
      codeChallenge: pending.codeChallenge,
      codeChallengeMethod: pending.codeChallengeMethod,
      used: false,
    };
    st.codes.set(code.code, code);
    target.searchParams.set("code", code.code);
    if (pending.state !== undefined) target.searchParams.set("state", pending.state);
    return { status: 303, headers: { location: target.toString() }, body: "" };
  });

  router.add(
    "POST",
    `${WWW}/oauth/v2/accessToken`,
    async (req, ctx) => {
      const st = liState(ctx);
      const form = req.params2();
      const grant = form.get("grant_type");
      if (!grant) return missing(req, "grant_type");
      if (grant === "authorization_code") {
        for (const name of ["code", "redirect_uri", "client_id", "client_secret"]) {
          if (!form.get(name)) return missing(req, name);
        }
        const client = authenticateClient(req, st, form);
        if ("error" in client) return client.error;
        const code = st.codes.get(form.get("code") ?? "");
        if (!code) {
          return oauthError(
            req,
            401,
            "invalid_request",
            "Unable to retrieve access token: authorization code not found",
          );
        }
        const valid =
          !code.used &&
          ctx.clock.now() < code.expiresAt &&
          code.clientId === client.app.clientId &&
          code.redirectUri === form.get("redirect_uri") &&
          pkceMatches(code, form.get("code_verifier"));
        if (!valid) return oauthError(req, 400, "invalid_request", CODE_MISMATCH);
        code.used = true;
        const { access, refresh } = issueTokens(ctx, st, {
          clientId: code.clientId,
          member: code.member,
          scopes: code.scopes,
        });
        return liJson(req, 200, await tokenResponseBody(ctx, st, access, refresh));
      }
      if (grant === "refresh_token") {
        for (const name of ["refresh_token", "client_id", "client_secret"]) {
          if (!form.get(name)) return missing(req, name);
        }
        const client = authenticateClient(req, st, form);
        if ("error" in client) return client.error;
        const refresh = st.refreshTokens.get(form.get("refresh_token") ?? "");
        if (
          !refresh ||
          refresh.revoked ||
          refresh.clientId !== client.app.clientId ||
          ctx.clock.now() >= refresh.expiresAt ||
          !ctx.config.linkedin.partnerRefreshTokens
        ) {
          return oauthError(req, 400, "invalid_request", BAD_REFRESH);
        }
        const now = ctx.clock.now();
        const access: AccessToken = {
          token: opaqueToken(),
          clientId: refresh.clientId,
          member: refresh.member,
          scopes: refresh.scopes,
          createdAt: now,
          authorizedAt: refresh.authorizedAt,
          expiresAt: now + st.settings.accessTokenSeconds * 1000,
          revoked: false,
        };
        st.tokens.set(access.token, access);
        return liJson(req, 200, await tokenResponseBody(ctx, st, access, refresh));
      }
      if (grant === "client_credentials") {
        // [I] two-legged tokens need a LinkedIn-granted permission the sandbox app does not have.
        return oauthError(
          req,
          401,
          "access_denied",
          "This application is not allowed to create application tokens",
        );
      }
      return oauthError(req, 400, "unsupported_grant_type", `Grant type "${grant}" is not supported`);
    },
    { target: clientTarget },
  );

  router.add("POST", `${WWW}/oauth/v2/introspectToken`, (req, ctx) => {
    const st = liState(ctx);
    const form = req.params2();
    const app = findApp(st, form.get("client_id"));
    if (!app) return oauthError(req, 400, "invalid_request", "Invalid client_id");
    if (!safeEqual(app.clientSecret, form.get("client_secret") ?? "")) {
      return oauthError(req, 401, "invalid_client", "Client authentication failed");
    }
    const raw = form.get("token");
    if (!raw) return missing(req, "token");
    const t = st.tokens.get(raw) ?? st.refreshTokens.get(raw);
    if (!t) return oauthError(req, 400, "invalid_request", "Invalid token");
    if (t.clientId !== app.clientId) return liJson(req, 200, { active: false });
    const now = ctx.clock.now();
    const status = t.revoked ? "revoked" : now >= t.expiresAt ? "expired" : "active";
    return liJson(req, 200, {
      active: status === "active",
      client_id: t.clientId,
      authorized_at: Math.floor(t.authorizedAt / 1000),
      created_at: Math.floor((st.tokens.get(raw)?.createdAt ?? t.authorizedAt) / 1000),
      status,
      expires_at: Math.floor(t.expiresAt / 1000),
      scope: t.scopes.join(","),
      auth_type: "3L",
    });
  });

  // [I] revocation endpoint: form client_id, client_secret, token → 200 with an empty body.
  router.add("POST", `${WWW}/oauth/v2/revoke`, (req, ctx) => {
    const st = liState(ctx);
    const form = req.params2();
    for (const name of ["client_id", "client_secret", "token"])
      if (!form.get(name)) return missing(req, name);
    const client = authenticateClient(req, st, form);
    if ("error" in client) return client.error;
    const raw = form.get("token") ?? "";
    const t = st.tokens.get(raw) ?? st.refreshTokens.get(raw);
    if (!t || t.clientId !== client.app.clientId)
      return oauthError(req, 400, "invalid_request", "Invalid token");
    t.revoked = true;
    return liJson(req, 200);
  });

  router.add("GET", `${WWW}/oauth/openid/jwks`, async (req) => {
    const key = idTokenKey();
    const jwk = await exportJWK(key.publicKey);
    return liJson(req, 200, { keys: [{ ...jwk, kid: key.kid, use: "sig", alg: "RS256" }] });
  });

  router.add("GET", `${WWW}/oauth/.well-known/openid-configuration`, (req, ctx) =>
    liJson(req, 200, {
      issuer: issuer(ctx),
      authorization_endpoint: `${ctx.baseUrl}${WWW}/oauth/v2/authorization`,
      token_endpoint: `${ctx.baseUrl}${WWW}/oauth/v2/accessToken`,
      userinfo_endpoint: `${ctx.baseUrl}/linkedin/api/v2/userinfo`,
      jwks_uri: `${ctx.baseUrl}${WWW}/oauth/openid/jwks`,
      response_types_supported: ["code"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "profile", "email"],
      claims_supported: [
        "iss",
        "aud",
        "iat",
        "exp",
        "sub",
        "name",
        "given_name",
        "family_name",
        "picture",
        "email",
        "email_verified",
        "locale",
      ],
    }),
  );
}
