/**
 * The media fetcher's connect-time address check (DNS rebinding). No sockets are opened: the
 * connect-time lookup refuses before undici connects. (test/integration/posts/media-fetch.test.ts
 * shows the same against a listening server.)
 */
import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import {
  type AllAddressesLookup,
  BlockedAddressError,
  fetchMediaInspector,
  publicOnlyLookup,
} from "../../../functions/posts/adapters/media-inspector.js";

/** DNS that answers the scripted addresses in turn (the last one repeats), counting lookups. */
function scriptedDns(...answers: string[][]) {
  const asked: string[] = [];
  const lookup: AllAddressesLookup = (hostname, _options, callback) => {
    asked.push(hostname);
    const next = answers[Math.min(asked.length - 1, answers.length - 1)]!;
    queueMicrotask(() =>
      callback(
        null,
        next.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      ),
    );
  };
  return { lookup, asked };
}

const answer = (lookup: ReturnType<typeof publicOnlyLookup>, host: string, all: boolean) =>
  new Promise<{ error: Error | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
    lookup(host, { all }, (error, address, family) => resolve({ error, address, family })),
  );

describe("publicOnlyLookup (connect time)", () => {
  it("passes public addresses through in the form asked for", async () => {
    const dns = scriptedDns(["93.184.216.34", "2606:2800:220:1::1"]);
    const lookup = publicOnlyLookup(() => false, dns.lookup);
    expect(await answer(lookup, "cdn.example", true)).toMatchObject({
      error: null,
      address: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:2800:220:1::1", family: 6 },
      ],
    });
    expect(await answer(lookup, "cdn.example", false)).toMatchObject({
      error: null,
      address: "93.184.216.34",
      family: 4,
    });
  });

  it.each([
    ["loopback", ["127.0.0.1"]],
    ["private", ["10.1.2.3"]],
    ["link-local (instance metadata)", ["169.254.169.254"]],
    ["reserved", ["240.0.0.1"]],
    ["IPv6 loopback", ["::1"]],
    ["IPv4-mapped private", ["::ffff:192.168.1.1"]],
    ["one private among public ones", ["93.184.216.34", "10.0.0.1"]],
    ["no address at all", []],
  ])("refuses %s", async (_name, addresses) => {
    const lookup = publicOnlyLookup(() => false, scriptedDns(addresses).lookup);
    const { error } = await answer(lookup, "rebind.example", true);
    expect(error).toBeInstanceOf(BlockedAddressError);
  });

  it("lets an allow-listed name resolve anywhere (the local sandbox on loopback)", async () => {
    const lookup = publicOnlyLookup((h) => h === "sandbox.local", scriptedDns(["127.0.0.1"]).lookup);
    expect(await answer(lookup, "sandbox.local", false)).toMatchObject({ error: null, address: "127.0.0.1" });
    expect((await answer(lookup, "other.local", false)).error).toBeInstanceOf(BlockedAddressError);
  });
});

describe("fetchMediaInspector: DNS rebinding", () => {
  it("refuses a name that resolves public on the first lookup and private on the second", async () => {
    // First answer for the check before the request, second for the socket: a rebinding DNS.
    const dns = scriptedDns(["93.184.216.34"], ["127.0.0.1"]);
    const inspector = fetchMediaInspector({ lookup: dns.lookup });
    const url = "https://rebind.example/a.jpg";
    const r = await inspector.inspect([url]);
    expect(dns.asked).toEqual(["rebind.example", "rebind.example"]);
    expect(r.get(url)).toMatchObject({
      ok: false,
      code: "media_host_blocked",
      message: expect.stringContaining("when Herald connected"),
    });
  });

  it("refuses a name that is private from the start without connecting", async () => {
    const dns = scriptedDns(["10.0.0.7"]);
    const inspector = fetchMediaInspector({ lookup: dns.lookup });
    const r = await inspector.inspect(["https://internal.example/a.jpg"]);
    expect(r.get("https://internal.example/a.jpg")).toMatchObject({ ok: false, code: "media_host_blocked" });
    // Refused by the first check: the connect-time lookup was never reached.
    expect(dns.asked).toEqual(["internal.example"]);
  });
});
