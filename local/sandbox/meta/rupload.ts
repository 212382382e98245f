import { sniffFormat } from "../core/media.js";
import type { Router, SandboxRequest, SandboxResponse } from "../core/types.js";
import { graphHeaders } from "./errors.js";
import { tokenProblem } from "./graph.js";
import { metaState } from "./state.js";

/** rupload's own error shape (not the Graph envelope). */
const ruploadError = (
  req: SandboxRequest,
  status: number,
  type: string,
  message: string,
): SandboxResponse => ({
  status,
  headers: graphHeaders(req),
  body: { debug_info: { retriable: false, type, message } },
});

/**
 * `rupload.facebook.com/ig-api-upload/vNN.N/{container}`: the bytes of a resumable IG video
 * container. Headers: `Authorization: OAuth <token>`, `offset`, `file_size`, or `file_url`
 * to have the sandbox fetch the file. When all bytes are in, processing starts on the
 * sandbox clock.
 */
export function registerRupload(router: Router): void {
  router.add(
    "POST",
    "/meta/rupload/ig-api-upload/:version(v\\d+\\.\\d+)/:id(\\d+)",
    async (req, ctx) => {
      const st = metaState(ctx);
      const auth = /^(?:OAuth|Bearer)\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
      const token = auth ? st.tokens.get(auth) : undefined;
      if (!token || tokenProblem(st, token, ctx.clock.now())) {
        return ruploadError(req, 401, "OAuthException", "Invalid OAuth access token.");
      }
      const c = st.containers.get(req.params.id!);
      if (!c?.upload) return ruploadError(req, 400, "ProcessingFailedError", "Request processing failed");
      const now = ctx.clock.now();
      const fileUrl = req.headers.file_url;
      if (fileUrl) {
        const m = await ctx.fetchMedia(fileUrl);
        if (!m.ok)
          return ruploadError(req, 400, "ProcessingFailedError", "Failed to fetch the file from file_url");
        c.upload = { fileSize: m.bytes, received: m.bytes };
        if (m.format !== "mp4" && m.format !== "mov") c.errorSubcode = 2207026;
      } else {
        const offset = Number(req.headers.offset ?? "0");
        const fileSize = Number(req.headers.file_size ?? Number.NaN);
        if (!Number.isInteger(fileSize) || fileSize <= 0) {
          return ruploadError(req, 400, "ProcessingFailedError", "file_size header is required");
        }
        if (offset !== c.upload.received) {
          return ruploadError(
            req,
            400,
            "ProcessingFailedError",
            `Invalid offset ${offset}, expected ${c.upload.received}`,
          );
        }
        const head = c.upload.head ?? req.rawBody.subarray(0, 64);
        c.upload = { fileSize, received: offset + req.rawBody.length, head };
        if (c.upload.received > fileSize) {
          return ruploadError(req, 400, "ProcessingFailedError", "More bytes than file_size");
        }
        const format = sniffFormat(head);
        if (c.upload.received === fileSize && format !== "mp4" && format !== "mov") c.errorSubcode = 2207026;
      }
      if (c.upload.received === c.upload.fileSize) c.readyAt = now + ctx.config.meta.igVideoProcessingMs;
      return {
        status: 200,
        headers: graphHeaders(req),
        body: { success: true, message: "Upload successful." },
      };
    },
    { target: (req) => req.params.id },
  );
}
