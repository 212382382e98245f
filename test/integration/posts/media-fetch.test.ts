/**
 * The media fetcher against a listening server: a name that resolves public for the check
 * before the request and to this loopback server for the connection (DNS rebinding) never
 * reaches it; the same fetcher does reach it when the name is allow-listed (as the local stack
 * allow-lists the provider sandbox), so "no connection" is not an artefact of the setup.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AllAddressesLookup,
  fetchMediaInspector,
} from "../../../functions/posts/adapters/media-inspector.js";
import { jpeg } from "../../unit/posts/media-bytes.js";

let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "image/jpeg" });
    res.end(jpeg(640, 480));
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Answers `first` to the first lookup and `then` to every later one. */
function rebindingDns(first: string, then: string): { lookup: AllAddressesLookup; asked: () => number } {
  let n = 0;
  return {
    lookup: (_host, _options, callback) => {
      const address = n++ === 0 ? first : then;
      queueMicrotask(() => callback(null, [{ address, family: 4 }]));
    },
    asked: () => n,
  };
}

describe("media fetch: connect-time address check", () => {
  it("a name rebinding from public to loopback never reaches the server", async () => {
    connections = 0;
    const dns = rebindingDns("93.184.216.34", "127.0.0.1");
    const inspector = fetchMediaInspector({ lookup: dns.lookup });
    const url = `https://rebind.test:${port}/a.jpg`;
    const r = await inspector.inspect([url]);
    expect(r.get(url)).toMatchObject({ ok: false, code: "media_host_blocked" });
    expect(dns.asked()).toBe(2);
    expect(connections).toBe(0);
  });

  it("an allow-listed name on loopback is fetched through the same mechanism", async () => {
    connections = 0;
    const dns = rebindingDns("127.0.0.1", "127.0.0.1");
    const inspector = fetchMediaInspector({ allowlist: [`sandbox.test:${port}`], lookup: dns.lookup });
    const url = `http://sandbox.test:${port}/a.jpg`;
    const r = await inspector.inspect([url]);
    expect(r.get(url)).toMatchObject({ ok: true, mime: "image/jpeg", width: 640, height: 480 });
    expect(connections).toBe(1);
  });
});
