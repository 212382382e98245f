/**
 * LinkedIn video uploads are streamed: a 9 MiB source goes up as three parts of exactly the
 * sizes `initializeUpload` gave, and the source is read only as far as the part being sent
 * (never the whole file in memory). No network: a fake fetch plays the source and LinkedIn.
 */
import { describe, expect, it } from "vitest";
import { LinkedInClient } from "../../../functions/providers/linkedin/client.js";
import { linkedInPublisher, sliceReader } from "../../../functions/providers/linkedin/publishing.js";
import { initialPublishState } from "../../../functions/publishing/domain/publish-state.js";

const MiB = 1024 * 1024;
const PART = 4 * MiB;
const SIZE = 9 * MiB + 123;
const CHUNK = 64 * 1024;

/** A lazy byte stream of `size` bytes (byte i = i mod 251) that reports how far it was read. */
function source(size: number) {
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= size) return controller.close();
        const n = Math.min(CHUNK, size - produced);
        const chunk = new Uint8Array(n);
        for (let i = 0; i < n; i++) chunk[i] = (produced + i) % 251;
        produced += n;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, produced: () => produced };
}

describe("sliceReader", () => {
  it("hands out exact slices and a short last one", async () => {
    const src = source(10 * CHUNK + 5);
    const r = sliceReader(src.stream);
    const a = await r.take(3 * CHUNK + 1);
    expect(a.length).toBe(3 * CHUNK + 1);
    expect(a[3 * CHUNK]).toBe((3 * CHUNK) % 251);
    expect(src.produced()).toBeLessThanOrEqual(4 * CHUNK);
    const b = await r.take(100 * CHUNK);
    expect(b.length).toBe(7 * CHUNK + 4);
    expect(b[0]).toBe((3 * CHUNK + 1) % 251);
  });
});

describe("LinkedIn video upload", () => {
  it("streams a 9 MiB video in three parts, reading the source only one part ahead", async () => {
    const src = source(SIZE);
    const puts: { part: number; bytes: number; producedAtPut: number; first: number }[] = [];
    const calls: string[] = [];
    const fetchImpl = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const url = new URL(String(input));
      calls.push(
        `${init?.method ?? "GET"} ${url.pathname}${url.search.includes("action") ? url.search : ""}`,
      );
      if (url.host === "media.example") {
        return new Response(src.stream, { status: 200, headers: { "content-length": String(SIZE) } });
      }
      if (url.pathname === "/rest/videos" && url.searchParams.get("action") === "initializeUpload") {
        const body = JSON.parse(String(init?.body)) as { initializeUploadRequest: { fileSizeBytes: number } };
        expect(body.initializeUploadRequest.fileSizeBytes).toBe(SIZE);
        const uploadInstructions = [0, 1, 2].map((i) => ({
          uploadUrl: `https://upload.example/part/${i}`,
          firstByte: i * PART,
          lastByte: Math.min(SIZE, (i + 1) * PART) - 1,
        }));
        return Response.json({ value: { video: "urn:li:video:C1", uploadToken: "", uploadInstructions } });
      }
      if (url.host === "upload.example") {
        const part = Number(url.pathname.split("/").pop());
        const bytes = new Uint8Array(
          await new Response(init?.body as ConstructorParameters<typeof Response>[0]).arrayBuffer(),
        );
        puts.push({ part, bytes: bytes.length, producedAtPut: src.produced(), first: bytes[0]! });
        return new Response(null, { status: 200, headers: { etag: `etag-${part}` } });
      }
      if (url.pathname === "/rest/videos" && url.searchParams.get("action") === "finalizeUpload") {
        const body = JSON.parse(String(init?.body)) as {
          finalizeUploadRequest: { uploadedPartIds: string[] };
        };
        expect(body.finalizeUploadRequest.uploadedPartIds).toEqual(["etag-0", "etag-1", "etag-2"]);
        return new Response(null, { status: 200 });
      }
      return new Response("{}", { status: 404 });
    };
    const client = new LinkedInClient({
      apiUrl: "https://api.example",
      wwwUrl: "https://www.example",
      credentials: { clientId: "id", clientSecret: "secret" },
      fetch: fetchImpl,
    });
    const publisher = linkedInPublisher(client, { fetch: fetchImpl });
    const state = { ...initialPublishState("2026-11-26T12:00:00.000Z", "h"), phase: "upload" };
    const out = await publisher.step(
      {
        target: { kind: "linkedin_member", externalId: "urn:li:person:abc", token: "member-token" },
        content: {
          platform: "linkedin",
          format: "video",
          text: "Watch",
          media: [{ url: "https://media.example/v.mp4" }],
        },
        now: new Date("2026-11-26T12:00:00.000Z"),
      },
      state,
    );
    expect(out.next).toBe("now");
    expect(out.state.mediaIds).toEqual(["urn:li:video:C1"]);
    expect(puts.map((p) => p.bytes)).toEqual([PART, PART, SIZE - 2 * PART]);
    // Each part starts where the previous ended in the source.
    expect(puts.map((p) => p.first)).toEqual([0, PART % 251, (2 * PART) % 251]);
    // When part n was sent, the source had been read at most through part n (+ one chunk).
    for (const [n, p] of puts.entries()) {
      expect(p.producedAtPut).toBeLessThanOrEqual(Math.min(SIZE, (n + 1) * PART + CHUNK));
    }
    expect(calls.filter((c) => c.startsWith("PUT"))).toHaveLength(3);
  });
});
