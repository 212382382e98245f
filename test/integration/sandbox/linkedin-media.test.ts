import { describe, expect, it } from "vitest";
import {
  ADA_URN,
  control,
  createPost,
  GRACE,
  mintToken,
  ORG_ADMIN,
  rest,
  type Sandbox,
  sampleBytes,
  uploadAsset,
  useLinkedInSandbox,
} from "./linkedin-support.js";

/**
 * Media uploads on the sandbox (providers.md B6): image and document `initializeUpload` →
 * PUT → status; video in 4 MiB parts with ETags → `finalizeUpload` → PROCESSING → AVAILABLE
 * on the sandbox clock; failures.
 */

const PART = 4_194_304;

let sb: Sandbox;
let token: string;
useLinkedInSandbox({
  started: (running) => {
    sb = running;
  },
  afterReset: async (running) => {
    // Long enough that real time never finishes processing during a test; tests move the clock.
    await control(running, "/_sandbox/config", { linkedin: { mediaProcessingMs: 600_000 } }, "PUT");
    token = await mintToken(running);
  },
});

const status = async (kind: string, urn: string) => {
  const res = await rest(sb, `/rest/${kind}s/${encodeURIComponent(urn)}`, { token });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    id: string;
    owner: string;
    status: string;
    processingFailureReason?: string;
  };
};

interface VideoInit {
  value: {
    uploadUrlsExpireAt: number;
    video: string;
    uploadToken: string;
    uploadInstructions: { uploadUrl: string; firstByte: number; lastByte: number }[];
  };
}

async function initVideo(fileSizeBytes: number, owner = ADA_URN): Promise<VideoInit["value"]> {
  const res = await rest(sb, "/rest/videos?action=initializeUpload", {
    token,
    body: {
      initializeUploadRequest: { owner, fileSizeBytes, uploadCaptions: false, uploadThumbnail: false },
    },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as VideoInit).value;
}

/** A video file of `size` bytes that starts like an MP4 (the sandbox's sample, padded). */
async function videoBytes(size: number): Promise<Buffer> {
  const mp4 = await sampleBytes(sb, "sample.mp4");
  const out = Buffer.alloc(size, 0x2a);
  mp4.copy(out, 0, 0, Math.min(mp4.length, size));
  return out;
}

async function putParts(v: VideoInit["value"], bytes: Buffer): Promise<string[]> {
  const etags: string[] = [];
  for (const part of v.uploadInstructions) {
    const res = await fetch(part.uploadUrl, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: bytes.subarray(part.firstByte, part.lastByte + 1),
    });
    expect(res.status).toBe(200);
    const etag = res.headers.get("etag");
    expect(etag).toBeTruthy();
    etags.push(etag as string);
  }
  return etags;
}

const finalize = (video: string, uploadedPartIds: unknown) =>
  rest(sb, "/rest/videos?action=finalizeUpload", {
    token,
    body: { finalizeUploadRequest: { video, uploadToken: "", uploadedPartIds } },
  });

describe("images and documents", () => {
  it("initializeUpload answers uploadUrl on /linkedin/www/dms-uploads and an image URN; PUT → AVAILABLE", async () => {
    const res = await rest(sb, "/rest/images?action=initializeUpload", {
      token,
      body: { initializeUploadRequest: { owner: ADA_URN } },
    });
    expect(res.status).toBe(200);
    const { value } = (await res.json()) as {
      value: { uploadUrlExpiresAt: number; uploadUrl: string; image: string };
    };
    expect(value.image).toMatch(/^urn:li:image:[A-Za-z0-9_-]+$/);
    expect(value.uploadUrl.startsWith(`${sb.url}/linkedin/www/dms-uploads/`)).toBe(true);
    expect(value.uploadUrlExpiresAt).toBeGreaterThan(Date.now() - 60_000);
    expect((await status("image", value.image)).status).toBe("WAITING_UPLOAD");

    const put = await fetch(value.uploadUrl, {
      method: "PUT",
      body: await sampleBytes(sb, "square-1080.jpg"),
    });
    expect(put.status).toBe(201);
    expect(await status("image", value.image)).toMatchObject({
      id: value.image,
      owner: ADA_URN,
      status: "AVAILABLE",
    });
  });

  it("bytes that are not an image → PROCESSING_FAILED with a reason", async () => {
    const urn = await uploadAsset(sb, token, "image", Buffer.from("definitely not an image"));
    const s = await status("image", urn);
    expect(s.status).toBe("PROCESSING_FAILED");
    expect(s.processingFailureReason).toMatch(/JPG, GIF or PNG/);
  });

  it("a document is PROCESSING until mediaProcessingMs pass on the sandbox clock, then AVAILABLE", async () => {
    const urn = await uploadAsset(sb, token, "document", await sampleBytes(sb, "sample.pdf"));
    expect(urn).toMatch(/^urn:li:document:/);
    expect((await status("document", urn)).status).toBe("PROCESSING");
    await control(sb, "/_sandbox/clock", { advanceMs: 600_001 });
    expect((await status("document", urn)).status).toBe("AVAILABLE");
  });

  it("the fail control turns an item PROCESSING_FAILED; a post with it is refused", async () => {
    const urn = await uploadAsset(sb, token, "image", await sampleBytes(sb, "image-640x480.png"));
    const res = await control(sb, `/_sandbox/linkedin/media/${encodeURIComponent(urn)}/fail`, {
      reason: "corrupt",
    });
    expect(res.status).toBe(200);
    expect(await status("image", urn)).toMatchObject({
      status: "PROCESSING_FAILED",
      processingFailureReason: "corrupt",
    });
    expect((await createPost(sb, token, { commentary: "x", content: { media: { id: urn } } })).status).toBe(
      422,
    );
  });

  it("uploading for an owner the member does not administer → 403", async () => {
    const res = await rest(sb, "/rest/images?action=initializeUpload", {
      token,
      body: { initializeUploadRequest: { owner: `urn:li:person:${GRACE.sub}` } },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "ACCESS_DENIED" });
  });
});

