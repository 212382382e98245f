import type { Router, SandboxResponse } from "../core/types.js";

import { decideConsent, pageTokenFor, passwordChanged, revokeApp } from "./oauth.js";
import { findApp, findPage, findUser, META_SEED } from "./seed.js";
import { grantKey, metaState, newToken, type TokenRecord } from "./state.js";

const bad = (error: string, status = 400): SandboxResponse => ({ status, body: { error } });

/** Control routes under `/_sandbox/meta/…`: revoke, password change, expire tokens, fail containers, consent, mint tokens. */
export function registerMetaControl(router: Router): void {
  router.add("POST", "/_sandbox/meta/users/:userId/revoke", (req, ctx) => {
    const user = findUser(req.params.userId);
    if (!user) return bad("no such user", 404);
    const body = (req.json() ?? {}) as { appId?: string };
    const st = metaState(ctx);
    const apps = body.appId ? [body.appId] : META_SEED.apps.map((a) => a.appId);
    for (const appId of apps) revokeApp(st, appId, user.id);
    return { status: 200, body: { ok: true, userId: user.id, apps } };
  });

  router.add("POST", "/_sandbox/meta/users/:userId/password-changed", (req, ctx) => {
    const user = findUser(req.params.userId);
    if (!user) return bad("no such user", 404);
    passwordChanged(metaState(ctx), user.id);
    return { status: 200, body: { ok: true, userId: user.id } };
  });

  // The user loses their role on a Page: its Page tokens answer 190/492 and it leaves their grants.
  router.add("POST", "/_sandbox/meta/pages/:pageId/remove-role", (req, ctx) => {
    const found = findPage(req.params.pageId);
    if (!found) return bad("no such page", 404);
    const body = (req.json() ?? {}) as { userId?: string };
    const userId = body.userId ?? found.user.id;
    const st = metaState(ctx);
    st.removedRoles.add(`${userId}|${found.page.id}`);
    for (const app of META_SEED.apps) {
      const grant = st.grants.get(grantKey(app.appId, userId));
      if (grant)
        grant.pageIds.splice(0, grant.pageIds.length, ...grant.pageIds.filter((id) => id !== found.page.id));
    }
    return { status: 200, body: { ok: true, userId, pageId: found.page.id } };
  });

  router.add("POST", "/_sandbox/meta/tokens/expire", (req, ctx) => {
    const body = (req.json() ?? {}) as { token?: string };
    const rec = metaState(ctx).tokens.get(body.token ?? "");
    if (!rec) return bad("no such token", 404);
    rec.expiresAt = ctx.clock.now() - 1_000;
    return { status: 200, body: { ok: true, expiresAt: new Date(rec.expiresAt).toISOString() } };
  });

  router.add("POST", "/_sandbox/meta/containers/:id/fail", (req, ctx) => {
    const c = metaState(ctx).containers.get(req.params.id!);
    if (!c) return bad("no such container", 404);
    const body = (req.json() ?? {}) as { subcode?: number };
    c.errorSubcode = Number.isInteger(body.subcode) ? body.subcode : 2207026;
    return { status: 200, body: { ok: true, id: c.id, subcode: c.errorSubcode } };
  });

  // Browserless consent: decide a login-dialog URL and get the redirect back.
  router.add("POST", "/_sandbox/meta/consent", (req, ctx) => {
    const body = (req.json() ?? {}) as {
      url?: string;
      userId?: string;
      decision?: string;
      pageIds?: string[];
      scopes?: string[];
    };
    let url: URL;
    try {
      url = new URL(body.url ?? "");
    } catch {
      return bad("url must be the login dialog URL");
    }
    if (body.decision !== "approve" && body.decision !== "deny")
      return bad("decision must be approve or deny");
    const result = decideConsent(ctx, url.searchParams, {
      userId: body.userId ?? META_SEED.users[0]!.id,
      approve: body.decision === "approve",
      pageIds: body.pageIds,
      scopes: body.scopes,
    });
    if ("error" in result) return bad(result.error);
    return { status: 200, body: { location: result.location } };
  });

  // Mint a user token without the dialog (for tests of the publishing path).
  router.add("POST", "/_sandbox/meta/tokens", (req, ctx) => {
    const body = (req.json() ?? {}) as {
      userId?: string;
      appId?: string;
      scopes?: string[];
      longLived?: boolean;
    };
    const user = findUser(body.userId ?? META_SEED.users[0]!.id);
    const app = findApp(body.appId ?? META_SEED.apps[0]!.appId);
    if (!user || !app) return bad("no such user or app", 404);
    const st = metaState(ctx);
    const scopes = body.scopes ?? [
      "public_profile",
      "pages_show_list",
      "pages_manage_posts",
      "pages_read_engagement",
      "pages_manage_engagement",
      "pages_manage_metadata",
      "read_insights",
      "instagram_basic",
      "instagram_content_publish",
      "instagram_manage_comments",
      "instagram_manage_insights",
    ];
    st.grants.set(grantKey(app.appId, user.id), {
      scopes,
      declined: [],
      pageIds: user.pages.map((p) => p.id),
    });
    const now = ctx.clock.now();
    const longLived = body.longLived ?? true;
    st.seq += 1;
    const rec: TokenRecord = {
      token: newToken(),
      kind: "user",
      appId: app.appId,
      userId: user.id,
      scopes,
      issuedAt: now,
      expiresAt:
        now +
        (longLived ? ctx.config.meta.longLivedTokenSeconds : ctx.config.meta.shortLivedTokenSeconds) * 1000,
      longLived,
      seq: st.seq,
      pageTokens: new Map(),
    };
    st.tokens.set(rec.token, rec);
    const pages = Object.fromEntries(user.pages.map((p) => [p.id, pageTokenFor(st, ctx, rec, p.id).token]));
    return {
      status: 200,
      body: {
        access_token: rec.token,
        expires_at: new Date(rec.expiresAt).toISOString(),
        page_tokens: pages,
      },
    };
  });
}
