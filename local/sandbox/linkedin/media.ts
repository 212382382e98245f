import { createHash, randomBytes } from "node:crypto";
import type { Router, SandboxContext, SandboxRequest } from "../core/types.js";
import { API, type ApiCaller, apiRoute, hasScope, jsonObject, WWW } from "./api.js";
import { accessDeniedBody, liJson, notFoundBody, validationBody } from "./responses.js";
import {
  assetId,
  type LinkedInState,
  liState,
  type MediaAsset,
  type MediaKind,
  mayActAs,
  type UploadPart,
} from "./state.js";

/**
 * Images, documents and videos (providers.md B6): `initializeUpload` hands out upload URLs on
 * `/linkedin/www/dms-uploads/…`; videos come in 4 MiB parts, each PUT answered with an ETag that
 * `finalizeUpload` must list in order. Status goes WAITING_UPLOAD → PROCESSING → AVAILABLE
 * (images are AVAILABLE once uploaded; videos and documents after `mediaProcessingMs` on the
 * sandbox clock), or PROCESSING_FAILED for bytes of the wrong kind or through a control route.
 */

export const VIDEO_PART_BYTES = 4_194_304;
const MAX_VIDEO_BYTES = 500 * 1024 * 1024;
const MAX_IMAGE_PIXELS = 36_152_320;

const KIND_SEGMENT: Record<MediaKind, string> = {
  image: "uploaded-image",
  video: "uploaded-video",
  document: "uploaded-document",
};

