import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox } from "../../../local/sandbox/index.js";
import {
  APP,
  advance,
  BAKERY,
  BAKERY_IG,
  BOOKS,
  control,
  expectGraphError,
  GARDEN,
  graph,
  mint,
  OSKAR,
  SANDRA,
  type Sandbox,
} from "./meta-support.js";

/** Facebook Login against the sandbox: dialog, code exchange, tokens, grants, debug_token. */
let sb: Sandbox;
const REDIRECT = "https://app.herald.invalid/oauth/meta/callback";
const SCOPES =
  "pages_show_list,pages_manage_posts,pages_read_engagement,instagram_basic,instagram_content_publish";

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());
beforeEach(async () => {
  await control(sb, "POST", "/_sandbox/reset");
});

const dialogUrl = (extra: Record<string, string> = {}) => {
  const u = new URL(`${sb.url}/meta/www/v25.0/dialog/oauth`);
  for (const [k, v] of Object.entries({
    client_id: APP.appId,
    redirect_uri: REDIRECT,
    state: "csrf-123",
    scope: SCOPES,
    response_type: "code",
    ...extra,
  }))
    u.searchParams.set(k, v);
  return u.toString();
};

const htmlDecode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** Submit the consent page's form the way a browser would, without a browser. */
async function submitConsent(
  html: string,
  decision: "approve" | "deny",
  uncheck: string[] = [],
): Promise<URL> {
  const form = /<form id="consent" method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
  expect(form).not.toBeNull();
  const fields = new URLSearchParams();
  for (const m of form![2]!.matchAll(
    /<input type="(hidden|checkbox)" name="([^"]+)" value="([^"]*)"( checked)?>/g,
  )) {
    if (m[1] === "checkbox" && (!m[4] || uncheck.includes(htmlDecode(m[3]!)))) continue;
    fields.append(htmlDecode(m[2]!), htmlDecode(m[3]!));
  }
  fields.set("decision", decision);
  const res = await fetch(htmlDecode(form![1]!), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields,
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location")!);
}

async function loginCode(userId = SANDRA): Promise<string> {
  const res = await control(sb, "POST", "/_sandbox/meta/consent", {
    url: dialogUrl(),
    userId,
    decision: "approve",
  });
  const location = new URL(((await res.json()) as { location: string }).location);
  return location.searchParams.get("code")!;
}

const exchange = (code: string, redirectUri = REDIRECT) =>
  graph(sb, "GET", "oauth/access_token", {
    client_id: APP.appId,
    client_secret: APP.appSecret,
    redirect_uri: redirectUri,
    code,
  });

describe("login dialog", () => {
  it("serves an HTML consent page listing the user's Pages, IG accounts and requested scopes", async () => {
    const res = await fetch(dialogUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("Herald Sandbox Bakery");
    expect(html).toContain("@herald.sandbox.bakery");
    expect(html).toContain("Herald Sandbox Books");
    expect(html).toContain("instagram_content_publish");
    expect(html).not.toContain("Oskar&#39;s Garden Shop");
    const oskar = await (await fetch(`${dialogUrl()}&sandbox_user=${OSKAR}`)).text();
    expect(oskar).toContain("Oskar&#39;s Garden Shop");
  });

  it("refuses an unknown client_id or a missing redirect_uri with an error page and no redirect", async () => {
    const bad = await fetch(dialogUrl({ client_id: "999" }), { redirect: "manual" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Invalid App ID");
    const noRedirect = await fetch(dialogUrl({ redirect_uri: "" }), { redirect: "manual" });
    expect(noRedirect.status).toBe(400);
  });

  it("approve without a browser: submitting the page's form redirects with code and state", async () => {
    const html = await (await fetch(dialogUrl())).text();
    const location = await submitConsent(html, "approve");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("state")).toBe("csrf-123");
    expect(location.searchParams.get("code")).toMatch(/^AQ[\w-]{40,}$/);
    const token = await exchange(location.searchParams.get("code")!);
    expect(token.status).toBe(200);
  });

  it("deny without a browser: redirects with the documented error parameters", async () => {
    const html = await (await fetch(dialogUrl())).text();
    const location = await submitConsent(html, "deny");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("error_reason")).toBe("user_denied");
    expect(location.searchParams.get("error_description")).toBe("Permissions error");
    expect(location.searchParams.get("state")).toBe("csrf-123");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("only the Pages picked and the scopes kept are granted", async () => {
    const html = await (await fetch(dialogUrl())).text();
    const location = await submitConsent(html, "approve", [BOOKS, "instagram_content_publish"]);
    const token = (await exchange(location.searchParams.get("code")!)).body.access_token as string;
    const accounts = await graph(sb, "GET", "me/accounts", { access_token: token, fields: "id" });
    expect((accounts.body.data as { id: string }[]).map((p) => p.id)).toEqual([BAKERY]);
    const perms = await graph(sb, "GET", "me/permissions", { access_token: token });
    expect(perms.body.data).toContainEqual({ permission: "instagram_content_publish", status: "declined" });
    expect(perms.body.data).toContainEqual({ permission: "pages_show_list", status: "granted" });
  });

  it("response_type=token puts the token in the fragment", async () => {
    const res = await control(sb, "POST", "/_sandbox/meta/consent", {
      url: dialogUrl({ response_type: "token" }),
      decision: "approve",
    });
    const location = new URL(((await res.json()) as { location: string }).location);
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get("access_token")).toMatch(/^EAA/);
    expect(fragment.get("state")).toBe("csrf-123");
  });
});

describe("code exchange", () => {
  it("answers the reference shape with a short-lived token by default", async () => {
    const a = await exchange(await loginCode());
    expect(a.status).toBe(200);
    expect(Object.keys(a.body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    expect(a.body.token_type).toBe("bearer");
    expect(a.body.access_token).toMatch(/^EAA/);
    expect(a.body.expires_in).toBe(7200);
    expect(a.headers.get("facebook-api-version")).toBe("v25.0");
  });

  it("echoes whichever API version was called", async () => {
    const a = await graph(sb, "GET", "oauth/access_token", {}, "v19.0");
    expect(a.headers.get("facebook-api-version")).toBe("v19.0");
  });

  it("refuses a reused code with 100/36009 and the WWW-Authenticate header", async () => {
    const code = await loginCode();
    expect((await exchange(code)).status).toBe(200);
    const again = await exchange(code);
    const e = expectGraphError(again, 100, 36009);
    expect(e.message).toBe("This authorization code has been used.");
    expect(e.type).toBe("OAuthException");
    expect(again.headers.get("www-authenticate")).toBe(
      'OAuth "Facebook Platform" "invalid_code" "This authorization code has been used."',
    );
  });

  it("refuses a different redirect_uri with 100/36008", async () => {
    const e = expectGraphError(await exchange(await loginCode(), "https://evil.invalid/cb"), 100, 36008);
    expect(e.message).toContain("redirect_uri is identical");
  });

  it("refuses an expired code (sandbox clock) with 100/36007", async () => {
    const code = await loginCode();
    await advance(sb, 11 * 60_000);
    expectGraphError(await exchange(code), 100, 36007);
  });

  it("refuses a wrong client secret", async () => {
    const a = await graph(sb, "GET", "oauth/access_token", {
      client_id: APP.appId,
      client_secret: "nope",
      redirect_uri: REDIRECT,
      code: await loginCode(),
    });
    expectGraphError(a, 1);
  });
});

describe("long-lived tokens, /me, /me/accounts, debug_token", () => {
  const longLived = async () => {
    const short = (await exchange(await loginCode())).body.access_token as string;
    const long = await graph(sb, "GET", "oauth/access_token", {
      grant_type: "fb_exchange_token",
      client_id: APP.appId,
      client_secret: APP.appSecret,
      fb_exchange_token: short,
    });
    return { short, long };
  };

  it("exchanges a short-lived token for a ~60-day one", async () => {
    const { long } = await longLived();
    expect(long.status).toBe(200);
    expect(long.body).toMatchObject({ token_type: "bearer", expires_in: 5183944 });
  });

  it("cannot exchange an expired token (190/463)", async () => {
    const short = (await exchange(await loginCode())).body.access_token as string;
    await advance(sb, 3 * 3_600_000);
    const a = await graph(sb, "GET", "oauth/access_token", {
      grant_type: "fb_exchange_token",
      client_id: APP.appId,
      client_secret: APP.appSecret,
      fb_exchange_token: short,
    });
    const e = expectGraphError(a, 190, 463);
    expect(e.message).toMatch(
      /^Error validating access token: Session has expired on .+ The current time is .+\.$/,
    );
  });

  it("GET /me answers id and name; missing token answers 2500", async () => {
    const { access_token } = await mint(sb);
    const me = await graph(sb, "GET", "me", { access_token });
    expect(me.body).toEqual({ id: SANDRA, name: "Sandra Sandbox" });
    expectGraphError(await graph(sb, "GET", "me"), 2500);
  });

  it("GET /me/accounts lists Pages with tokens, tasks and instagram_business_account{id,username}", async () => {
    const { long } = await longLived();
    const a = await graph(sb, "GET", "me/accounts", {
      access_token: long.body.access_token as string,
      fields:
        "id,name,access_token,tasks,category,picture.type(large),instagram_business_account{id,username}",
      limit: "100",
    });
    expect(a.status).toBe(200);
    const data = a.body.data as Record<string, unknown>[];
    expect(data).toHaveLength(2);
    expect(data[0]).toMatchObject({
      id: BAKERY,
      name: "Herald Sandbox Bakery",
      category: "Bakery",
      tasks: ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
      instagram_business_account: { id: BAKERY_IG, username: "herald.sandbox.bakery" },
    });
    expect(data[0]!.access_token).toMatch(/^EAA/);
    expect(data[1]!.instagram_business_account).toBeUndefined();
    expect(a.body.paging).toMatchObject({
      cursors: { before: expect.any(String), after: expect.any(String) },
    });
    expect(a.headers.get("x-app-usage")).toMatch(/"call_count":\d+/);
  });

  it("pages /me/accounts with limit and a next link", async () => {
    const { access_token } = await mint(sb);
    const first = await graph(sb, "GET", "me/accounts", { access_token, limit: "1", fields: "id" });
    expect(first.body.data).toEqual([{ id: BAKERY }]);
    const next = (first.body.paging as { next: string }).next;
    expect(next.startsWith(`${sb.url}/meta/graph/v25.0/me/accounts?`)).toBe(true);
    const second = (await (await fetch(next)).json()) as { data: unknown[]; paging: { next?: string } };
    expect(second.data).toEqual([{ id: BOOKS }]);
    expect(second.paging.next).toBeUndefined();
  });

  it("refuses an unknown field like Graph does", async () => {
    const { access_token } = await mint(sb);
    const e = expectGraphError(
      await graph(sb, "GET", "me/accounts", { access_token, fields: "id,nope" }),
      100,
    );
    expect(e.message).toBe("(#100) Tried accessing nonexisting field (nope) on node type (Page)");
  });

  it("debug_token with the app token: Page tokens from a long-lived user token never expire", async () => {
    const { long } = await longLived();
    const pageToken = (
      (
        await graph(sb, "GET", "me/accounts", {
          access_token: long.body.access_token as string,
          fields: "access_token",
        })
      ).body.data as { access_token: string }[]
    )[0]!.access_token;
    const d = await graph(sb, "GET", "debug_token", {
      input_token: pageToken,
      access_token: `${APP.appId}|${APP.appSecret}`,
    });
    expect(d.status).toBe(200);
    const data = (d.body as { data: Record<string, unknown> }).data;
    expect(data).toMatchObject({
      app_id: APP.appId,
      type: "PAGE",
      application: APP.appName,
      expires_at: 0,
      is_valid: true,
      profile_id: BAKERY,
      user_id: SANDRA,
    });
    expect(data.scopes).toContain("pages_manage_posts");
    expect(data.granular_scopes).toContainEqual({ scope: "pages_manage_posts", target_ids: [BAKERY, BOOKS] });
    expect(typeof data.issued_at).toBe("number");
    expect(typeof data.data_access_expires_at).toBe("number");
  });

  it("debug_token reports a user token's expiry and an invalid token", async () => {
    const { short } = await longLived();
    const app = `${APP.appId}|${APP.appSecret}`;
    const d = (await graph(sb, "GET", "debug_token", { input_token: short, access_token: app })).body as {
      data: Record<string, unknown>;
    };
    expect(d.data.type).toBe("USER");
    expect(d.data.expires_at).toBeGreaterThan(Date.now() / 1000);
    const bad = (await graph(sb, "GET", "debug_token", { input_token: "garbage", access_token: app }))
      .body as {
      data: Record<string, unknown>;
    };
    expect(bad.data).toMatchObject({ is_valid: false, error: { code: 190 } });
    expectGraphError(
      await graph(sb, "GET", "debug_token", { input_token: short, access_token: `${APP.appId}|wrong` }),
      190,
    );
  });
});

describe("token death", () => {
  it("DELETE /me/permissions revokes: user and Page tokens answer 190/458", async () => {
    const { access_token, page_tokens } = await mint(sb);
    expect((await graph(sb, "DELETE", "me/permissions", { access_token })).body).toEqual({ success: true });
    const a = await graph(sb, "GET", "me", { access_token });
    const e = expectGraphError(a, 190, 458);
    expect(e.message).toBe(
      `Error validating access token: The user has not authorized application ${APP.appId}.`,
    );
    expect(a.headers.get("www-authenticate")).toMatch(
      /^OAuth "Facebook Platform" "invalid_token" "Error validating/,
    );
    expectGraphError(await graph(sb, "GET", BAKERY, { access_token: page_tokens[BAKERY]! }), 190, 458);
  });

  it("control: app removed (458) and password changed (460) hit only that user's tokens", async () => {
    const sandra = await mint(sb);
    const oskar = await mint(sb, { userId: OSKAR });
    await control(sb, "POST", `/_sandbox/meta/users/${SANDRA}/password-changed`);
    expectGraphError(await graph(sb, "GET", "me", { access_token: sandra.access_token }), 190, 460);
    expectGraphError(await graph(sb, "GET", BAKERY, { access_token: sandra.page_tokens[BAKERY]! }), 190, 460);
    expect((await graph(sb, "GET", GARDEN, { access_token: oskar.page_tokens[GARDEN]! })).status).toBe(200);
    await control(sb, "POST", `/_sandbox/meta/users/${OSKAR}/revoke`);
    expectGraphError(await graph(sb, "GET", GARDEN, { access_token: oskar.page_tokens[GARDEN]! }), 190, 458);
    // A fresh login after the change works again.
    const again = await mint(sb);
    expect((await graph(sb, "GET", "me", { access_token: again.access_token })).status).toBe(200);
  });

  it("control: an expired token answers 190/463; an unknown one 190", async () => {
    const { access_token } = await mint(sb);
    await control(sb, "POST", "/_sandbox/meta/tokens/expire", { token: access_token });
    expectGraphError(await graph(sb, "GET", "me", { access_token }), 190, 463);
    expectGraphError(await graph(sb, "GET", "me", { access_token: "EAABnotissued" }), 190, 467);
    const garbage = expectGraphError(await graph(sb, "GET", "me", { access_token: "garbage" }), 190);
    expect(garbage.message).toBe("Invalid OAuth access token - Cannot parse access token");
  });

  it("Page tokens from a short-lived user token expire after about an hour", async () => {
    const { page_tokens } = await mint(sb, { longLived: false });
    expect((await graph(sb, "GET", BAKERY, { access_token: page_tokens[BAKERY]! })).status).toBe(200);
    await advance(sb, 3_601_000);
    expectGraphError(await graph(sb, "GET", BAKERY, { access_token: page_tokens[BAKERY]! }), 190, 463);
  });

  it("control: a lost Page role kills that Page's tokens (190/492) and drops it from /me/accounts", async () => {
    const { access_token, page_tokens } = await mint(sb);
    await control(sb, "POST", `/_sandbox/meta/pages/${BOOKS}/remove-role`, { userId: SANDRA });
    const e = expectGraphError(
      await graph(sb, "GET", BOOKS, { access_token: page_tokens[BOOKS]! }),
      190,
      492,
    );
    expect(e.message).toContain("not an admin, editor, or moderator");
    expect((await graph(sb, "GET", BAKERY, { access_token: page_tokens[BAKERY]! })).status).toBe(200);
    const accounts = await graph(sb, "GET", "me/accounts", { access_token, fields: "id" });
    expect(accounts.body.data).toEqual([{ id: BAKERY }]);
  });

  it("checks an optional appsecret_proof", async () => {
    const { access_token } = await mint(sb);
    const proof = createHmac("sha256", APP.appSecret).update(access_token).digest("hex");
    expect((await graph(sb, "GET", "me", { access_token, appsecret_proof: proof })).status).toBe(200);
    const e = expectGraphError(await graph(sb, "GET", "me", { access_token, appsecret_proof: "00" }), 100);
    expect(e.message).toBe("Invalid appsecret_proof provided in the API argument");
  });

  it("a user token reads a granted Page's token from GET /{page-id}?fields=access_token", async () => {
    const { access_token, page_tokens } = await mint(sb);
    const a = await graph(sb, "GET", BAKERY, { access_token, fields: "id,name,access_token" });
    expect(a.body).toEqual({ id: BAKERY, name: "Herald Sandbox Bakery", access_token: page_tokens[BAKERY] });
  });

  it("accepts the token as a Bearer header too", async () => {
    const { access_token } = await mint(sb);
    const res = await fetch(`${sb.url}/meta/graph/v25.0/me`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(await res.json()).toEqual({ id: SANDRA, name: "Sandra Sandbox" });
  });
});
