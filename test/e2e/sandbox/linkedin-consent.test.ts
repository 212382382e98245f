import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADA,
  APP,
  GRACE,
  rest,
  type Sandbox,
  startLinkedInSandbox,
} from "../../integration/sandbox/linkedin-support.js";

/**
 * The LinkedIn consent page driven in headless Chromium (Debian's `chromium`): approve and
 * deny, each ending on an app callback served on an ephemeral loopback port; the approved
 * code is then exchanged for a working token.
 */

const CHROMIUM = "/usr/bin/chromium";

let sb: Sandbox;
let browser: Browser;
let callbackServer: Server;
let callbackUrl: string;
const callbacks: URL[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does this) to run the consent-page browser test`,
    );
  }
  sb = await startLinkedInSandbox();
  callbackServer = createServer((req, res) => {
    callbacks.push(new URL(req.url ?? "/", "http://127.0.0.1"));
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>callback</title><p id='done'>Back in the app</p>");
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth/linkedin/callback`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
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
