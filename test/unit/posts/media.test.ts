/** Magic-byte sniffing, header dimensions, and the media inspector's SSRF guard (no network: fetch and DNS injected). */
import { describe, expect, it } from "vitest";
import {
  fetchMediaInspector,
  isBlockedAddress,
  parseAllowlist,
} from "../../../functions/posts/adapters/media-inspector.js";
import { sniff } from "../../../functions/posts/domain/media.js";
import { be32, bytes, jpeg, le16, png } from "./media-bytes.js";

describe("sniff", () => {
  it("reads JPEG dimensions from the SOF segment, skipping other segments", () => {
    expect(sniff(jpeg(1080, 1350))).toEqual({ mime: "image/jpeg", kind: "image", width: 1080, height: 1350 });
  });
  it("reads PNG dimensions from IHDR", () => {
    expect(sniff(png(640, 480))).toEqual({ mime: "image/png", kind: "image", width: 640, height: 480 });
  });
  it("reads GIF and WebP (VP8X) dimensions", () => {
    expect(sniff(bytes("GIF89a", le16(320), le16(200)))).toMatchObject({
      mime: "image/gif",
      width: 320,
      height: 200,
    });
    const vp8x = bytes(
      "RIFF",
      [0, 0, 0, 0],
      "WEBP",
      "VP8X",
      [10, 0, 0, 0],
      [0, 0, 0, 0],
      [0x7f, 0x02, 0x00],
      [0xdf, 0x01, 0x00],
    );
    expect(sniff(vp8x)).toMatchObject({ mime: "image/webp", width: 640, height: 480 });
  });
  it("tells MP4 from MOV by the ftyp brand, and knows PDF", () => {
    expect(sniff(bytes(be32(24), "ftyp", "isom", be32(0)))).toEqual({ mime: "video/mp4", kind: "video" });
    expect(sniff(bytes(be32(20), "ftyp", "qt  ", be32(0)))).toEqual({
      mime: "video/quicktime",
      kind: "video",
    });
    expect(sniff(bytes("%PDF-1.7\n"))).toEqual({ mime: "application/pdf", kind: "document" });
  });
  it("ignores the extension: HTML named .jpg is not an image", () => {
    expect(sniff(bytes("<!doctype html><html>"))).toBeUndefined();
  });
  it("returns no dimensions when the SOF is beyond the bytes read", () => {
    expect(sniff(jpeg(100, 100).subarray(0, 22))).toEqual({ mime: "image/jpeg", kind: "image" });
  });
});

describe("address guard", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "fe80::1",
    "fd00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "not-an-ip",
  ])("blocks %s", (a) => expect(isBlockedAddress(a)).toBe(true));
  it.each(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"])("allows %s", (a) =>
    expect(isBlockedAddress(a)).toBe(false),
  );
  it("parses the allow-list", () => {
    expect(parseAllowlist(" 127.0.0.1:4566 , Sandbox.Local ,")).toEqual(["127.0.0.1:4566", "sandbox.local"]);
  });
});

