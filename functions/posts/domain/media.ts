/**
 * What a media file really is, from its first bytes: the MIME type by magic number (never the
 * extension or the server's Content-Type) and, for images, the pixel dimensions read from the
 * format's header (PNG IHDR, JPEG SOFn, GIF logical screen, WebP VP8/VP8L/VP8X).
 */
export type MediaKind = "image" | "video" | "document";

export interface Sniffed {
  readonly mime: string;
  readonly kind: MediaKind;
  readonly width?: number;
  readonly height?: number;
}

/** The result of inspecting one URL. */
export type MediaInfo =
  | ({ readonly ok: true; readonly url: string; readonly sizeBytes?: number } & Sniffed)
  | { readonly ok: false; readonly url: string; readonly code: string; readonly message: string };

const ascii = (b: Uint8Array, start: number, len: number) =>
  String.fromCharCode(...b.subarray(start, Math.min(b.length, start + len)));

const u16be = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number) => u16le(b, i) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number) => u16be(b, i) * 65536 + u16be(b, i + 2);

/** Width and height from a JPEG's first SOFn segment (baseline, progressive, …). */
export function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    // Standalone markers carry no length.
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const length = u16be(b, i + 2);
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = u16be(b, i + 5);
      const width = u16be(b, i + 7);
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    if (marker === 0xda || length < 2) return undefined; // start of scan: no SOF before it
    i += 2 + length;
  }
  return undefined;
}

function webpSize(b: Uint8Array): { width: number; height: number } | undefined {
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8X" && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === "VP8L" && b.length >= 25) {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8 " && b.length >= 30)
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  return undefined;
}

/** Identify a file from its first bytes; undefined when it is none of the types we accept. */
export function sniff(b: Uint8Array): Sniffed | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    return { mime: "image/jpeg", kind: "image", ...jpegSize(b) };
  }
  if (b.length >= 8 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a) {
    const size =
      b.length >= 24 && ascii(b, 12, 4) === "IHDR" ? { width: u32be(b, 16), height: u32be(b, 20) } : {};
    return { mime: "image/png", kind: "image", ...size };
  }
  const head6 = ascii(b, 0, 6);
  if (head6 === "GIF87a" || head6 === "GIF89a") {
    return {
      mime: "image/gif",
      kind: "image",
      ...(b.length >= 10 ? { width: u16le(b, 6), height: u16le(b, 8) } : {}),
    };
  }
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") {
    return { mime: "image/webp", kind: "image", ...webpSize(b) };
  }
  if (ascii(b, 0, 5) === "%PDF-") return { mime: "application/pdf", kind: "document" };
  const box = ascii(b, 4, 4);
  if (box === "ftyp") {
    const brand = ascii(b, 8, 4);
    return { mime: brand === "qt  " ? "video/quicktime" : "video/mp4", kind: "video" };
  }
  // Older QuickTime files start straight with a movie, wide or free atom.
  if (["moov", "mdat", "wide", "free"].includes(box)) return { mime: "video/quicktime", kind: "video" };
  return undefined;
}
