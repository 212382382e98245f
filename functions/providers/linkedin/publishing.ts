/**
 * Publishing to LinkedIn (member or organisation author), one step at a time (see
 * functions/publishing/domain/publish-state.ts): media uploads through the Images, Documents
 * and Videos APIs (each URN recorded before the post is created, so a retry reuses it and
 * LinkedIn's duplicate check can answer), processing status by coming back later, the post
 * (`POST /rest/posts`, commentary escaped for "little text"), and the first comment.
 *
 * Videos go up in the parts `initializeUpload` hands out (4 MiB), STREAMED from the source URL:
 * at most one part is held in memory. No duplicates: a `422 DUPLICATE_POST` names the existing
 * post, which is adopted; an uncertain first comment is looked up among the post's comments
 * before it is posted again.
 */
import { classifyProviderError } from "../../publishing/domain/provider-errors.js";
import type { PublishState, StepOutcome } from "../../publishing/domain/publish-state.js";
import { failureFromProviderError, ProviderError } from "../errors.js";
import { discardBody, type FetchLike, fetchWithDeadline, readJson } from "../http.js";
import { type Json, asText as str } from "../json.js";
import { type Publisher, StepFailureError, type StepInput } from "../publisher.js";
import type { LinkedInClient } from "./client.js";
import { escapeCommentary } from "./commentary.js";
import { linkedInErrorFrom } from "./errors.js";

/** Upload calls move whole parts; give them longer than API calls. */
const UPLOAD_TIMEOUT_MS = 120_000;
const MEDIA_POLL_MS = 3_000;

export const linkedInPermalink = (urn: string) => `https://www.linkedin.com/feed/update/${urn}/`;

type MediaKind = "image" | "video" | "document";

function mediaKindFor(format: string): MediaKind | undefined {
  if (format === "image" || format === "multi_image") return "image";
  if (format === "video") return "video";
  if (format === "document") return "document";
  return undefined;
}

export interface LinkedInPublisherOptions {
  /** Fetch for media sources and upload URLs (defaults to global fetch). */
  readonly fetch?: FetchLike;
}

/**
 * Read a byte stream in exact slices: `take(n)` resolves with the next `n` bytes (fewer only at
 * the end of the stream). Only the slice being assembled is held.
 */
export function sliceReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  let ended = false;
  return {
    async take(n: number): Promise<Buffer> {
      const out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        if (pending.length === 0) {
          if (ended) break;
          const { done, value } = await reader.read();
          if (done) {
            ended = true;
            break;
          }
          pending = value;
          continue;
        }
        const k = Math.min(n - filled, pending.length);
        out.set(pending.subarray(0, k), filled);
        pending = pending.subarray(k);
        filled += k;
      }
      return filled === n ? out : out.subarray(0, filled);
    },
    async cancel() {
      await discardBody(reader);
    },
  };
}

