import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FetchedMedia, Router } from "./types.js";

type Format = NonNullable<FetchedMedia["format"]>;

/** Sniff a file's format from its first bytes (what a provider trusts, not the content type). */
export function sniffFormat(head: Buffer): Format {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  const ascii = head.subarray(0, 12).toString("latin1");
  if (ascii.startsWith("GIF87a") || ascii.startsWith("GIF89a")) return "gif";
  if (ascii.startsWith("RIFF") && ascii.slice(8, 12) === "WEBP") return "webp";
  if (ascii.startsWith("BM")) return "bmp";
  if (ascii.startsWith("II*\0") || ascii.startsWith("MM\0*")) return "tiff";
  if (ascii.startsWith("%PDF-")) return "pdf";
  if (ascii.slice(4, 8) === "ftyp") return ascii.slice(8, 12) === "qt  " ? "mov" : "mp4";
  return "unknown";
}

/** Pixel size of a JPEG (first SOFn segment), PNG (IHDR) or GIF (logical screen). */
export function imageSize(buf: Buffer): { width: number; height: number } | undefined {
  const format = sniffFormat(buf);
  if (format === "png" && buf.length >= 24)
    return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  if (format === "gif" && buf.length >= 10)
    return { width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
  if (format !== "jpeg") return undefined;
  for (const seg of jpegSegments(buf)) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (seg.marker >= 0xc0 && seg.marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(seg.marker)) {
      if (seg.start + 9 > buf.length) return undefined;
      return { height: buf.readUInt16BE(seg.start + 5), width: buf.readUInt16BE(seg.start + 7) };
    }
  }
  return undefined;
}

/** Walk a JPEG's marker segments up to the start of scan. `start` is the offset of the 0xFF. */
function* jpegSegments(buf: Buffer): Generator<{ marker: number; start: number; length: number }> {
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) return;
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const length = buf.readUInt16BE(i + 2);
    yield { marker, start: i, length };
    if (marker === 0xda) return; // start of scan: entropy-coded data follows
    i += 2 + length;
  }
}

/**
 * A valid JPEG of at least `bytes` bytes: `base` with comment segments inserted before the
 * start of scan (decoders skip them), so size grows while dimensions and pixels stay.
 */
export function paddedJpeg(base: Buffer, bytes: number): Buffer {
  const sos = [...jpegSegments(base)].find((s) => s.marker === 0xda);
  if (!sos) throw new Error("base JPEG has no start of scan");
  const missing = Math.max(0, bytes - base.length);
  const parts: Buffer[] = [base.subarray(0, sos.start)];
  let left = missing;
  let counter = 0;
  while (left > 0) {
    const payload = Math.min(65_533, Math.max(1, left - 4));
    const seg = Buffer.alloc(4 + payload);
    seg[0] = 0xff;
    seg[1] = 0xfe; // COM
    seg.writeUInt16BE(payload + 2, 2);
    // Cheap deterministic noise so the file does not compress to nothing in transit.
    for (let j = 4; j < seg.length; j++) {
      counter = (counter * 1_103_515_245 + 12_345) >>> 0;
      seg[j] = counter >>> 24;
    }
    parts.push(seg);
    left -= seg.length;
  }
  parts.push(base.subarray(sos.start));
  return Buffer.concat(parts);
}

/** A small, well-formed one-page PDF. */
export function samplePdf(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    "",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  const text = "BT /F1 24 Tf 72 700 Td (Herald sandbox sample document) Tj ET";
  objects[3] = `<< /Length ${text.length} >>\nstream\n${text}\nendstream`;
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
}

/**
 * A tiny ISO-BMFF (MP4) file: `ftyp`, a `moov` whose movie header says 3 s, and an `mdat`.
 * It has the structure and magic bytes a provider sniffs, not playable frames.
 */
export function sampleMp4(): Buffer {
  const ftyp = box(
    "ftyp",
    Buffer.from("isom", "latin1"),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from("isomiso2avc1mp41", "latin1"),
  );
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(3000, 16); // duration: 3 s
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  // unity matrix
  mvhd.writeUInt32BE(0x00010000, 36);
  mvhd.writeUInt32BE(0x00010000, 52);
  mvhd.writeUInt32BE(0x40000000, 68);
  mvhd.writeUInt32BE(2, 96); // next track id
  const moov = box("moov", box("mvhd", mvhd));
  return Buffer.concat([ftyp, moov, box("mdat", Buffer.alloc(1024))]);
}

/** The files under `/media/`: committed images plus generated PDF and MP4. */
export interface MediaAsset {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly width?: number;
  readonly height?: number;
}

const COMMITTED = [
  "square-1080.jpg",
  "portrait-1080x1350.jpg",
  "landscape-1920x1080.jpg",
  "wide-2000x800.jpg",
  "story-1080x1920.jpg",
  "image-640x480.png",
];

