import type { LinkedInSeedApp, LinkedInSeedMember } from "./seed.js";
import { SCOPE_DESCRIPTIONS } from "./seed.js";

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f2ee;margin:0;color:#1d2226}
header{background:#fff;border-bottom:1px solid #ddd;padding:12px 24px;font-weight:700;color:#0a66c2}
main{max-width:480px;margin:32px auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 0 0 1px #0000001a}
h1{font-size:20px;margin:0 0 16px}ul{padding-left:20px}li{margin:6px 0}
fieldset{border:1px solid #ddd;border-radius:6px;margin:16px 0}label{display:block;margin:6px 0}
.actions{display:flex;gap:12px;justify-content:flex-end;margin-top:16px}
button{border-radius:24px;padding:8px 20px;font-size:16px;cursor:pointer;border:1px solid #0a66c2}
button.primary{background:#0a66c2;color:#fff}button.secondary{background:#fff;color:#0a66c2}
.note{font-size:12px;color:#666}`;

function layout(title: string, inner: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body><header>in · LinkedIn sandbox</header><main>${inner}</main></body></html>`;
}

/** The consent screen: app, requested permissions, who signs in, Allow / Cancel. */
export function consentPage(input: {
  readonly app: LinkedInSeedApp;
  readonly scopes: readonly string[];
  readonly members: readonly LinkedInSeedMember[];
  readonly requestId: string;
  readonly redirectUri: string;
}): string {
  const seen = new Set<string>();
  const items = input.scopes
    .map((s) => SCOPE_DESCRIPTIONS[s] ?? s)
    .filter((d) => {
      if (seen.has(d)) return false;
      seen.add(d);
      return true;
    })
    .map((d) => `<li>${escapeHtml(d)}</li>`)
    .join("");
  const scopeList = input.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(" ");
  const members = input.members
    .map(
      (m, i) =>
        `<label><input type="radio" name="member" value="${escapeHtml(m.sub)}" data-member="${escapeHtml(m.sub)}"${
          i === 0 ? " checked" : ""
        }> ${escapeHtml(`${m.givenName} ${m.familyName}`)} <span class="note">${escapeHtml(m.email)}</span></label>`,
    )
    .join("");
  return layout(
    `${input.app.name} · LinkedIn sandbox`,
    `<h1 id="app-name">${escapeHtml(input.app.name)} would like to:</h1>
<ul id="permissions">${items}</ul>
<p class="note">Scopes: ${scopeList}</p>
<form method="post" action="authorization-submit" id="consent">
<input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
<fieldset><legend>Sign in as</legend>${members}</fieldset>
<p class="note">You will be sent to ${escapeHtml(input.redirectUri)}</p>
<div class="actions">
<button type="submit" class="secondary" name="action" value="cancel" id="cancel">Cancel</button>
<button type="submit" class="primary" name="action" value="allow" id="allow">Allow</button>
</div></form>`,
  );
}

/** LinkedIn's error page for a bad authorization request ("Bummer, something went wrong."). */
export function errorPage(message: string): string {
  return layout(
    "LinkedIn sandbox · error",
    `<h1>Bummer, something went wrong.</h1><p id="error-message">${escapeHtml(message)}</p>`,
  );
}
