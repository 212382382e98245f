/**
 * Browser-test helpers: headless Debian Chromium through playwright-core, and a loopback
 * server standing in for Herald's OAuth callback (ephemeral port) that records every request.
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium; `.ci/run` installs it. */
export const CHROMIUM = "/usr/bin/chromium";

/** Launch headless Chromium; fails with the install hint when the binary is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the consent-page browser tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it).`,
    );
  }
  return chromium.launch({
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
}

/** A running callback server: `url` is the callback address, `received` every request URL it saw. */
export interface CallbackServer {
  url: string;
  received: URL[];
  close(): Promise<void>;
}

/** Serve `path` on 127.0.0.1 (port 0); every request is recorded and answered with a small page (`#done`). */
export async function startCallbackServer(path: string): Promise<CallbackServer> {
  const received: URL[] = [];
  const server = createServer((req, res) => {
    received.push(new URL(req.url ?? "/", "http://127.0.0.1"));
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>callback</title><p id='done'>Back in the app</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
