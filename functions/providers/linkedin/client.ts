/**
 * Herald's LinkedIn client: OAuth 2.0 (authorization, code exchange, refresh, introspection,
 * revocation), OpenID userinfo and the organisations a member administers. `request` does
 * every API call (`/rest` calls get `LinkedIn-Version` and the Rest.li 2.0 header); `oauth`
 * does the form posts to the OAuth host. The publishing engine extends this client.
 *
 * Base URLs replace `https://api.linkedin.com` and `https://www.linkedin.com`; real paths follow.
 */
import { createHash, randomBytes } from "node:crypto";
import { DEFAULT_TIMEOUT_MS, type FetchLike, fetchWithDeadline, readJson, retryAfterFrom } from "../http.js";
import { linkedInErrorFrom } from "./errors.js";

export const DEFAULT_LINKEDIN_VERSION = "202601";

export interface LinkedInAppCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface LinkedInClientConfig {
  /** Replaces `https://api.linkedin.com`. */
  readonly apiUrl: string;
  /** Replaces `https://www.linkedin.com`. */
  readonly wwwUrl: string;
  /** `YYYYMM` or `YYYYMM.RR`. */
  readonly version?: string;
  readonly credentials: LinkedInAppCredentials;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

export interface LinkedInRequestOptions {
  readonly token: string;
  readonly query?: Record<string, string | number | undefined>;
  /** JSON body (POST/PUT). */
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
  readonly label?: string;
}

export interface LinkedInResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface LinkedInTokenGrant {
  readonly accessToken: string;
  readonly expiresIn?: number;
  readonly refreshToken?: string;
  readonly refreshTokenExpiresIn?: number;
  readonly scopes: readonly string[];
}

export interface LinkedInIntrospection {
  readonly active: boolean;
  /** `active`, `expired`, `revoked`. */
  readonly status?: string;
  /** Epoch seconds. */
  readonly expiresAt?: number;
  readonly scopes: readonly string[];
}

export interface LinkedInMember {
  /** The OpenID subject; the author URN is `urn:li:person:<sub>`. */
  readonly sub: string;
  readonly name?: string;
  readonly pictureUrl?: string;
  readonly email?: string;
}

export interface LinkedInOrganization {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly vanityName?: string;
  readonly role: string;
}

/** A PKCE pair: the verifier stays with the OAuth state; the S256 challenge goes to LinkedIn. */
export const pkcePair = () => {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: pkceChallenge(verifier) };
};
export const pkceChallenge = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

/** Scopes come back comma-separated in practice, space-separated per the docs: accept both. */
export const splitScopes = (s: unknown): string[] =>
  typeof s === "string" ? s.split(/[\s,]+/).filter((x) => x.length > 0) : [];

type Json = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const ACL_PAGE = 100;
const MAX_ACL_PAGES = 20;

export class LinkedInClient {
  readonly version: string;
  private readonly timeoutMs: number;

  constructor(private readonly config: LinkedInClientConfig) {
    this.version = config.version ?? DEFAULT_LINKEDIN_VERSION;
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The one API request function. `/rest/…` paths are versioned; `/v2/…` are not. */
  async request<T = Json>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    options: LinkedInRequestOptions,
  ): Promise<LinkedInResponse<T>> {
    const url = new URL(`${this.config.apiUrl.replace(/\/$/, "")}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${options.token}`,
      ...(path.startsWith("/rest/")
        ? { "linkedin-version": this.version, "x-restli-protocol-version": "2.0.0" }
        : {}),
      ...(options.json === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    };
    const res = await fetchWithDeadline(
      "linkedin",
      url,
      { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json) },
      this.timeoutMs,
      this.config.fetch,
    );
    const body = await readJson(res);
    if (!res.ok) {
      throw linkedInErrorFrom(res.status, body, `${method} ${options.label ?? path}`, {
        retryAfterSeconds: retryAfterFrom(res),
      });
    }
    return { status: res.status, body: (body ?? {}) as T, headers: res.headers };
  }

