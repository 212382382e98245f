import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageSize, sniffFormat } from "../../../local/sandbox/core/media.js";
import { createSandboxServer, type RunningSandbox } from "../../../local/sandbox/core/server.js";
import { metaProvider } from "../../../local/sandbox/meta/index.js";
import { BAKERY_IG, control, expectGraphError, graph, mint } from "./meta-support.js";

/** The sample media under /media and the provider-style media fetcher. */
let sb: RunningSandbox;

beforeAll(async () => {
  // A short media timeout so a latency fault on /media can make a download time out.
  sb = await createSandboxServer({ providers: [metaProvider], mediaTimeoutMs: 2_000 });
});
afterAll(() => sb.close());

const bytes = async (path: string) => {
  const res = await fetch(`${sb.url}${path}`);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
};

describe("sample media", () => {
  it("lists the samples with their URLs, types and sizes", async () => {
    const list = (await (await fetch(`${sb.url}/media/`)).json()) as {
      data: { name: string; url: string }[];
    };
    const names = list.data.map((d) => d.name);
    for (const n of [
      "square-1080.jpg",
      "portrait-1080x1350.jpg",
      "image-640x480.png",
      "sample.mp4",
      "sample.pdf",
      "large-9mb.jpg",
    ]) {
      expect(names).toContain(n);
    }
    expect(list.data.every((d) => d.url.startsWith(`${sb.url}/media/`))).toBe(true);
  });

  it.each([
    ["square-1080.jpg", "image/jpeg", "jpeg", 1080, 1080],
    ["portrait-1080x1350.jpg", "image/jpeg", "jpeg", 1080, 1350],
    ["landscape-1920x1080.jpg", "image/jpeg", "jpeg", 1920, 1080],
    ["wide-2000x800.jpg", "image/jpeg", "jpeg", 2000, 800],
    ["story-1080x1920.jpg", "image/jpeg", "jpeg", 1080, 1920],
    ["image-640x480.png", "image/png", "png", 640, 480],
  ])("%s is a real %s with the stated dimensions", async (name, type, format, width, height) => {
    const { res, body } = await bytes(`/media/${name}`);
    expect(res.headers.get("content-type")).toBe(type);
    expect(sniffFormat(body)).toBe(format);
    expect(imageSize(body)).toEqual({ width, height });
    if (format === "jpeg") expect(body.subarray(-2).toString("hex")).toBe("ffd9");
  });

  it("generates a JPEG over 8 MiB that is still a 1080×1080 JPEG, and one of a chosen size", async () => {
    const { body } = await bytes("/media/large-9mb.jpg");
    expect(body.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(sniffFormat(body)).toBe("jpeg");
    expect(imageSize(body)).toEqual({ width: 1080, height: 1080 });
    expect(body.subarray(-2).toString("hex")).toBe("ffd9");
    const sized = await bytes(`/media/large.jpg?bytes=${5_000_000}`);
    expect(sized.body.length).toBeGreaterThanOrEqual(5_000_000);
    expect(sized.body.length).toBeLessThan(5_000_000 + 70_000);
    expect((await fetch(`${sb.url}/media/large.jpg?bytes=12`)).status).toBe(400);
  });

  it("serves a PDF and an MP4 with the right magic bytes", async () => {
    const pdf = await bytes("/media/sample.pdf");
    expect(pdf.body.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.body.toString("latin1").trimEnd().endsWith("%%EOF")).toBe(true);
    const mp4 = await bytes("/media/sample.mp4");
    expect(mp4.res.headers.get("content-type")).toBe("video/mp4");
    expect(mp4.body.subarray(4, 8).toString()).toBe("ftyp");
    expect(sniffFormat(mp4.body)).toBe("mp4");
  });
});

describe("fetchMedia", () => {
  it("measures and sniffs a reachable URL whatever its content type says", async () => {
    const m = await sb.ctx.fetchMedia(`${sb.url}/media/portrait-1080x1350.jpg`);
    expect(m).toMatchObject({ ok: true, status: 200, format: "jpeg", width: 1080, height: 1350 });
    expect(m.bytes).toBeGreaterThan(1000);
  });

  it("reports a 404, an unreachable host and a timeout", async () => {
    expect(await sb.ctx.fetchMedia(`${sb.url}/media/none.jpg`)).toMatchObject({ ok: false, status: 404 });
    expect(await sb.ctx.fetchMedia("http://127.0.0.1:9/x.jpg")).toMatchObject({
      ok: false,
      status: 0,
      error: "unreachable",
    });
    await control(sb, "POST", "/_sandbox/faults", {
      path: "^/media/square-1080\\.jpg$",
      times: 1,
      fault: { kind: "latency", ms: 6_000 },
    });
    expect(await sb.ctx.fetchMedia(`${sb.url}/media/square-1080.jpg`)).toMatchObject({
      ok: false,
      error: "timeout",
    });
  });

  it("a slow media download makes an Instagram container answer -2/2207003", async () => {
    await control(sb, "POST", "/_sandbox/reset");
    const { access_token } = await mint(sb);
    await control(sb, "POST", "/_sandbox/faults", {
      path: "^/media/square-1080\\.jpg$",
      times: 1,
      fault: { kind: "latency", ms: 6_000 },
    });
    const a = await graph(sb, "POST", `${BAKERY_IG}/media`, {
      access_token,
      image_url: `${sb.url}/media/square-1080.jpg`,
    });
    expectGraphError(a, -2, 2207003);
  });
});
