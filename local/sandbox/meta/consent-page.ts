import type { SandboxResponse } from "../core/types.js";
import type { MetaSeedUser } from "./seed.js";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const SCOPE_TEXT: Record<string, string> = {
  public_profile: "Your name and profile picture",
  email: "Your email address",
  pages_show_list: "Show a list of the Pages you manage",
  pages_manage_posts: "Create and manage content on your Page",
  pages_read_engagement: "Read content posted on the Page",
  pages_manage_engagement: "Create and manage comments on your Page",
  pages_read_user_content: "Read user content on your Page",
  pages_manage_metadata: "Manage accounts, settings and webhooks for a Page",
  pages_messaging: "Manage and access Page conversations in Messenger",
  read_insights: "Read Page insights",
  business_management: "Manage your business",
  publish_video: "Publish video content on your Page",
  instagram_basic: "Access profile and posts from the Instagram account connected to your Page",
  instagram_content_publish: "Create content on the Instagram account connected to your Page",
  instagram_manage_comments: "Manage comments for the Instagram account connected to your Page",
  instagram_manage_insights: "Access insights for the Instagram account connected to your Page",
  instagram_manage_messages: "Manage messages for the Instagram account connected to your Page",
  ads_read: "Read your ads",
  ads_management: "Manage your ads",
};

const STYLE = `body{font-family:system-ui,Helvetica,Arial,sans-serif;background:#f0f2f5;margin:0;color:#1c1e21}
main{max-width:520px;margin:40px auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px #0002;padding:24px}
h1{font-size:20px;margin:0 0 4px}p.sub{color:#65676b;margin:0 0 16px}fieldset{border:1px solid #dddfe2;border-radius:6px;margin:0 0 16px}
legend{font-weight:600}label{display:block;padding:4px 0}.ig{color:#65676b;font-size:13px;margin-left:24px}
.actions{display:flex;gap:8px;justify-content:flex-end}button{font-size:15px;padding:8px 16px;border-radius:6px;border:0;cursor:pointer}
button.primary{background:#1877f2;color:#fff}button.secondary{background:#e4e6eb;color:#050505}.note{font-size:12px;color:#8a8d91;margin-top:16px}`;

/** The login dialog: who is logging in, which Pages and IG accounts, which permissions; approve or deny. */
export function consentPage(input: {
  action: string;
  pickerAction: string;
  query: URLSearchParams;
  appName: string;
  user: MetaSeedUser;
  users: readonly MetaSeedUser[];
  scopes: readonly string[];
}): SandboxResponse {
  const hidden = [...input.query]
    .filter(([k]) => k !== "sandbox_user")
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join("");
  const pickerOptions = input.users
    .map(
      (u) =>
        `<option value="${esc(u.id)}"${u.id === input.user.id ? " selected" : ""}>${esc(u.name)} (${esc(u.id)})</option>`,
    )
    .join("");
  const pages = input.user.pages
    .map(
      (p) =>
        `<label><input type="checkbox" name="page_id" value="${esc(p.id)}" checked> ${esc(p.name)}</label>` +
        (p.instagram
          ? `<div class="ig" data-ig-id="${esc(p.instagram.id)}">Instagram: @${esc(p.instagram.username)}</div>`
          : `<div class="ig">No Instagram account connected</div>`),
    )
    .join("");
  const scopes = input.scopes
    .map(
      (s) =>
        `<label><input type="checkbox" name="grant_scope" value="${esc(s)}" checked> ${esc(SCOPE_TEXT[s] ?? s)} <code>${esc(s)}</code></label>`,
    )
    .join("");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in with Facebook (sandbox)</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head><body><main>
<h1>${esc(input.appName)} is requesting access</h1>
<p class="sub">Herald provider sandbox — nothing here reaches Facebook.</p>
<form id="picker" method="get" action="${esc(input.pickerAction)}">${hidden}
<label for="sandbox_user">Continue as</label>
<select id="sandbox_user" name="sandbox_user" onchange="this.form.submit()">${pickerOptions}</select>
<noscript><button type="submit" class="secondary">Switch user</button></noscript></form>
<form id="consent" method="post" action="${esc(input.action)}">${hidden}
<input type="hidden" name="sandbox_user" value="${esc(input.user.id)}">
<fieldset><legend>Pages and Instagram accounts</legend>${pages || "<p>This user manages no Pages.</p>"}</fieldset>
<fieldset><legend>Permissions</legend>${scopes}</fieldset>
<div class="actions"><button type="submit" name="decision" value="deny" class="secondary" id="deny">Cancel</button>
<button type="submit" name="decision" value="approve" class="primary" id="approve">Continue as ${esc(input.user.name.split(" ")[0]!)}</button></div>
</form><p class="note">Signed in as ${esc(input.user.name)}.</p></main></body></html>`;
  return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: html };
}

/** The dialog's error page (bad client_id, redirect_uri or scope): no redirect happens. */
export function errorPage(message: string): SandboxResponse {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title><style>${STYLE}</style></head>
<body><main><h1>Sorry, something went wrong.</h1><p id="error">${esc(message)}</p></main></body></html>`;
  return { status: 400, headers: { "content-type": "text/html; charset=utf-8" }, body: html };
}
