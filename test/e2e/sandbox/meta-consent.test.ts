import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_APPS, startSandbox } from "../../../local/sandbox/index.js";
import { type CallbackServer, launchChromium, startCallbackServer } from "../../support/browser.js";

/**
 * The Meta login dialog driven in headless Chromium: pick a user, approve (code → token) and
 * deny (error parameters). The redirect lands on a small loopback server standing in for
 * Herald's callback.
 */
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let browser: Browser;
let callback: CallbackServer;
let callbackUrl: string;
let received: URL[];

beforeAll(async () => {
  browser = await launchChromium();
  sandbox = await startSandbox({ port: 0 });
  callback = await startCallbackServer("/oauth/meta/callback");
  callbackUrl = callback.url;
  received = callback.received;
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await callback?.close();
});

const dialogUrl = (state: string) => {
  const u = new URL(`${sandbox.url}/meta/www/v25.0/dialog/oauth`);
  u.searchParams.set("client_id", SANDBOX_APPS.meta.appId);
  u.searchParams.set("redirect_uri", callbackUrl);
  u.searchParams.set("state", state);
  u.searchParams.set("scope", "pages_show_list,pages_manage_posts,instagram_basic,instagram_content_publish");
  u.searchParams.set("response_type", "code");
  return u.toString();
};

describe("Meta consent page in headless Chromium", () => {
  it("approve: picks the second user, lands on the callback with code and state, and the code works", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(dialogUrl("state-approve"));
      await expect
        .poll(() => page.locator("h1").textContent())
        .toContain("Herald Sandbox is requesting access");
      expect(await page.locator("#consent").textContent()).toContain("Herald Sandbox Bakery");
      // Switch to the second seeded user with the picker; the page reloads with their Pages.
      await Promise.all([
        page.waitForURL(/sandbox_user=100000000000002/),
        page.selectOption("#sandbox_user", "100000000000002"),
      ]);
      const consent = (await page.locator("#consent").textContent()) ?? "";
      expect(consent).toContain("Oskar's Garden Shop");
      expect(consent).toContain("@oskars.garden");
      expect(consent).not.toContain("Herald Sandbox Bakery");
      await Promise.all([page.waitForURL((u) => u.href.startsWith(callbackUrl)), page.click("#approve")]);
      const landed = new URL(page.url());
      expect(landed.searchParams.get("state")).toBe("state-approve");
      const code = landed.searchParams.get("code");
      expect(code).toMatch(/^AQ/);
      expect(received.some((u) => u.searchParams.get("code") === code)).toBe(true);

      const exchange = new URL(`${sandbox.url}/meta/graph/v25.0/oauth/access_token`);
      exchange.searchParams.set("client_id", SANDBOX_APPS.meta.appId);
      exchange.searchParams.set("client_secret", SANDBOX_APPS.meta.appSecret);
      exchange.searchParams.set("redirect_uri", callbackUrl);
      exchange.searchParams.set("code", code!);
      const token = (await (await fetch(exchange)).json()) as { access_token: string };
      const me = await fetch(
        `${sandbox.url}/meta/graph/v25.0/me?access_token=${encodeURIComponent(token.access_token)}`,
      );
      expect(await me.json()).toEqual({ id: "100000000000002", name: "Oskar Other" });
    } finally {
      await page.close();
    }
  });

  it("deny: lands on the callback with error=access_denied and no code", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(dialogUrl("state-deny"));
      await Promise.all([page.waitForURL((u) => u.href.startsWith(callbackUrl)), page.click("#deny")]);
      const landed = new URL(page.url());
      expect(landed.searchParams.get("error")).toBe("access_denied");
      expect(landed.searchParams.get("error_reason")).toBe("user_denied");
      expect(landed.searchParams.get("error_description")).toBe("Permissions error");
      expect(landed.searchParams.get("state")).toBe("state-deny");
      expect(landed.searchParams.get("code")).toBeNull();
    } finally {
      await page.close();
    }
  });
});