describe("fetchMediaInspector", () => {
  const calls: { url: string; range: string | null; redirect?: RequestInit["redirect"] }[] = [];
  const fakeFetch = (routes: Record<string, () => Response>) =>
    (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      calls.push({ url, range: new Headers(init?.headers).get("range"), redirect: init?.redirect });
      const route = routes[url];
      if (!route) throw new TypeError("fetch failed");
      return route();
    }) as typeof fetch;
  const publicDns = async () => ["93.184.216.34"];

  it("sniffs type, size (Content-Range) and dimensions from a Range request", async () => {
    calls.length = 0;
    const inspector = fetchMediaInspector({
      resolve: publicDns,
      fetch: fakeFetch({
        "https://cdn.example/a.jpg": () =>
          new Response(jpeg(1080, 1080), {
            status: 206,
            headers: { "content-range": "bytes 0-65535/7340032" },
          }),
      }),
    });
    const result = await inspector.inspect(["https://cdn.example/a.jpg"]);
    expect(result.get("https://cdn.example/a.jpg")).toEqual({
      ok: true,
      url: "https://cdn.example/a.jpg",
      mime: "image/jpeg",
      kind: "image",
      width: 1080,
      height: 1080,
      sizeBytes: 7_340_032,
    });
    expect(calls[0]).toMatchObject({ range: "bytes=0-65535", redirect: "manual" });
  });

  it("takes Content-Length when the server ignores Range (200)", async () => {
    const inspector = fetchMediaInspector({
      resolve: publicDns,
      fetch: fakeFetch({
        "https://cdn.example/a.png": () =>
          new Response(png(10, 10), { status: 200, headers: { "content-length": "123456" } }),
      }),
    });
    const r = await inspector.inspect(["https://cdn.example/a.png"]);
    expect(r.get("https://cdn.example/a.png")).toMatchObject({ ok: true, sizeBytes: 123456 });
  });

  it("refuses http, private addresses and redirects into private space", async () => {
    calls.length = 0;
    const inspector = fetchMediaInspector({
      resolve: async (host) => (host === "internal.example" ? ["10.0.0.5"] : ["93.184.216.34"]),
      fetch: fakeFetch({
        "https://cdn.example/r": () =>
          new Response(null, { status: 302, headers: { location: "https://internal.example/x" } }),
      }),
    });
    const r = await inspector.inspect([
      "http://cdn.example/a.jpg",
      "https://internal.example/a.jpg",
      "https://127.0.0.1/a.jpg",
      "https://[::1]/a.jpg",
      "https://cdn.example/r",
    ]);
    expect(r.get("http://cdn.example/a.jpg")).toMatchObject({ ok: false, code: "media_url_not_https" });
    expect(r.get("https://internal.example/a.jpg")).toMatchObject({ ok: false, code: "media_host_blocked" });
    expect(r.get("https://127.0.0.1/a.jpg")).toMatchObject({ ok: false, code: "media_host_blocked" });
    expect(r.get("https://[::1]/a.jpg")).toMatchObject({ ok: false, code: "media_host_blocked" });
    expect(r.get("https://cdn.example/r")).toMatchObject({ ok: false, code: "media_host_blocked" });
    // Only the redirecting URL was fetched; nothing private was ever requested.
    expect(calls.map((c) => c.url)).toEqual(["https://cdn.example/r"]);
  });

  it("lets allow-listed hosts use http and loopback", async () => {
    const inspector = fetchMediaInspector({
      allowlist: ["127.0.0.1:4000"],
      resolve: async () => {
        throw new Error("must not resolve an allow-listed host");
      },
      fetch: fakeFetch({
        "http://127.0.0.1:4000/media/a.jpg": () => new Response(jpeg(800, 800), { status: 200 }),
      }),
    });
    const r = await inspector.inspect([
      "http://127.0.0.1:4000/media/a.jpg",
      "http://127.0.0.1:4001/media/a.jpg",
    ]);
    expect(r.get("http://127.0.0.1:4000/media/a.jpg")).toMatchObject({ ok: true, width: 800 });
    expect(r.get("http://127.0.0.1:4001/media/a.jpg")).toMatchObject({
      ok: false,
      code: "media_url_not_https",
    });
  });

  it("reports 404s, unknown content and fetch failures as issues, not exceptions", async () => {
    const inspector = fetchMediaInspector({
      resolve: publicDns,
      fetch: fakeFetch({
        "https://cdn.example/404": () => new Response("no", { status: 404 }),
        "https://cdn.example/html.jpg": () => new Response("<html>", { status: 200 }),
      }),
    });
    const r = await inspector.inspect([
      "https://cdn.example/404",
      "https://cdn.example/html.jpg",
      "https://cdn.example/down",
    ]);
    expect(r.get("https://cdn.example/404")).toMatchObject({ ok: false, code: "media_unreachable" });
    expect(r.get("https://cdn.example/html.jpg")).toMatchObject({ ok: false, code: "media_type_unknown" });
    expect(r.get("https://cdn.example/down")).toMatchObject({ ok: false, code: "media_unreachable" });
  });
});