describe("videos in parts", () => {
  it("9 MiB → three parts of 4,194,304 bytes; PUT each (ETag) → finalize → PROCESSING → AVAILABLE → post", async () => {
    const size = 9 * 1024 * 1024;
    const v = await initVideo(size, ORG_ADMIN);
    expect(v.video).toMatch(/^urn:li:video:/);
    expect(v.uploadToken).toBe("");
    expect(v.uploadInstructions.map(({ firstByte, lastByte }) => [firstByte, lastByte])).toEqual([
      [0, PART - 1],
      [PART, 2 * PART - 1],
      [2 * PART, size - 1],
    ]);
    expect((await status("video", v.video)).status).toBe("WAITING_UPLOAD");

    const etags = await putParts(v, await videoBytes(size));
    expect(new Set(etags).size).toBe(3);

    const wrongOrder = await finalize(v.video, [etags[1], etags[0], etags[2]]);
    expect(wrongOrder.status).toBe(400);
    const missing = await finalize(v.video, etags.slice(0, 2));
    expect(missing.status).toBe(400);
    expect((await status("video", v.video)).status).toBe("WAITING_UPLOAD");

    const ok = await finalize(v.video, etags);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("");
    expect((await status("video", v.video)).status).toBe("PROCESSING");

    const early = await createPost(sb, token, {
      author: ORG_ADMIN,
      commentary: "video",
      content: { media: { id: v.video } },
    });
    expect(early.status).toBe(422);

    await control(sb, "/_sandbox/clock", { advanceMs: 600_001 });
    expect((await status("video", v.video)).status).toBe("AVAILABLE");
    const post = await createPost(sb, token, {
      author: ORG_ADMIN,
      commentary: "video",
      content: { media: { id: v.video, title: "clip" } },
    });
    expect(post.status).toBe(201);
  });

  it("finalize before every part is uploaded → 400", async () => {
    const v = await initVideo(PART + 10);
    const bytes = await videoBytes(PART + 10);
    const first = v.uploadInstructions[0]!;
    const res = await fetch(first.uploadUrl, { method: "PUT", body: bytes.subarray(0, PART) });
    const etag = res.headers.get("etag") as string;
    expect((await finalize(v.video, [etag])).status).toBe(400);
    expect((await finalize(v.video, [etag, "made-up"])).status).toBe(400);
  });

  it("a part of the wrong size → 400 and no ETag", async () => {
    const v = await initVideo(1_000_000);
    const res = await fetch(v.uploadInstructions[0]!.uploadUrl, {
      method: "PUT",
      body: Buffer.alloc(999_999),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("etag")).toBeNull();
  });

  it("a video whose bytes are not MP4 → PROCESSING_FAILED after finalize", async () => {
    const v = await initVideo(2_000);
    const etags = await putParts(v, Buffer.alloc(2_000, 1));
    expect((await finalize(v.video, etags)).status).toBe(200);
    expect((await status("video", v.video)).status).toBe("PROCESSING_FAILED");
  });

  it("fileSizeBytes is required", async () => {
    const res = await rest(sb, "/rest/videos?action=initializeUpload", {
      token,
      body: { initializeUploadRequest: { owner: ADA_URN } },
    });
    expect(res.status).toBe(422);
  });
});
