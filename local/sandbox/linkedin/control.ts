import type { Router, SandboxContext, SandboxRequest, SandboxResponse } from "../core/types.js";
import { CONTROL } from "./api.js";
import { mediaStatus } from "./media.js";
import { issueTokens, redirectAllowed, splitScopes } from "./oauth.js";
import { findApp, findMember, type LinkedInSettings, liState, opaqueToken } from "./state.js";

/**
 * Test and demo controls for the LinkedIn sandbox under `/_sandbox/linkedin/…` (never part of
 * LinkedIn): settings, minting/expiring/revoking tokens, revoking a member's grant, failing a
 * media item, changing org roles, approving a consent without a page, listing posts.
 */

function ok(body: unknown, status = 200): SandboxResponse {
  return { status, headers: { "content-type": "application/json" }, body };
}

function bad(message: string, status = 400): SandboxResponse {
  return ok({ error: message }, status);
}

function body(req: SandboxRequest): Record<string, unknown> {
  try {
    const b = req.json();
    return typeof b === "object" && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

export function registerControl(router: Router): void {
  router.add("GET", `${CONTROL}/settings`, (_req, ctx) => ok(liState(ctx).settings));

  router.add("PUT", `${CONTROL}/settings`, (req, ctx) => {
    const settings = liState(ctx).settings;
    const patch = body(req);
    for (const [key, value] of Object.entries(patch)) {
      if (!(key in settings)) return bad(`unknown setting ${key}`);
      const current = settings[key as keyof LinkedInSettings];
      if (Array.isArray(current) !== Array.isArray(value) || typeof current !== typeof value) {
        return bad(`${key} must be ${Array.isArray(current) ? "an array" : `a ${typeof current}`}`);
      }
    }
    Object.assign(settings, patch);
    return ok(settings);
  });

  router.add("POST", `${CONTROL}/tokens`, (req, ctx) => {
    const st = liState(ctx);
    const b = body(req);
    const member = findMember(st, str(b.member));
    if (!member) return bad("member must be a seeded member sub (GET /_sandbox/seed)");
    const app = findApp(st, str(b.clientId) ?? st.apps[0]?.clientId);
    if (!app) return bad("clientId must be a seeded app");
    const scopes = Array.isArray(b.scopes) ? b.scopes.map(String) : splitScopes(str(b.scope) ?? null);
    const granted = scopes.length > 0 ? scopes : ["openid", "profile", "email", "w_member_social"];
    if (granted.some((s) => !app.scopes.includes(s)))
      return bad(`scopes must be among ${app.scopes.join(", ")}`);
    const expiresInSeconds = typeof b.expiresInSeconds === "number" ? b.expiresInSeconds : undefined;
    const { access, refresh } = issueTokens(ctx, st, {
      clientId: app.clientId,
      member: member.sub,
      scopes: granted,
      expiresInSeconds,
    });
    return ok(
      {
        access_token: access.token,
        expires_in: Math.ceil((access.expiresAt - ctx.clock.now()) / 1000),
        scope: access.scopes.join(","),
        ...(refresh
          ? {
              refresh_token: refresh.token,
              refresh_token_expires_in: Math.ceil((refresh.expiresAt - ctx.clock.now()) / 1000),
            }
          : {}),
        member: member.sub,
        clientId: app.clientId,
      },
      201,
    );
  });

  const tokenAction = (action: "expire" | "revoke") => (req: SandboxRequest, ctx: SandboxContext) => {
    const st = liState(ctx);
    const raw = str(body(req).token) ?? "";
    const t = st.tokens.get(raw) ?? st.refreshTokens.get(raw);
    if (!t) return bad("token not found", 404);
    if (action === "revoke") t.revoked = true;
    else t.expiresAt = ctx.clock.now() - 1;
    return ok({
      token: "…",
      member: t.member,
      clientId: t.clientId,
      [action === "revoke" ? "revoked" : "expired"]: true,
    });
  };
  router.add("POST", `${CONTROL}/tokens/expire`, tokenAction("expire"));
  router.add("POST", `${CONTROL}/tokens/revoke`, tokenAction("revoke"));

  router.add("POST", `${CONTROL}/members/:sub/revoke`, (req, ctx) => {
    const st = liState(ctx);
    const member = findMember(st, req.params.sub);
    if (!member) return bad("unknown member", 404);
    const clientId = str(body(req).clientId);
    let revoked = 0;
    for (const t of [...st.tokens.values(), ...st.refreshTokens.values()]) {
      if (t.member === member.sub && (!clientId || t.clientId === clientId) && !t.revoked) {
        t.revoked = true;
        revoked += 1;
      }
    }
    return ok({ member: member.sub, revoked });
  });

  router.add("POST", `${CONTROL}/media/:urn/fail`, (req, ctx) => {
    const asset = liState(ctx).media.get(req.params.urn ?? "");
    if (!asset) return bad("unknown media URN", 404);
    asset.failureReason = str(body(req).reason) ?? "Processing failed (sandbox control)";
    return ok({ id: asset.urn, ...mediaStatus(ctx, asset) });
  });

  router.add("PUT", `${CONTROL}/acls`, (req, ctx) => {
    const st = liState(ctx);
    const b = body(req);
    const member = findMember(st, str(b.member));
    const organization = Number(b.organization);
    if (!member || !st.organizations.some((o) => o.id === organization)) {
      return bad("member and organization must be seeded ids");
    }
    const role = str(b.role) ?? "ADMINISTRATOR";
    const state = (str(b.state) ?? "APPROVED") as "APPROVED" | "REQUESTED" | "REJECTED" | "REVOKED";
    st.acls = st.acls.filter(
      (a) => !(a.member === member.sub && a.organization === organization && a.role === role),
    );
    st.acls.push({ member: member.sub, organization, role, state });
    return ok({ acls: st.acls.filter((a) => a.member === member.sub) });
  });

  router.add("GET", `${CONTROL}/posts`, (_req, ctx) =>
    ok({
      posts: [...liState(ctx).posts.values()].map((p) => ({
        id: p.urn,
        author: p.author,
        commentary: p.commentary,
        text: p.text,
        lifecycleState: p.lifecycleState,
        deleted: p.deleted,
        createdAt: new Date(p.createdAt).toISOString(),
      })),
    }),
  );

  // Approve a consent without the page: answers the redirect a browser would follow.
  router.add("POST", `${CONTROL}/authorize`, (req, ctx) => {
    const st = liState(ctx);
    const b = body(req);
    const app = findApp(st, str(b.clientId) ?? st.apps[0]?.clientId);
    const member = findMember(st, str(b.member) ?? st.members[0]?.sub);
    const redirectUri = str(b.redirectUri) ?? "";
    if (!app || !member) return bad("clientId and member must be seeded ids");
    if (!redirectAllowed(st, app, redirectUri)) return bad("Redirect_uri doesn't match");
    const scopes = Array.isArray(b.scopes) ? b.scopes.map(String) : splitScopes(str(b.scope) ?? null);
    if (scopes.length === 0 || scopes.some((s) => !app.scopes.includes(s))) return bad("Invalid scope");
    const code = opaqueToken("AQ", 160);
    st.codes.set(code, {
      code,
      clientId: app.clientId,
      redirectUri,
      member: member.sub,
      scopes,
      expiresAt: ctx.clock.now() + st.settings.codeSeconds * 1000,
      codeChallenge: str(b.codeChallenge),
      codeChallengeMethod: str(b.codeChallenge) ? (str(b.codeChallengeMethod) ?? "S256") : undefined,
      used: false,
    });
    const location = new URL(redirectUri);
    location.searchParams.set("code", code);
    if (str(b.state)) location.searchParams.set("state", str(b.state) as string);
    return ok({ code, location: location.toString() });
  });
}
