/**
 * End to end, over HTTP as a person with a browser would: connect a Meta account and a
 * LinkedIn account through the sandbox's consent pages (fetch the page, submit its approve
 * form, follow the redirects back to Herald's callback and on to the return URL), list the
 * targets, and check that the tokens the sandbox issued cannot be read from the table.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { TOKEN_PURPOSE } from "../../../functions/connections/domain/connection.js";
import { SANDBOX_APPS } from "../../../local/sandbox/index.js";
import {
  adminToken,
  newTenant,
  RETURN_URL,
  sandboxUrl,
  stackVault,
  table,
  tenantItems,
} from "../../integration/connections/helpers.js";
import { api } from "../../support/stack.js";

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]!) : undefined;
};

/** Submit the consent form (`form#consent`) of an HTML page the way a browser would, pressing `button`. */
async function submitConsent(pageUrl: string, html: string, button: { name: string; value: string }) {
  const form = /<form[^>]*id="consent"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  expect(form, "the consent page has a consent form").not.toBeNull();
  const open = /<form[^>]*id="consent"[^>]*>/.exec(html)![0];
  const action = new URL(attr(open, "action") ?? "", pageUrl);
  const fields = new URLSearchParams();
  for (const [tag] of form![1]!.matchAll(/<input[^>]*>/g)) {
    const name = attr(tag, "name");
    if (!name) continue;
    const type = attr(tag, "type") ?? "text";
    if ((type === "checkbox" || type === "radio") && !/\schecked\b/.test(tag)) continue;
    fields.append(name, attr(tag, "value") ?? "on");
  }
  // A radio group with nothing pre-selected: pick its first option, as a person would.
  for (const [tag] of form![1]!.matchAll(/<input[^>]*type="radio"[^>]*>/g)) {
    const name = attr(tag, "name")!;
    if (!fields.has(name)) fields.append(name, attr(tag, "value")!);
  }
  fields.append(button.name, button.value);
  const res = await fetch(action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
    redirect: "manual",
  });
  expect([302, 303]).toContain(res.status);
  return res.headers.get("location")!;
}

async function connectThroughConsentPage(token: string, provider: "meta" | "linkedin") {
  const start = await api(`/v1/connections/${provider}/authorize`, {
    method: "POST",
    token,
    json: { returnUrl: RETURN_URL, scopes: "publish" },
  });
  expect(start.status).toBe(200);
  const { authorizationUrl } = (await start.json()) as { authorizationUrl: string };
  expect(authorizationUrl.startsWith(sandboxUrl())).toBe(true);

  const page = await fetch(authorizationUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const toCallback = await submitConsent(
    authorizationUrl,
    html,
    provider === "meta" ? { name: "decision", value: "approve" } : { name: "action", value: "allow" },
  );
  expect(toCallback).toContain(`/v1/oauth/${provider}/callback`);

  const back = await fetch(toCallback, { redirect: "manual" });
  expect(back.status).toBe(302);
  const final = new URL(back.headers.get("location")!);
  expect(final.origin + final.pathname).toBe(RETURN_URL);
  expect(final.searchParams.get("error")).toBeNull();
  return final.searchParams.get("connectionId")!;
}

describe("connect accounts end to end", () => {
  it("connects Meta and LinkedIn through the consent pages, lists targets, and keeps every token unreadable at rest", async () => {
    const tenant = newTenant("e2e-connect");
    const token = await adminToken(tenant);

    const metaId = await connectThroughConsentPage(token, "meta");
    const linkedinId = await connectThroughConsentPage(token, "linkedin");

    const list = await api("/v1/connections", { token });
    const connections = ((await list.json()) as { items: { id: string; provider: string; status: string }[] })
      .items;
    expect(connections.map((c) => [c.provider, c.status]).sort()).toEqual([
      ["linkedin", "ACTIVE"],
      ["meta", "ACTIVE"],
    ]);

    const targetsOf = async (id: string) => {
      const res = await api(`/v1/connections/${id}/targets`, { token });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { kind: string; name: string; externalId: string }[] }).items;
    };
    const metaTargets = await targetsOf(metaId);
    const linkedinTargets = await targetsOf(linkedinId);
    expect(metaTargets.some((t) => t.kind === "facebook_page")).toBe(true);
    expect(metaTargets.some((t) => t.kind === "instagram_account")).toBe(true);
    expect(
      linkedinTargets.some((t) => t.kind === "linkedin_member" && t.externalId.startsWith("urn:li:person:")),
    ).toBe(true);
    expect(linkedinTargets.some((t) => t.kind === "linkedin_organization")).toBe(true);

    // What the sandbox issued: open the sealed values with the stage's key (as only Herald can),
    // and prove they are live provider tokens by using them at the sandbox.
    const items = await tenantItems(tenant);
    const vault = await stackVault();
    const plaintexts: string[] = [];
    for (const item of items) {
      const pk = String(item.PK);
      const connectionId = pk.includes("#CONNECTION#")
        ? pk.split("#CONNECTION#")[1]!
        : String(item.connectionId ?? "");
      const sealed: [string, string][] = [];
      if (typeof item.accessToken === "string") sealed.push([item.accessToken, TOKEN_PURPOSE.access]);
      if (typeof item.refreshToken === "string") sealed.push([item.refreshToken, TOKEN_PURPOSE.refresh]);
      if (typeof item.token === "string") sealed.push([item.token, TOKEN_PURPOSE.target(String(item.id))]);
      for (const [value, purpose] of sealed) {
        expect(value.startsWith("hv2.")).toBe(true);
        plaintexts.push(await vault.open(value, { tenantId: tenant, connectionId, purpose }));
        // Bound to its place: the same value does not open for another tenant.
        await expect(vault.open(value, { tenantId: `${tenant}-x`, connectionId, purpose })).rejects.toThrow();
      }
    }
    const metaTokens = plaintexts.filter((t) => t.startsWith("EAAB"));
    const linkedinTokens = plaintexts.filter((t) => t.startsWith("AQ"));
    expect(metaTokens.length).toBeGreaterThanOrEqual(2); // user token + at least one Page token
    expect(linkedinTokens.length).toBeGreaterThanOrEqual(1);
    const me = await fetch(
      `${sandboxUrl()}/meta/graph/v25.0/debug_token?input_token=${encodeURIComponent(metaTokens[0]!)}`,
      {
        headers: { authorization: `Bearer ${SANDBOX_APPS.meta.appId}|${SANDBOX_APPS.meta.appSecret}` },
      },
    );
    expect(((await me.json()) as { data: { is_valid: boolean } }).data.is_valid).toBe(true);
    const userinfo = await fetch(`${sandboxUrl()}/linkedin/api/v2/userinfo`, {
      headers: { authorization: `Bearer ${linkedinTokens[0]}` },
    });
    expect(userinfo.status).toBe(200);

    // The table itself never holds them: not in any attribute of any of the tenant's items,
    // nor anywhere else in the table.
    const raw = JSON.stringify(items);
    for (const t of plaintexts) expect(raw.includes(t)).toBe(false);
    const t = table();
    let everything = "";
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await t.doc.send(new ScanCommand({ TableName: t.name, ExclusiveStartKey }));
      everything += JSON.stringify(out.Items ?? []);
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    for (const p of plaintexts) expect(everything.includes(p)).toBe(false);

    // And the API never shows them.
    const shown = JSON.stringify([connections, metaTargets, linkedinTargets]);
    for (const p of plaintexts) expect(shown.includes(p)).toBe(false);
  });
});