export function linkedInPublisher(client: LinkedInClient, options: LinkedInPublisherOptions = {}): Publisher {
  const fetchImpl = options.fetch ?? fetch;

  /** GET a media source; a failure is the post's problem (content), not LinkedIn's. */
  async function source(url: string): Promise<Response> {
    const res = await fetchWithDeadline(
      "linkedin",
      new URL(url),
      { method: "GET" },
      UPLOAD_TIMEOUT_MS,
      fetchImpl,
    );
    if (!res.ok || !res.body) {
      await discardBody(res.body);
      throw new StepFailureError({
        provider: "linkedin",
        httpStatus: 422,
        message: `the media at ${url} could not be downloaded (HTTP ${res.status})`,
      });
    }
    return res;
  }

  /** PUT bytes (a buffer or a stream) to an upload URL; answers the ETag. */
  async function put(
    uploadUrl: string,
    token: string,
    body: Buffer | ReadableStream<Uint8Array>,
    length?: number,
  ) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      "content-type": "application/octet-stream",
      ...(length !== undefined ? { "content-length": String(length) } : {}),
    };
    const init: RequestInit & { duplex?: "half" } = { method: "PUT", headers, body };
    if (!(body instanceof Buffer)) init.duplex = "half";
    const res = await fetchWithDeadline("linkedin", new URL(uploadUrl), init, UPLOAD_TIMEOUT_MS, fetchImpl);
    if (!res.ok) throw linkedInErrorFrom(res.status, await readJson(res), "PUT upload");
    await discardBody(res.body);
    return res.headers.get("etag") ?? undefined;
  }

  async function uploadSimple(kind: "image" | "document", url: string, input: StepInput): Promise<string> {
    const { body } = await client.request<{
      value?: { uploadUrl?: string; image?: string; document?: string };
    }>("POST", `/rest/${kind}s`, {
      token: input.target.token,
      query: { action: "initializeUpload" },
      json: { initializeUploadRequest: { owner: input.target.externalId } },
      label: `POST /rest/${kind}s?action=initializeUpload`,
    });
    const uploadUrl = body.value?.uploadUrl;
    const urn = body.value?.[kind];
    if (!uploadUrl || !urn)
      throw linkedInErrorFrom(
        502,
        { message: "initializeUpload answered no upload URL" },
        "initializeUpload",
      );
    const src = await source(url);
    const length = Number(src.headers.get("content-length") ?? Number.NaN);
    await put(uploadUrl, input.target.token, src.body!, Number.isFinite(length) ? length : undefined);
    return urn;
  }

  /** Multipart video upload: the size from the source, then each part streamed and PUT in order. */
  async function uploadVideo(url: string, input: StepInput): Promise<string> {
    const src = await source(url);
    const size = Number(src.headers.get("content-length") ?? Number.NaN);
    if (!Number.isFinite(size) || size <= 0) {
      await discardBody(src.body);
      throw new StepFailureError({
        provider: "linkedin",
        httpStatus: 422,
        message: `the video at ${url} has no known size`,
      });
    }
    const reader = sliceReader(src.body!);
    try {
      const { body } = await client.request<{
        value?: {
          video?: string;
          uploadToken?: string;
          uploadInstructions?: { uploadUrl: string; firstByte: number; lastByte: number }[];
        };
      }>("POST", "/rest/videos", {
        token: input.target.token,
        query: { action: "initializeUpload" },
        json: {
          initializeUploadRequest: {
            owner: input.target.externalId,
            fileSizeBytes: size,
            uploadCaptions: false,
            uploadThumbnail: false,
          },
        },
        label: "POST /rest/videos?action=initializeUpload",
      });
      const urn = body.value?.video;
      const parts = [...(body.value?.uploadInstructions ?? [])].sort((a, b) => a.firstByte - b.firstByte);
      if (!urn || parts.length === 0)
        throw linkedInErrorFrom(502, { message: "initializeUpload answered no parts" }, "initializeUpload");
      const etags: string[] = [];
      for (const part of parts) {
        const bytes = await reader.take(part.lastByte - part.firstByte + 1);
        const etag = await put(part.uploadUrl, input.target.token, bytes, bytes.length);
        if (!etag) throw linkedInErrorFrom(502, { message: "upload part answered no ETag" }, "PUT upload");
        etags.push(etag);
      }
      await client.request("POST", "/rest/videos", {
        token: input.target.token,
        query: { action: "finalizeUpload" },
        json: {
          finalizeUploadRequest: {
            video: urn,
            uploadToken: body.value?.uploadToken ?? "",
            uploadedPartIds: etags,
          },
        },
        label: "POST /rest/videos?action=finalizeUpload",
      });
      return urn;
    } finally {
      await reader.cancel();
    }
  }

  function postBody(input: StepInput, state: PublishState): Json {
    const { content } = input;
    const urns = state.mediaIds ?? [];
    let body: Json | undefined;
    switch (content.format) {
      case "article":
        body = content.link
          ? {
              article: {
                source: content.link,
                ...(content.articleTitle ? { title: content.articleTitle } : {}),
                ...(content.articleDescription ? { description: content.articleDescription } : {}),
              },
            }
          : undefined;
        break;
      case "image":
        body = {
          media: { id: urns[0], ...(content.media[0]?.altText ? { altText: content.media[0].altText } : {}) },
        };
        break;
      case "multi_image":
        body = {
          multiImage: {
            images: urns.map((id, i) => ({
              id,
              ...(content.media[i]?.altText ? { altText: content.media[i]!.altText } : {}),
            })),
          },
        };
        break;
      case "video":
        body = { media: { id: urns[0] } };
        break;
      case "document":
        body = { media: { id: urns[0], title: content.documentTitle ?? "Document" } };
        break;
      default:
        body = undefined;
    }
    return {
      author: input.target.externalId,
      commentary: escapeCommentary(content.text),
      visibility: content.visibility ?? "PUBLIC",
      distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
      ...(body ? { content: body } : {}),
      lifecycleState: "PUBLISHED",
      isReshareDisabledByAuthor: false,
    };
  }

  const published = (state: PublishState, urn: string, note: string, adopted: boolean): StepOutcome => ({
    next: "now",
    state: {
      ...state,
      phase: "comment",
      postId: urn,
      permalink: linkedInPermalink(urn),
      uncertain: false,
      ...(adopted ? { adoptedBy: "LinkedIn duplicate answer" } : {}),
    },
    note,
  });

  async function step(input: StepInput, state: PublishState): Promise<StepOutcome> {
    const { target, content } = input;
    const kind = mediaKindFor(content.format);
    switch (state.phase) {
      case "start":
        return {
          next: "now",
          state: { ...state, phase: kind ? "upload" : "post" },
          note: `LinkedIn ${content.format} as ${target.externalId}`,
        };
      case "upload": {
        const done = state.mediaIds ?? [];
        const wanted = kind === "image" ? content.media.length : 1;
        const item = content.media[done.length];
        if (done.length >= wanted || !item) {
          return {
            next: "now",
            state: { ...state, phase: kind === "image" ? "post" : "await_media" },
            note: "media uploaded",
          };
        }
        const urn =
          kind === "video"
            ? await uploadVideo(item.url, input)
            : await uploadSimple(kind === "document" ? "document" : "image", item.url, input);
        return {
          next: "now",
          state: { ...state, mediaIds: [...done, urn] },
          note: `uploaded ${kind} ${urn}`,
        };
      }
      case "await_media": {
        const urn = state.mediaIds?.[0] ?? "";
        const collection = kind === "video" ? "videos" : "documents";
        const { body } = await client.request<{ status?: string; processingFailureReason?: string }>(
          "GET",
          `/rest/${collection}/${encodeURIComponent(urn)}`,
          { token: target.token, label: `GET /rest/${collection}/{urn}` },
        );
        if (body.status === "AVAILABLE")
          return { next: "now", state: { ...state, phase: "post" }, note: `${urn} AVAILABLE` };
        if (body.status === "PROCESSING_FAILED") {
          throw new StepFailureError({
            provider: "linkedin",
            httpStatus: 422,
            message: `LinkedIn could not process the ${kind}: ${body.processingFailureReason ?? "processing failed"}`,
          });
        }
        return {
          next: "wait",
          state,
          waitMs: MEDIA_POLL_MS,
          reason: "processing",
          note: `${urn} ${body.status ?? "PROCESSING"}`,
        };
      }
      case "post": {
        try {
          const res = await client.request("POST", "/rest/posts", {
            token: target.token,
            json: postBody(input, state),
            label: "POST /rest/posts",
          });
          const urn = res.headers.get("x-restli-id") ?? str((res.body as Json).id);
          if (!urn)
            throw linkedInErrorFrom(502, { message: "post created without an id" }, "POST /rest/posts");
          return published(state, urn, `published ${urn}`, false);
        } catch (error) {
          if (error instanceof ProviderError && error.status === 422) {
            const c = classifyProviderError(failureFromProviderError(error));
            if (c.class === "duplicate" && c.existingUrn) {
              return published(
                state,
                c.existingUrn,
                `LinkedIn says the post exists (${c.existingUrn}); adopted it`,
                true,
              );
            }
          }
          throw error;
        }
      }
      case "comment": {
        const text = content.firstComment;
        const urn = state.postId ?? "";
        if (!text || state.commentId)
          return { next: "done", state: { ...state, phase: "done" }, note: "done" };
        const path = `/rest/socialActions/${encodeURIComponent(urn)}/comments`;
        if (state.uncertain) {
          const { body } = await client.request<{ elements?: Json[] }>("GET", path, {
            token: target.token,
            query: { start: 0, count: 100 },
            label: "GET /rest/socialActions/{urn}/comments",
          });
          const mine = (body.elements ?? []).find(
            (c) => c.actor === target.externalId && (c.message as Json | undefined)?.text === text,
          );
          const id = str(mine?.commentUrn) ?? str(mine?.$URN);
          if (id) {
            return {
              next: "done",
              state: { ...state, phase: "done", commentId: id, uncertain: false },
              note: `first comment already there (${id}); adopted it`,
            };
          }
        }
        const res = await client.request<Json>("POST", path, {
          token: target.token,
          json: { actor: target.externalId, object: urn, message: { text } },
          label: "POST /rest/socialActions/{urn}/comments",
        });
        const id = res.headers.get("x-restli-id") ?? str(res.body.commentUrn);
        return {
          next: "done",
          state: { ...state, phase: "done", uncertain: false, ...(id ? { commentId: id } : {}) },
          note: `first comment posted${id ? ` (${id})` : ""}`,
        };
      }
      default:
        return { next: "done", state, note: "nothing left to do" };
    }
  }

  return { step };
}
