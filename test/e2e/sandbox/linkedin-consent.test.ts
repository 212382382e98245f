import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADA,
  APP,
  GRACE,
  rest,
  type Sandbox,
  startLinkedInSandbox,
} from "../../integration/sandbox/linkedin-support.js";
import { type CallbackServer, launchChromium, startCallbackServer } from "../../support/browser.js";

/**
 * The LinkedIn consent page driven in headless Chromium (Debian's `chromium`): approve and
 * deny, each ending on an app callback served on an ephemeral loopback port; the approved
 * code is then exchanged for a working token.
 */

let sb: Sandbox;
let browser: Browser;
let callback: CallbackServer;
let callbackUrl: string;
let callbacks: URL[];

beforeAll(async () => {
  browser = await launchChromium();
  sb = await startLinkedInSandbox();
  callback = await startCallbackServer("/oauth/linkedin/callback");
  callbackUrl = callback.url;
  callbacks = callback.received;
});

afterAll(async () => {
  await browser?.close();
  await callback?.close();
  await sb?.close();
});

function authorizeUrl(state: string): string {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: APP.clientId,
    redirect_uri: callbackUrl,
    state,
    scope: "openid profile email w_member_social",
  });
  return `${sb.url}/linkedin/www/oauth/v2/authorization?${q.toString()}`;
}

describe("LinkedIn consent page in headless Chromium", () => {
  it("approve as the second member → callback with code and state → the code buys a token for that member", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(authorizeUrl("browser-approve"));
      await expect(page.locator("#app-name").textContent()).resolves.toContain(APP.name);
      await page.check(`input[name="member"][value="${GRACE.sub}"]`);
      await Promise.all([
        page.waitForURL((u) => u.pathname === "/oauth/linkedin/callback"),
        page.click("#allow"),
      ]);
      await expect(page.locator("#done").textContent()).resolves.toBe("Back in the app");
      const url = new URL(page.url());
      expect(url.searchParams.get("state")).toBe("browser-approve");
      const code = url.searchParams.get("code");
      expect(code).toBeTruthy();
      // The app's server saw the same redirect (Chromium may also ask it for /favicon.ico).
      const seen = callbacks
        .filter((u) => u.pathname === "/oauth/linkedin/callback")
        .map((u) => u.searchParams.get("code"));
      expect(seen).toContain(code);

      const res = await fetch(`${sb.url}/linkedin/www/oauth/v2/accessToken`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: code as string,
          client_id: APP.clientId,
          client_secret: APP.clientSecret,
          redirect_uri: callbackUrl,
        }),
      });
      expect(res.status).toBe(200);
      const { access_token } = (await res.json()) as { access_token: string };
      const me = (await (await rest(sb, "/v2/userinfo", { token: access_token })).json()) as { sub: string };
      expect(me.sub).toBe(GRACE.sub);
    } finally {
      await page.close();
    }
  });

  it("deny → callback with error=user_cancelled_authorize and the state, no code", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(authorizeUrl("browser-deny"));
      await expect(page.locator(`input[name="member"][value="${ADA.sub}"]`).isChecked()).resolves.toBe(true);
      await Promise.all([
        page.waitForURL((u) => u.pathname === "/oauth/linkedin/callback"),
        page.click("#cancel"),
      ]);
      const url = new URL(page.url());
      expect(url.searchParams.get("error")).toBe("user_cancelled_authorize");
      expect(url.searchParams.get("error_description")).toBe("The user cancelled the authorization");
      expect(url.searchParams.get("state")).toBe("browser-deny");
      expect(url.searchParams.get("code")).toBeNull();
    } finally {
      await page.close();
    }
  });

  it("a bad redirect_uri shows the 401 error page instead of redirecting", async () => {
    const page = await browser.newPage();
    try {
      const bad = authorizeUrl("x").replace(
        encodeURIComponent(callbackUrl),
        encodeURIComponent("https://evil.example/cb"),
      );
      const response = await page.goto(bad);
      expect(response?.status()).toBe(401);
      await expect(page.locator("#error-message").textContent()).resolves.toBe("Redirect_uri doesn't match");
    } finally {
      await page.close();
    }
  });
});
