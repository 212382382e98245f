import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_APPS, startSandbox } from "../../../local/sandbox/index.js";

/**
 * The Meta login dialog driven in headless Chromium: pick a user, approve (code → token) and
 * deny (error parameters). The redirect lands on a small loopback server standing in for
 * Herald's callback.
 */
const CHROMIUM = "/usr/bin/chromium";
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let browser: Browser;
let callback: Server;
let callbackUrl: string;
const received: URL[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the consent-page browser tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it).`,
    );
  }
  sandbox = await startSandbox({ port: 0 });
  callback = createServer((req, res) => {
    received.push(new URL(req.url ?? "/", callbackUrl));
    res
      .writeHead(200, { "content-type": "text/html" })
      .end("<!doctype html><title>callback</title><p>ok</p>");
  });
  await new Promise<void>((resolve) => callback.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/oauth/meta/callback`;
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
  await sandbox?.close();
  await new Promise((resolve) => (callback ? callback.close(resolve) : resolve(undefined)));
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