const CONTENT_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  png: "image/png",
  pdf: "application/pdf",
  mp4: "video/mp4",
};

/** The bytes the default `large-9mb.jpg` grows to: over Instagram's 8 MiB limit. */
export const LARGE_JPEG_BYTES = 9 * 1024 * 1024;

/** Load the sample media once (the committed images are a few KB each). */
export function loadAssets(): Map<string, MediaAsset> {
  const dir = fileURLToPath(new URL("../assets/", import.meta.url));
  const assets = new Map<string, MediaAsset>();
  for (const name of COMMITTED) {
    const body = readFileSync(dir + name);
    const ext = name.split(".").pop()!;
    assets.set(name, { name, contentType: CONTENT_TYPES[ext]!, body, ...imageSize(body) });
  }
  assets.set("sample.pdf", { name: "sample.pdf", contentType: "application/pdf", body: samplePdf() });
  assets.set("sample.mp4", { name: "sample.mp4", contentType: "video/mp4", body: sampleMp4() });
  return assets;
}

/**
 * Serve the sample media: `GET /media/` lists them, `GET /media/<name>` serves one,
 * `GET /media/large-9mb.jpg` (or `/media/large.jpg?bytes=N&base=<jpeg name>`) serves a real
 * JPEG padded to a size, generated on request and never stored.
 */
export function registerMediaRoutes(router: Router, baseUrl: () => string): void {
  const assets = loadAssets();
  const square = assets.get("square-1080.jpg")!.body;
  router.add("GET", "/media/", () => ({
    status: 200,
    body: {
      data: [
        ...[...assets.values()].map((a) => ({
          name: a.name,
          url: `${baseUrl()}/media/${a.name}`,
          content_type: a.contentType,
          bytes: a.body.length,
          width: a.width,
          height: a.height,
        })),
        {
          name: "large-9mb.jpg",
          url: `${baseUrl()}/media/large-9mb.jpg`,
          content_type: "image/jpeg",
          bytes: LARGE_JPEG_BYTES,
          width: 1080,
          height: 1080,
        },
      ],
    },
  }));
  const large = (bytes: number, baseName: string) => {
    const base = assets.get(baseName);
    if (base?.contentType !== "image/jpeg") return { status: 404, body: { error: "no such base JPEG" } };
    return { status: 200, headers: { "content-type": "image/jpeg" }, body: paddedJpeg(base.body, bytes) };
  };
  router.add("GET", "/media/large-9mb.jpg", () => large(LARGE_JPEG_BYTES, "square-1080.jpg"));
  router.add("GET", "/media/large.jpg", (req) => {
    const bytes = Number(req.query.get("bytes") ?? LARGE_JPEG_BYTES);
    if (!Number.isInteger(bytes) || bytes < square.length || bytes > 256 * 1024 * 1024) {
      return {
        status: 400,
        body: { error: `bytes must be an integer between ${square.length} and 268435456` },
      };
    }
    return large(bytes, req.query.get("base") ?? "square-1080.jpg");
  });
  router.add("GET", "/media/:name", (req) => {
    const asset = assets.get(req.params.name ?? "");
    if (!asset) return { status: 404, headers: { "content-type": "text/plain" }, body: "not found" };
    return { status: 200, headers: { "content-type": asset.contentType }, body: asset.body };
  });
}

/** How much of a download is kept for sniffing and measuring (the rest is only counted). */
const KEEP_BYTES = 64 * 1024 * 1024;

/**
 * Download a URL the way a provider's fetcher does: follow redirects, read the whole body,
 * sniff the format from the bytes and measure images. Never throws.
 */
export async function fetchMedia(url: string, timeoutMs = 20_000): Promise<FetchedMedia> {
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(url, { redirect: "follow", signal });
  } catch (err) {
    return { ok: false, status: 0, bytes: 0, error: isTimeout(err) ? "timeout" : "unreachable" };
  }
  const contentType = res.headers.get("content-type") ?? undefined;
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let bytes = 0;
  try {
    if (res.body) {
      for await (const chunk of res.body) {
        const b = Buffer.from(chunk as Uint8Array);
        bytes += b.length;
        if (keptBytes < KEEP_BYTES) {
          kept.push(b);
          keptBytes += b.length;
        }
      }
    }
  } catch (err) {
    return {
      ok: false,
      status: res.status,
      contentType,
      bytes,
      error: isTimeout(err) ? "timeout" : "unreachable",
    };
  }
  const body = Buffer.concat(kept);
  const format = sniffFormat(body);
  return { ok: res.ok, status: res.status, contentType, bytes, format, ...imageSize(body) };
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === "TimeoutError" || name === "AbortError";
}
