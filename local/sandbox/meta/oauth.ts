import { randomBytes } from "node:crypto";
import type { Router, SandboxContext, SandboxResponse } from "../core/types.js";
import { consentPage, errorPage } from "./consent-page.js";
import { graphError, META_ERRORS } from "./errors.js";
import { fail, graph, ok, parseFields, pick, tokenProblem } from "./graph.js";
import { findApp, findPage, findUser, META_SCOPES, META_SEED } from "./seed.js";
import { grantKey, type MetaState, metaState, newToken, type TokenRecord } from "./state.js";

const G = "/meta/graph/:version(v\\d+\\.\\d+)";
const W = "/meta/www/:version(v\\d+\\.\\d+)";

/** The parameters the login dialog was opened with. */
interface DialogParams {
  clientId: string;
  redirectUri: string;
  state: string;
  scopes: string[];
  responseType: string;
}

function dialogParams(p: URLSearchParams): DialogParams | { error: string } {
  const clientId = p.get("client_id") ?? "";
  const app = findApp(clientId);
  if (!app) return { error: "Invalid App ID: the app ID you supplied does not belong to a sandbox app." };
  const redirectUri = p.get("redirect_uri") ?? "";
  try {
    const u = new URL(redirectUri);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("scheme");
  } catch {
    return { error: "URL blocked: the redirect_uri is missing or is not an http(s) URL." };
  }
  const scopes = (p.get("scope") ?? "public_profile")
    .split(/[,\s]+/)
    .filter(Boolean)
    .filter((s, i, all) => all.indexOf(s) === i);
  const unknown = scopes.filter((s) => !(META_SCOPES as readonly string[]).includes(s));
  if (unknown.length) return { error: `Invalid Scopes: ${unknown.join(", ")}.` };
  const responseType = p.get("response_type") ?? "code";
  if (!["code", "token", "code token", "token code"].includes(responseType)) {
    return { error: `Invalid response_type: ${responseType}.` };
  }
  return { clientId, redirectUri, state: p.get("state") ?? "", scopes, responseType };
}

/** Issue a user token (and remember the grant it stands for). */
function issueUserToken(
  st: MetaState,
  ctx: SandboxContext,
  appId: string,
  userId: string,
  longLived: boolean,
): TokenRecord {
  const grant = st.grants.get(grantKey(appId, userId));
  const now = ctx.clock.now();
  const life = longLived ? ctx.config.meta.longLivedTokenSeconds : ctx.config.meta.shortLivedTokenSeconds;
  st.seq += 1;
  const rec: TokenRecord = {
    token: newToken(),
    kind: "user",
    appId,
    userId,
    scopes: grant?.scopes ?? [],
    issuedAt: now,
    expiresAt: now + life * 1000,
    longLived,
    seq: st.seq,
    pageTokens: new Map(),
  };
  st.tokens.set(rec.token, rec);
  return rec;
}

/** The Page token `/me/accounts` gives for a user token: the same one on every call. */
export function pageTokenFor(
  st: MetaState,
  ctx: SandboxContext,
  user: TokenRecord,
  pageId: string,
): TokenRecord {
  const existing = user.pageTokens.get(pageId);
  const rec = existing ? st.tokens.get(existing) : undefined;
  if (rec) return rec;
  st.seq += 1;
  const now = ctx.clock.now();
  const made: TokenRecord = {
    token: newToken(),
    kind: "page",
    appId: user.appId,
    userId: user.userId,
    pageId,
    scopes: user.scopes,
    issuedAt: now,
    // From a long-lived user token a Page token never expires; otherwise about an hour.
    expiresAt: user.longLived ? 0 : now + ctx.config.meta.shortLivedPageTokenSeconds * 1000,
    longLived: user.longLived,
    seq: st.seq,
    pageTokens: new Map(),
  };
  st.tokens.set(made.token, made);
  user.pageTokens.set(pageId, made.token);
  return made;
}

const redirect = (location: string): SandboxResponse => ({
  status: 302,
  headers: { location, "content-type": "text/html; charset=utf-8" },
  body: "",
});

/**
 * Decide a login dialog: approve (a code or token in the redirect) or deny
 * (`error=access_denied`). Shared by the HTML form and the browserless control route.
 */