  /** Form POST to the OAuth host (`/oauth/v2/…`) with the app's client credentials. */
  async oauth(
    path: string,
    form: Record<string, string | undefined>,
    options: { grantErrorsAreRevocations?: boolean } = {},
  ) {
    const url = new URL(`${this.config.wwwUrl.replace(/\/$/, "")}${path}`);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({
      ...form,
      client_id: this.config.credentials.clientId,
      client_secret: this.config.credentials.clientSecret,
    })) {
      if (v !== undefined) params.set(k, v);
    }
    const res = await fetchWithDeadline(
      "linkedin",
      url,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: params.toString(),
      },
      this.timeoutMs,
      this.config.fetch,
    );
    const body = await readJson(res);
    if (!res.ok) {
      throw linkedInErrorFrom(res.status, body, `POST ${path}`, {
        retryAfterSeconds: retryAfterFrom(res),
        grantErrorsAreRevocations: options.grantErrorsAreRevocations,
      });
    }
    return (body ?? {}) as Json;
  }

  /** The authorization URL; pass `codeChallenge` only for apps LinkedIn enabled PKCE for. */
  authorizationUrl(input: {
    redirectUri: string;
    state: string;
    scopes: readonly string[];
    codeChallenge?: string;
  }) {
    const url = new URL(`${this.config.wwwUrl.replace(/\/$/, "")}/oauth/v2/authorization`);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", this.config.credentials.clientId);
    url.searchParams.set("redirect_uri", input.redirectUri);
    url.searchParams.set("state", input.state);
    url.searchParams.set("scope", input.scopes.join(" "));
    if (input.codeChallenge) {
      url.searchParams.set("code_challenge", input.codeChallenge);
      url.searchParams.set("code_challenge_method", "S256");
    }
    return url.toString();
  }

  async exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<LinkedInTokenGrant> {
    const out = await this.oauth("/oauth/v2/accessToken", {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      code_verifier: codeVerifier,
    });
    return this.grantFrom(out);
  }

  /** Refresh (approved partners only). A refused refresh token is classified `revoked`. */
  async refresh(refreshToken: string): Promise<LinkedInTokenGrant> {
    const out = await this.oauth(
      "/oauth/v2/accessToken",
      { grant_type: "refresh_token", refresh_token: refreshToken },
      { grantErrorsAreRevocations: true },
    );
    return this.grantFrom(out);
  }

  async introspect(token: string): Promise<LinkedInIntrospection> {
    const out = await this.oauth("/oauth/v2/introspectToken", { token });
    return {
      active: out.active === true,
      status: str(out.status),
      expiresAt: num(out.expires_at),
      scopes: splitScopes(out.scope),
    };
  }

  /** Revoke an access token (`/oauth/v2/revoke`; [I] availability varies by app). */
  async revoke(token: string): Promise<void> {
    await this.oauth("/oauth/v2/revoke", { token });
  }

  async userinfo(token: string): Promise<LinkedInMember> {
    const { body } = await this.request<Json>("GET", "/v2/userinfo", { token });
    const sub = str(body.sub);
    if (!sub) throw linkedInErrorFrom(200, { message: "userinfo without sub" }, "GET /v2/userinfo");
    return { sub, name: str(body.name), pictureUrl: str(body.picture), email: str(body.email) };
  }

  /** The organisations the member administers (APPROVED ADMINISTRATOR ACLs), with names. */
  async administeredOrganizations(token: string): Promise<LinkedInOrganization[]> {
    const urns: { urn: string; role: string }[] = [];
    for (let page = 0, start = 0; page < MAX_ACL_PAGES; page++) {
      const { body } = await this.request<{ elements?: Json[]; paging?: { total?: number } }>(
        "GET",
        "/rest/organizationAcls",
        {
          token,
          query: { q: "roleAssignee", role: "ADMINISTRATOR", state: "APPROVED", start, count: ACL_PAGE },
        },
      );
      const elements = body.elements ?? [];
      for (const e of elements) {
        const urn = str(e.organization);
        if (urn && (e.state === undefined || e.state === "APPROVED"))
          urns.push({ urn, role: str(e.role) ?? "ADMINISTRATOR" });
      }
      start += elements.length;
      const total = body.paging?.total;
      if (elements.length < ACL_PAGE || (total !== undefined && start >= total)) break;
    }
    const orgs: LinkedInOrganization[] = [];
    for (const { urn, role } of urns) {
      const id = urn.split(":").pop() ?? urn;
      const org = await this.organization(token, id);
      orgs.push({ id, urn, role, name: org.name, vanityName: org.vanityName });
    }
    return orgs;
  }

  async organization(token: string, id: string): Promise<{ name: string; vanityName?: string }> {
    const { body } = await this.request<Json>("GET", `/rest/organizations/${encodeURIComponent(id)}`, {
      token,
      label: "GET /rest/organizations/{id}",
    });
    return {
      name: str(body.localizedName) ?? str(body.name) ?? `Organization ${id}`,
      vanityName: str(body.vanityName),
    };
  }

  private grantFrom(out: Json): LinkedInTokenGrant {
    const accessToken = str(out.access_token);
    if (!accessToken)
      throw linkedInErrorFrom(200, { error: "invalid_response" }, "token response without access_token");
    return {
      accessToken,
      expiresIn: num(out.expires_in),
      refreshToken: str(out.refresh_token),
      refreshTokenExpiresIn: num(out.refresh_token_expires_in),
      scopes: splitScopes(out.scope),
    };
  }
}