/** What the first bytes of a file say it is, with pixel size for PNG/GIF/JPEG. */
export function sniff(b: Buffer): { format: string; width?: number; height?: number } {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) {
    return { format: "png", width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && b.toString("latin1", 0, 4) === "GIF8") {
    return { format: "gif", width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    // Walk the segments to the first start-of-frame marker for the size.
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) break;
      const marker = b[i + 1] as number;
      const len = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { format: "jpeg", height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
    return { format: "jpeg" };
  }
  if (b.length >= 12 && b.toString("latin1", 4, 8) === "ftyp") return { format: "mp4" };
  if (b.length >= 4 && b.toString("latin1", 0, 4) === "%PDF") return { format: "pdf" };
  if (b.length >= 4 && b.readUInt32BE(0) === 0x504b0304) return { format: "office-openxml" };
  if (b.length >= 4 && b.readUInt32BE(0) === 0xd0cf11e0) return { format: "office-legacy" };
  return { format: "unknown" };
}

/** The status LinkedIn would report now, and why processing failed if it did. */
export function mediaStatus(ctx: SandboxContext, asset: MediaAsset): { status: string; reason?: string } {
  if (asset.failureReason) return { status: "PROCESSING_FAILED", reason: asset.failureReason };
  if (asset.processingStartedAt === undefined) return { status: "WAITING_UPLOAD" };
  if (asset.kind === "image") return { status: "AVAILABLE" };
  return ctx.clock.now() >= asset.processingStartedAt + ctx.config.linkedin.mediaProcessingMs
    ? { status: "AVAILABLE" }
    : { status: "PROCESSING" };
}

function mediaUrn(kind: MediaKind, id: string): string {
  return `urn:li:${kind}:${id}`;
}

function uploadUrl(
  ctx: SandboxContext,
  st: LinkedInState,
  asset: MediaAsset,
  part: number,
  segment?: string,
): string {
  const ut = randomBytes(18).toString("base64url");
  st.uploads.set(ut, { urn: asset.urn, part });
  const id = asset.urn.split(":").pop() as string;
  const q = new URLSearchParams({ ca: "vector_feedshare", cn: "uploads", sync: "0", v: "beta", ut });
  return `${ctx.baseUrl}${WWW}/dms-uploads/sp/${id}/${segment ?? KIND_SEGMENT[asset.kind]}/${part}?${q.toString()}`;
}

function ownerOf(req: SandboxRequest): string | undefined {
  const body = jsonObject(req);
  const init = body?.initializeUploadRequest as Record<string, unknown> | undefined;
  return typeof init?.owner === "string" ? init.owner : undefined;
}

function writeScopeFor(owner: string): string {
  return owner.startsWith("urn:li:organization:") ? "w_organization_social" : "w_member_social";
}

function initialize(req: SandboxRequest, ctx: SandboxContext, c: ApiCaller, kind: MediaKind) {
  const body = jsonObject(req);
  const init = body?.initializeUploadRequest as Record<string, unknown> | undefined;
  const resource = `${kind}s.ACTION-initializeUpload`;
  if (!init || typeof init.owner !== "string" || !/^urn:li:(person|organization):\S+$/.test(init.owner)) {
    return liJson(
      req,
      422,
      validationBody(
        422,
        "ERROR :: /initializeUploadRequest/owner :: field is required",
        "FIELD_VALUE_MISSING",
        "/initializeUploadRequest/owner",
      ),
    );
  }
  const owner = init.owner;
  if (!hasScope(c, writeScopeFor(owner)) || !mayActAs(c.st, c.member.sub, owner)) {
    return liJson(req, 403, accessDeniedBody(resource, c.version));
  }
  const now = ctx.clock.now();
  const expiresAt = now + c.st.settings.uploadUrlSeconds * 1000;
  let fileSizeBytes: number | undefined;
  if (kind === "video") {
    const size = init.fileSizeBytes;
    if (typeof size !== "number" || !Number.isInteger(size) || size <= 0 || size > MAX_VIDEO_BYTES) {
      return liJson(
        req,
        422,
        validationBody(
          422,
          `ERROR :: /initializeUploadRequest/fileSizeBytes :: must be an integer between 1 and ${MAX_VIDEO_BYTES}`,
          "INVALID_VALUE",
          "/initializeUploadRequest/fileSizeBytes",
        ),
      );
    }
    fileSizeBytes = size;
  }
  const parts: UploadPart[] = [];
  const asset: MediaAsset = {
    urn: mediaUrn(kind, assetId(c.st, kind)),
    kind,
    owner,
    createdAt: now,
    uploadExpiresAt: expiresAt,
    fileSizeBytes,
    parts,
    finalized: false,
    bytes: 0,
  };
  c.st.media.set(asset.urn, asset);
  if (kind !== "video") {
    const url = uploadUrl(ctx, c.st, asset, 0);
    parts.push({ firstByte: 0, lastByte: -1, token: new URL(url).searchParams.get("ut") as string });
    return liJson(req, 200, {
      value: { uploadUrlExpiresAt: expiresAt, uploadUrl: url, [kind]: asset.urn },
    });
  }
  const instructions: { uploadUrl: string; firstByte: number; lastByte: number }[] = [];
  for (let first = 0, i = 0; first < (fileSizeBytes as number); first += VIDEO_PART_BYTES, i += 1) {
    const last = Math.min(first + VIDEO_PART_BYTES, fileSizeBytes as number) - 1;
    const url = uploadUrl(ctx, c.st, asset, i);
    parts.push({ firstByte: first, lastByte: last, token: new URL(url).searchParams.get("ut") as string });
    instructions.push({ uploadUrl: url, firstByte: first, lastByte: last });
  }
  const value: Record<string, unknown> = {
    uploadUrlsExpireAt: expiresAt,
    video: asset.urn,
    uploadInstructions: instructions,
    uploadToken: "",
  };
  if (init.uploadThumbnail === true)
    value.thumbnailUploadUrl = uploadUrl(ctx, c.st, asset, -1, "uploaded-thumbnail");
  if (init.uploadCaptions === true)
    value.captionsUploadUrl = uploadUrl(ctx, c.st, asset, -2, "uploaded-captions");
  return liJson(req, 200, { value });
}

function finalize(req: SandboxRequest, ctx: SandboxContext, c: ApiCaller) {
  const body = jsonObject(req);
  const fin = body?.finalizeUploadRequest as Record<string, unknown> | undefined;
  const urn = typeof fin?.video === "string" ? fin.video : "";
  const asset = c.st.media.get(urn);
  if (asset?.kind !== "video") return liJson(req, 404, notFoundBody(`Video ${urn} not found`));
  if (!mayActAs(c.st, c.member.sub, asset.owner)) {
    return liJson(req, 403, accessDeniedBody("videos.ACTION-finalizeUpload", c.version));
  }
  const ids = fin?.uploadedPartIds;
  const expected = asset.parts.map((p) => p.etag);
  const ok =
    Array.isArray(ids) &&
    ids.length === expected.length &&
    expected.every((etag, i) => etag !== undefined && ids[i] === etag);
  if (!ok) {
    // [I] LinkedIn's wording for a bad part list is not confirmed; the status is.
    const missing = asset.parts.filter((p) => p.etag === undefined).length;
    return liJson(req, 400, {
      status: 400,
      message:
        missing > 0
          ? `Video upload is incomplete: ${missing} of ${asset.parts.length} parts have not been uploaded`
          : "uploadedPartIds do not match the uploaded parts (ETags, in order)",
    });
  }
  if (!asset.finalized) {
    asset.finalized = true;
    asset.processingStartedAt = ctx.clock.now();
    if (asset.format !== "mp4" && !asset.failureReason)
      asset.failureReason = "Video is not a supported format (MP4)";
  }
  return liJson(req, 200);
}

/** Upload bytes to a `dms-uploads` URL (pre-signed by its `ut`; a bearer token is not needed). */
function upload(req: SandboxRequest, ctx: SandboxContext) {
  const st = liState(ctx);
  const slot = st.uploads.get(req.query.get("ut") ?? "");
  const asset = slot ? st.media.get(slot.urn) : undefined;
  if (!slot || !asset) return liJson(req, 404, notFoundBody("Upload URL not found"));
  if (ctx.clock.now() > asset.uploadExpiresAt) {
    return liJson(req, 403, { status: 403, message: "Upload URL expired" });
  }
  const bytes = req.rawBody;
  if (slot.part < 0) return liJson(req, 201); // thumbnail / captions: accepted, not inspected
  if (asset.kind !== "video") {
    if (bytes.length === 0) return liJson(req, 400, { status: 400, message: "Empty upload" });
    const s = sniff(bytes);
    asset.bytes = bytes.length;
    asset.format = s.format;
    asset.width = s.width;
    asset.height = s.height;
    asset.processingStartedAt = ctx.clock.now();
    asset.failureReason = undefined;
    if (asset.kind === "image") {
      if (!["jpeg", "png", "gif"].includes(s.format)) asset.failureReason = "Image is not a JPG, GIF or PNG";
      else if (s.width !== undefined && s.height !== undefined && s.width * s.height >= MAX_IMAGE_PIXELS) {
        asset.failureReason = `Image has ${s.width * s.height} pixels; the limit is ${MAX_IMAGE_PIXELS}`;
      }
    } else if (!["pdf", "office-openxml", "office-legacy"].includes(s.format)) {
      asset.failureReason = "Document is not a PDF, PPT(X) or DOC(X)";
    } else if (bytes.length > 100 * 1024 * 1024) {
      asset.failureReason = "Document is larger than 100 MB";
    }
    return liJson(req, 201);
  }
  if (asset.finalized)
    return liJson(req, 400, { status: 400, message: "Video upload was already finalized" });
  const part = asset.parts[slot.part];
  if (!part) return liJson(req, 404, notFoundBody("Upload URL not found"));
  const expected = part.lastByte - part.firstByte + 1;
  if (bytes.length !== expected) {
    return liJson(req, 400, {
      status: 400,
      message: `Part ${slot.part} must be exactly ${expected} bytes (bytes ${part.firstByte}-${part.lastByte}); got ${bytes.length}`,
    });
  }
  if (slot.part === 0) asset.format = sniff(bytes).format;
  part.etag = `/ambry-video/signedId/${createHash("sha256").update(asset.urn).update(String(slot.part)).update(bytes).digest("base64url")}`;
  asset.bytes = asset.parts.reduce((n, p) => n + (p.etag ? p.lastByte - p.firstByte + 1 : 0), 0);
  return liJson(req, 200, undefined, { etag: part.etag });
}

export function registerMedia(router: Router, ctx: SandboxContext): void {
  const assetOwner = (urn: string | undefined) => (urn ? liState(ctx).media.get(urn)?.owner : undefined);

  for (const kind of ["image", "document", "video"] as const) {
    router.add(
      "POST",
      `${API}/rest/${kind}s`,
      apiRoute(`${kind}s.ACTION`, { versioned: true }, (req, c2, caller) => {
        const action = req.query.get("action");
        if (action === "initializeUpload") return initialize(req, c2, caller, kind);
        if (action === "finalizeUpload" && kind === "video") return finalize(req, c2, caller);
        return liJson(req, 400, { status: 400, message: `Unsupported action: ${action ?? "(none)"}` });
      }),
      {
        target: (req) => {
          if (req.query.get("action") === "initializeUpload") return ownerOf(req);
          const fin = jsonObject(req)?.finalizeUploadRequest as Record<string, unknown> | undefined;
          return assetOwner(typeof fin?.video === "string" ? fin.video : undefined);
        },
      },
    );
    router.add(
      "GET",
      `${API}/rest/${kind}s/:urn`,
      apiRoute(`${kind}s.GET`, { versioned: true }, (req, c2, caller) => {
        const asset = caller.st.media.get(req.params.urn ?? "");
        if (!asset || asset.kind !== kind)
          return liJson(req, 404, notFoundBody(`${req.params.urn} not found`));
        const readScopes = ["r_member_social", "r_organization_social", "rw_organization_admin"];
        if (
          !mayActAs(caller.st, caller.member.sub, asset.owner) ||
          (caller.st.settings.mediaStatusNeedsReadScope &&
            kind !== "video" &&
            !hasScope(caller, ...readScopes))
        ) {
          return liJson(req, 403, accessDeniedBody(`${kind}s.GET`, caller.version));
        }
        const { status, reason } = mediaStatus(c2, asset);
        const body: Record<string, unknown> = { owner: asset.owner, id: asset.urn, status };
        if (reason) body.processingFailureReason = reason;
        return liJson(req, 200, body);
      }),
      { target: (req) => assetOwner(req.params.urn) },
    );
  }

  router.add("PUT", `${WWW}/dms-uploads/sp/:id/:segment/:part`, (req, c2) => upload(req, c2), {
    target: (req) => assetOwner(liState(ctx).uploads.get(req.query.get("ut") ?? "")?.urn),
  });
}