export function decideConsent(
  ctx: SandboxContext,
  params: URLSearchParams,
  decision: { userId: string; approve: boolean; pageIds?: string[]; scopes?: string[] },
): { location: string } | { error: string } {
  const d = dialogParams(params);
  if ("error" in d) return d;
  const user = findUser(decision.userId);
  if (!user) return { error: `No sandbox user ${decision.userId}.` };
  const target = new URL(d.redirectUri);
  if (!decision.approve) {
    target.searchParams.set("error", "access_denied");
    target.searchParams.set("error_code", "200");
    target.searchParams.set("error_description", "Permissions error");
    target.searchParams.set("error_reason", "user_denied");
    target.searchParams.set("state", d.state);
    return { location: `${target.toString()}#_=_` };
  }
  const st = metaState(ctx);
  const granted = decision.scopes ? d.scopes.filter((s) => decision.scopes!.includes(s)) : d.scopes;
  if (!granted.includes("public_profile")) granted.unshift("public_profile");
  const userPages = user.pages.map((p) => p.id);
  const pageIds = decision.pageIds ? userPages.filter((id) => decision.pageIds!.includes(id)) : userPages;
  st.grants.set(grantKey(d.clientId, user.id), {
    scopes: granted,
    declined: d.scopes.filter((s) => !granted.includes(s)),
    pageIds,
  });
  const fragment = new URLSearchParams();
  if (d.responseType.includes("code")) {
    const code = `AQ${randomBytes(96).toString("base64url")}`;
    st.codes.set(code, {
      appId: d.clientId,
      userId: user.id,
      redirectUri: d.redirectUri,
      createdAt: ctx.clock.now(),
      used: false,
    });
    target.searchParams.set("code", code);
  }
  if (d.responseType.includes("token")) {
    const t = issueUserToken(st, ctx, d.clientId, user.id, false);
    fragment.set("access_token", t.token);
    fragment.set("data_access_expiration_time", String(Math.floor(ctx.clock.now() / 1000) + 90 * 86_400));
    fragment.set("expires_in", String(ctx.config.meta.shortLivedTokenSeconds));
    fragment.set("state", d.state);
  }
  target.searchParams.set("state", d.state);
  return { location: `${target.toString()}#${fragment.size ? fragment.toString() : "_"}` };
}

