/**
 * Herald's Meta Graph API client: Facebook Login, token exchange and inspection, and the
 * Pages (with their Instagram professional accounts) a user granted. One request function
 * (`request`) does every Graph call; the publishing engine extends this client with its own
 * calls on top of it.
 *
 * Base URLs replace the real hosts (`https://graph.facebook.com`, `https://www.facebook.com`)
 * and real paths follow, so the same code runs against Meta and the local sandbox.
 * Tokens travel in the `Authorization: Bearer` header (never in URLs, which end up in logs),
 * each with `appsecret_proof` so a leaked token is useless without the app secret.
 */
import { createHmac } from "node:crypto";
import { DEFAULT_TIMEOUT_MS, type FetchLike, fetchWithDeadline, readJson, retryAfterFrom } from "../http.js";
import { metaErrorFrom } from "./errors.js";

export const DEFAULT_META_GRAPH_VERSION = "v25.0";

export interface MetaAppCredentials {
  readonly appId: string;
  readonly appSecret: string;
}

export interface MetaClientConfig {
  /** Replaces `https://graph.facebook.com`. */
  readonly graphUrl: string;
  /** Replaces `https://www.facebook.com`. */
  readonly wwwUrl: string;
  /** `vNN.N`; defaults to DEFAULT_META_GRAPH_VERSION. */
  readonly version?: string;
  readonly credentials: MetaAppCredentials;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
  /** Sees every Graph answer's status and headers (usage headers feed the publishing breaker). */
  readonly onResponse?: (answer: { readonly status: number; readonly headers: Headers }) => void;
}

export interface MetaRequestOptions {
  /** Query parameters (GET/DELETE) or form fields (POST). */
  readonly params?: Record<string, string | number | boolean | undefined>;
  /** User or Page token; sent as a bearer token with its appsecret_proof. */
  readonly token?: string;
  /** Label for error messages (defaults to the path). */
  readonly label?: string;
}

export interface MetaTokenGrant {
  readonly accessToken: string;
  /** Seconds; absent for tokens that do not expire. */
  readonly expiresIn?: number;
}

export interface MetaInstagramAccount {
  readonly id: string;
  readonly username?: string;
  readonly name?: string;
  readonly profilePictureUrl?: string;
}

export interface MetaPage {
  readonly id: string;
  readonly name: string;
  readonly username?: string;
  readonly category?: string;
  readonly tasks: readonly string[];
  readonly accessToken: string;
  readonly pictureUrl?: string;
  readonly instagram?: MetaInstagramAccount;
}

export interface MetaPermissions {
  readonly granted: readonly string[];
  readonly declined: readonly string[];
}

export interface MetaTokenInfo {
  readonly appId?: string;
  readonly type?: string;
  readonly isValid: boolean;
  /** Epoch seconds; 0 = never expires. */
  readonly expiresAt?: number;
  readonly dataAccessExpiresAt?: number;
  readonly userId?: string;
  readonly profileId?: string;
  readonly scopes: readonly string[];
}

const PAGE_FIELDS =
  "id,name,username,access_token,tasks,category,picture.type(large){url}," +
  "instagram_business_account{id,username,name,profile_picture_url}";
/** Pages per `/me/accounts` request, and a ceiling on pages of pages (no endless paging). */
const PAGE_LIMIT = 100;
const MAX_PAGES = 50;

type Json = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export class MetaClient {
  readonly version: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: FetchLike | undefined;

  constructor(private readonly config: MetaClientConfig) {
    this.version = config.version ?? DEFAULT_META_GRAPH_VERSION;
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = config.fetch;
  }

  /** `hex(HMAC-SHA256(app secret, token))`. */
  appSecretProof(token: string): string {
    return createHmac("sha256", this.config.credentials.appSecret).update(token).digest("hex");
  }

  /** The one Graph request function: versioned path, token, typed errors. */
  async request<T = Json>(method: "GET" | "POST" | "DELETE", path: string, options: MetaRequestOptions = {}) {
    const url = new URL(`${this.config.graphUrl.replace(/\/$/, "")}/${this.version}${path}`);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.params ?? {})) if (v !== undefined) params.set(k, String(v));
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) {
      headers.authorization = `Bearer ${options.token}`;
      params.set("appsecret_proof", this.appSecretProof(options.token));
    }
    let body: string | undefined;
    if (method === "POST") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = params.toString();
    } else {
      for (const [k, v] of params) url.searchParams.set(k, v);
    }
    const res = await fetchWithDeadline(
      "meta",
      url,
      { method, headers, body },
      this.timeoutMs,
      this.fetchImpl,
    );
    this.config.onResponse?.({ status: res.status, headers: res.headers });
    const json = await readJson(res);
    if (!res.ok || (typeof json === "object" && json !== null && "error" in json)) {
      throw metaErrorFrom(res.status, json, `${method} ${options.label ?? path}`, retryAfterFrom(res));
    }
    return (json ?? {}) as T;
  }

  /** The Facebook Login dialog URL (`response_type=code`). */
  authorizationUrl(input: {
    redirectUri: string;
    state: string;
    scopes: readonly string[];
    rerequest?: boolean;
  }) {
    const url = new URL(`${this.config.wwwUrl.replace(/\/$/, "")}/${this.version}/dialog/oauth`);
    url.searchParams.set("client_id", this.config.credentials.appId);
    url.searchParams.set("redirect_uri", input.redirectUri);
    url.searchParams.set("state", input.state);
    url.searchParams.set("scope", input.scopes.join(","));
    url.searchParams.set("response_type", "code");
    if (input.rerequest) url.searchParams.set("auth_type", "rerequest");
    return url.toString();
  }

  /** Exchange an authorization code (single use) for a short-lived user token. */
  async exchangeCode(code: string, redirectUri: string): Promise<MetaTokenGrant> {
    // Meta documents GET for the token endpoints; the URL is never logged.
    const out = await this.request("GET", "/oauth/access_token", {
      params: {
        client_id: this.config.credentials.appId,
        client_secret: this.config.credentials.appSecret,
        redirect_uri: redirectUri,
        code,
      },
      label: "code exchange",
    });
    return this.grantFrom(out);
  }

  /** Short-lived (or a still-valid long-lived) user token → long-lived user token (~60 days). */
  async exchangeForLongLived(userToken: string): Promise<MetaTokenGrant> {
    const out = await this.request("GET", "/oauth/access_token", {
      params: {
        grant_type: "fb_exchange_token",
        client_id: this.config.credentials.appId,
        client_secret: this.config.credentials.appSecret,
        fb_exchange_token: userToken,
      },
      label: "long-lived exchange",
    });
    return this.grantFrom(out);
  }

  /** The app-scoped user behind a token. */
  async me(userToken: string): Promise<{ id: string; name?: string; pictureUrl?: string }> {
    const out = await this.request("GET", "/me", { token: userToken, params: { fields: "id,name" } });
    const id = str(out.id);
    if (!id) throw metaErrorFrom(200, {}, "GET /me returned no id");
    return { id, name: str(out.name) };
  }

  /**
   * The Pages the user granted, each with its Page token and linked Instagram professional
   * account. Paging follows the `after` cursor on our own base URL; `paging.next` is not
   * fetched, so a response cannot send the token to another host.
   */
  async listPages(userToken: string): Promise<MetaPage[]> {
    const pages: MetaPage[] = [];
    let after: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const out = await this.request<{
        data?: Json[];
        paging?: { cursors?: { after?: string }; next?: string };
      }>("GET", "/me/accounts", {
        token: userToken,
        params: { fields: PAGE_FIELDS, limit: PAGE_LIMIT, after },
      });
      for (const p of out.data ?? []) {
        const page = await this.pageFrom(p);
        if (page) pages.push(page);
      }
      after = out.paging?.cursors?.after;
      if (!out.paging?.next || !after || (out.data ?? []).length === 0) break;
    }
    return pages;
  }

  /** An Instagram professional account's profile (used when `/me/accounts` did not expand it). */
  async instagramAccount(igUserId: string, token: string): Promise<MetaInstagramAccount> {
    const out = await this.request("GET", `/${encodeURIComponent(igUserId)}`, {
      token,
      params: { fields: "id,username,name,profile_picture_url" },
      label: "GET /{ig-user-id}",
    });
    return {
      id: str(out.id) ?? igUserId,
      username: str(out.username),
      name: str(out.name),
      profilePictureUrl: str(out.profile_picture_url),
    };
  }

  /** Granted and declined permissions of a user token. */
  async permissions(userToken: string): Promise<MetaPermissions> {
    const out = await this.request<{ data?: { permission?: string; status?: string }[] }>(
      "GET",
      "/me/permissions",
      {
        token: userToken,
      },
    );
    const granted: string[] = [];
    const declined: string[] = [];
    for (const p of out.data ?? []) {
      if (!p.permission) continue;
      if (p.status === "granted") granted.push(p.permission);
      else declined.push(p.permission);
    }
    return { granted, declined };
  }

  /** Inspect any token with the app token (`debug_token`). */
  async debugToken(inputToken: string): Promise<MetaTokenInfo> {
    const appToken = `${this.config.credentials.appId}|${this.config.credentials.appSecret}`;
    const out = await this.request<{ data?: Json }>("GET", "/debug_token", {
      token: appToken,
      params: { input_token: inputToken },
    });
    const d = out.data ?? {};
    return {
      appId: str(d.app_id),
      type: str(d.type),
      isValid: d.is_valid === true,
      expiresAt: num(d.expires_at),
      dataAccessExpiresAt: num(d.data_access_expires_at),
      userId: str(d.user_id),
      profileId: str(d.profile_id),
      scopes: Array.isArray(d.scopes) ? d.scopes.filter((s): s is string => typeof s === "string") : [],
    };
  }

  /** Remove the app's grant for the user (`DELETE /me/permissions`). */
  async revokePermissions(userToken: string): Promise<boolean> {
    const out = await this.request("DELETE", "/me/permissions", { token: userToken });
    return out.success === true;
  }

  private grantFrom(out: Json): MetaTokenGrant {
    const accessToken = str(out.access_token);
    if (!accessToken) throw metaErrorFrom(200, {}, "token response without access_token");
    return { accessToken, expiresIn: num(out.expires_in) };
  }

  private async pageFrom(p: Json): Promise<MetaPage | undefined> {
    const id = str(p.id);
    const accessToken = str(p.access_token);
    if (!id || !accessToken) return undefined;
    const picture = p.picture as { data?: { url?: string } } | undefined;
    const igRaw = p.instagram_business_account as Json | undefined;
    let instagram: MetaInstagramAccount | undefined;
    const igId = str(igRaw?.id);
    if (igId) {
      instagram = {
        id: igId,
        username: str(igRaw?.username),
        name: str(igRaw?.name),
        profilePictureUrl: str(igRaw?.profile_picture_url),
      };
      if (!instagram.username) instagram = await this.instagramAccount(igId, accessToken);
    }
    return {
      id,
      name: str(p.name) ?? id,
      username: str(p.username),
      category: str(p.category),
      tasks: Array.isArray(p.tasks) ? p.tasks.filter((t): t is string => typeof t === "string") : [],
      accessToken,
      pictureUrl: str(picture?.data?.url),
      instagram,
    };
  }
}