/** Register the login dialog, token endpoints, `/me`, `/me/accounts`, permissions and `debug_token`. */
export function registerOAuth(router: Router): void {
  // The login dialog: an HTML consent page with a user picker.
  router.add("GET", `${W}/dialog/oauth`, (req, ctx) => {
    const d = dialogParams(req.query);
    if ("error" in d) return errorPage(d.error);
    const user = findUser(req.query.get("sandbox_user")) ?? META_SEED.users[0]!;
    const app = findApp(d.clientId)!;
    return consentPage({
      action: `${ctx.baseUrl}/meta/www/${req.params.version}/dialog/oauth/submit`,
      pickerAction: `${ctx.baseUrl}${req.path}`,
      query: req.query,
      appName: app.name,
      user,
      users: META_SEED.users,
      scopes: d.scopes,
    });
  });

  router.add("POST", `${W}/dialog/oauth/submit`, (req, ctx) => {
    const form = req.form();
    const result = decideConsent(ctx, form, {
      userId: form.get("sandbox_user") ?? "",
      approve: form.get("decision") === "approve",
      pageIds: form.getAll("page_id"),
      scopes: form.getAll("grant_scope"),
    });
    if ("error" in result) return errorPage(result.error);
    return redirect(result.location);
  });

  // Code exchange and long-lived exchange.
  router.add(
    "GET",
    `${G}/oauth/access_token`,
    graph((g) => {
      const { req, st, ctx, p, now } = g;
      const app = findApp(p.get("client_id"));
      if (!app)
        return fail(req, { message: "Error validating application. Invalid application ID.", code: 101 });
      if (p.get("client_secret") !== app.appSecret) {
        return fail(req, { message: "Error validating client secret.", code: 1 });
      }
      if (p.get("grant_type") === "fb_exchange_token") {
        const short = st.tokens.get(p.get("fb_exchange_token") ?? "");
        if (short?.kind !== "user" || short.appId !== app.appId) {
          return fail(req, META_ERRORS.sessionInvalid());
        }
        const problem = tokenProblem(st, short, now);
        if (problem) return fail(req, problem);
        const long = issueUserToken(st, ctx, app.appId, short.userId, true);
        return ok(req, {
          access_token: long.token,
          token_type: "bearer",
          expires_in: Math.round((long.expiresAt - now) / 1000),
        });
      }
      if (p.get("grant_type") === "client_credentials") {
        return ok(req, { access_token: `${app.appId}|${app.appSecret}`, token_type: "bearer" });
      }
      const codeValue = p.get("code") ?? "";
      const code = st.codes.get(codeValue);
      if (!code || code.appId !== app.appId) {
        return fail(req, META_ERRORS.invalidParam("Invalid verification code format."), {});
      }
      const authErr = (message: string, subcode: number) =>
        graphError(req, { message, code: 100, error_subcode: subcode }, { wwwAuthenticate: "invalid_code" });
      if (code.used) return authErr("This authorization code has been used.", 36009);
      if (now - code.createdAt > ctx.config.meta.codeLifetimeSeconds * 1000) {
        return authErr("This authorization code has expired.", 36007);
      }
      if ((p.get("redirect_uri") ?? "") !== code.redirectUri) {
        return authErr(
          "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
          36008,
        );
      }
      code.used = true;
      const t = issueUserToken(st, ctx, app.appId, code.userId, ctx.config.meta.codeExchangeLongLived);
      return ok(req, {
        access_token: t.token,
        token_type: "bearer",
        expires_in: Math.round((t.expiresAt - now) / 1000),
      });
    }, "none"),
  );

  router.add(
    "GET",
    `${G}/debug_token`,
    graph((g) => {
      const { req, st, now } = g;
      const input = g.p.get("input_token") ?? "";
      const rec = st.tokens.get(input);
      if (!rec) {
        return ok(req, {
          data: {
            error: { code: 190, message: "Invalid OAuth access token - Cannot parse access token" },
            is_valid: false,
            scopes: [],
          },
        });
      }
      const app = findApp(rec.appId)!;
      const problem = tokenProblem(st, rec, now);
      const grant = st.grants.get(grantKey(rec.appId, rec.userId));
      const data: Record<string, unknown> = {
        app_id: rec.appId,
        type: rec.kind === "page" ? "PAGE" : "USER",
        application: app.name,
        data_access_expires_at: Math.floor(rec.issuedAt / 1000) + 90 * 86_400,
        expires_at: rec.expiresAt === 0 ? 0 : Math.floor(rec.expiresAt / 1000),
        is_valid: problem === undefined,
        issued_at: Math.floor(rec.issuedAt / 1000),
        scopes: rec.scopes,
        granular_scopes: rec.scopes
          .filter((s) => s.startsWith("pages_") || s.startsWith("instagram_"))
          .map((scope) => ({
            scope,
            target_ids: scope.startsWith("instagram_")
              ? (grant?.pageIds ?? []).map((id) => findPage(id)?.page.instagram?.id).filter(Boolean)
              : (grant?.pageIds ?? []),
          })),
        user_id: rec.userId,
      };
      if (rec.kind === "page") data.profile_id = rec.pageId;
      if (problem)
        data.error = { code: problem.code, message: problem.message, subcode: problem.error_subcode };
      return ok(req, { data });
    }, "app-or-user"),
  );

  router.add(
    "GET",
    `${G}/me/permissions`,
    graph((g) => {
      if (g.token?.kind !== "user") return fail(g.req, META_ERRORS.nonexistingField("permissions", "Page"));
      const grant = g.st.grants.get(grantKey(g.token.appId, g.token.userId));
      return ok(g.req, {
        data: [
          ...(grant?.scopes ?? []).map((permission) => ({ permission, status: "granted" })),
          ...(grant?.declined ?? []).map((permission) => ({ permission, status: "declined" })),
        ],
      });
    }),
  );

  router.add(
    "DELETE",
    `${G}/:id/permissions`,
    graph((g) => {
      const userId = g.req.params.id === "me" ? g.token?.userId : g.req.params.id;
      if (g.token?.kind !== "user" || userId !== g.token.userId) {
        return fail(g.req, META_ERRORS.permission10());
      }
      revokeApp(g.st, g.token.appId, g.token.userId);
      return ok(g.req, { success: true });
    }),
  );

  router.add(
    "GET",
    `${G}/me/accounts`,
    graph((g) => {
      const { req, st, ctx, token } = g;
      if (token?.kind !== "user") return fail(req, META_ERRORS.nonexistingField("accounts", "Page"));
      const grant = st.grants.get(grantKey(token.appId, token.userId));
      const user = findUser(token.userId)!;
      const pages = token.scopes.includes("pages_show_list")
        ? user.pages.filter((p) => grant?.pageIds.includes(p.id))
        : [];
      const fields = parseFields(g.p.get("fields"));
      const limit = Math.max(
        1,
        Math.min(100, Number(g.p.get("limit") ?? ctx.config.meta.defaultPageLimit) || 25),
      );
      const start = Number(Buffer.from(g.p.get("after") ?? "", "base64url").toString() || 0) || 0;
      const slice = pages.slice(start, start + limit);
      const data: Record<string, unknown>[] = [];
      for (const page of slice) {
        const full: Record<string, unknown> = {
          id: page.id,
          name: page.name,
          username: page.username,
          category: page.category,
          category_list: [{ id: "2200", name: page.category }],
          tasks: page.tasks,
          access_token: pageTokenFor(st, ctx, token, page.id).token,
          picture: {
            data: {
              url: `${ctx.baseUrl}/media/square-1080.jpg`,
              height: 200,
              width: 200,
              is_silhouette: false,
            },
          },
          instagram_business_account: page.instagram
            ? { id: page.instagram.id, username: page.instagram.username, name: page.instagram.name }
            : undefined,
          link: `https://www.facebook.com/${page.id}`,
        };
        const picked = pick(
          full,
          fields,
          ["access_token", "category", "category_list", "name", "id", "tasks"],
          "Page",
        );
        if (!picked.ok) return fail(req, META_ERRORS.nonexistingField(picked.field, "Page"));
        data.push(picked.value);
      }
      const cursor = (i: number) => Buffer.from(String(i)).toString("base64url");
      const paging: Record<string, unknown> = {
        cursors: { before: cursor(start), after: cursor(start + slice.length) },
      };
      if (start + limit < pages.length) {
        const next = new URL(`${ctx.baseUrl}${req.path}`);
        for (const [k, v] of g.p) if (k !== "after") next.searchParams.set(k, v);
        next.searchParams.set("after", cursor(start + limit));
        paging.next = next.toString();
      }
      return ok(req, { data, paging });
    }),
  );

  router.add(
    "GET",
    `${G}/me`,
    graph((g) => {
      const { req, token } = g;
      if (token?.kind === "page") {
        const page = findPage(token.pageId)!.page;
        const picked = pick(
          { id: page.id, name: page.name, username: page.username, category: page.category },
          parseFields(g.p.get("fields")),
          ["name", "id"],
          "Page",
        );
        return picked.ok
          ? ok(req, picked.value)
          : fail(req, META_ERRORS.nonexistingField(picked.field, "Page"));
      }
      const user = findUser(token!.userId)!;
      const full = {
        id: user.id,
        name: user.name,
        first_name: user.name.split(" ")[0],
        last_name: user.name.split(" ").slice(1).join(" "),
        email: token!.scopes.includes("email") ? user.email : undefined,
        picture: {
          data: {
            url: `${g.ctx.baseUrl}/media/square-1080.jpg`,
            height: 50,
            width: 50,
            is_silhouette: false,
          },
        },
      };
      const picked = pick(full, parseFields(g.p.get("fields")), ["name", "id"], "User");
      return picked.ok
        ? ok(req, picked.value)
        : fail(req, META_ERRORS.nonexistingField(picked.field, "User"));
    }),
  );
}

/** The user removed the app: every token of theirs for it dies with 190/458. */
export function revokeApp(st: MetaState, appId: string, userId: string): void {
  st.grants.delete(grantKey(appId, userId));
  st.seq += 1;
  const inv = st.invalidations.get(userId) ?? {};
  inv.appRemovedSeq = st.seq;
  st.invalidations.set(userId, inv);
}

/** The user changed their password: every session token dies with 190/460. */
export function passwordChanged(st: MetaState, userId: string): void {
  st.seq += 1;
  const inv = st.invalidations.get(userId) ?? {};
  inv.passwordSeq = st.seq;
  st.invalidations.set(userId, inv);
}
