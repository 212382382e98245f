/**
 * Publishing to a Facebook Page, one step at a time (see
 * functions/publishing/domain/publish-state.ts): text/link (`POST /{page}/feed`), photos (each
 * uploaded unpublished, then one feed post with `attached_media`, which also lets a retry
 * recognise its own photos), video (`POST /{page}/videos`, then its processing status),
 * permalink, first comment. Every step makes at most one side-effecting Graph call.
 *
 * No duplicates: when a previous attempt may have acted (`state.uncertain`), the publish step
 * first looks for the post among the Page's recent ones, matched by our photo ids or by a
 * content hash of message + link within a window.
 */
import { contentHash, type PublishState, type StepOutcome } from "../../publishing/domain/publish-state.js";
import { ProviderError } from "../errors.js";
import { type Publisher, StepFailureError, type StepInput } from "../publisher.js";
import type { MetaClient } from "./client.js";
import {
  aboutMediaItem,
  graphSteps,
  graphTimeMs,
  idOf,
  type Json,
  MATCH_SLACK_MS,
  mediaItemAt,
  str,
} from "./graph-steps.js";

const VIDEO_POLL_MS = 5_000;

/** Hash of what a Page post shows (message + link), comparable with a recent post's. */
export const pagePostHash = (message: string | undefined, link: string | undefined) =>
  contentHash({ text: message ?? "", ...(link ? { link } : {}), media: [] });

const isMetaError = (e: unknown, code: number, subcode?: number) =>
  e instanceof ProviderError &&
  e.provider === "meta" &&
  (e.code === code || (subcode !== undefined && e.subcode === subcode));

export function facebookPublisher(client: MetaClient): Publisher {
  const { req, readPermalink, comment } = graphSteps(client);

  /** Our post among the Page's recent ones: by our photo ids, else by message + link hash. */
  async function findRecentPagePost(input: StepInput, state: PublishState): Promise<string | undefined> {
    const page = input.target.externalId;
    const out = await req<{ data?: Json[] }>(
      "GET",
      `/${encodeURIComponent(page)}/feed`,
      input.target.token,
      { fields: "id,message,link,created_time,attachments", limit: 25 },
      "GET /{page}/feed",
    );
    const since = Date.parse(state.startedAt) - MATCH_SLACK_MS;
    const want = pagePostHash(input.content.text || undefined, input.content.link);
    const ours = new Set(state.mediaIds ?? []);
    for (const p of out.data ?? []) {
      if (!(graphTimeMs(p.created_time) >= since)) continue;
      const attached = ((p.attachments as { data?: { target?: { id?: string } }[] } | undefined)?.data ?? [])
        .map((a) => a.target?.id)
        .filter((id): id is string => typeof id === "string");
      if (ours.size > 0) {
        if (attached.some((id) => ours.has(id))) return str(p.id);
        continue;
      }
      if (pagePostHash(str(p.message), str(p.link)) === want) return str(p.id);
    }
    return undefined;
  }

  const afterPublished = (
    state: PublishState,
    postId: string,
    how: string,
    permalink?: string,
  ): StepOutcome => ({
    next: "now",
    state: {
      ...state,
      // Graph answers the permalink with the post when asked (`fields`); else one more read.
      phase: permalink ? "comment" : "permalink",
      postId,
      ...(permalink ? { permalink } : {}),
      uncertain: false,
      ...(how === "adopted" ? { adoptedBy: "recent-post match" } : {}),
    },
    note:
      how === "adopted"
        ? `found the post already on the Page (${postId}); adopted it`
        : `published ${postId}`,
  });

  async function step(input: StepInput, state: PublishState): Promise<StepOutcome> {
    const { target, content } = input;
    const page = encodeURIComponent(target.externalId);
    switch (state.phase) {
      case "start": {
        const next = content.format === "video" ? "video" : content.format === "post" ? "publish" : "upload";
        return { next: "now", state: { ...state, phase: next }, note: `Facebook ${content.format}` };
      }
      case "upload": {
        const done = state.mediaIds ?? [];
        const item = content.media[done.length];
        if (!item) return { next: "now", state: { ...state, phase: "publish" }, note: "photos uploaded" };
        let id: string;
        try {
          const out = await req(
            "POST",
            `/${page}/photos`,
            target.token,
            { url: item.url, published: false },
            "POST /{page}/photos",
          );
          id = idOf(out, "photo upload");
        } catch (error) {
          // A refused photo (1366046: too large or wrong format) names which one.
          throw aboutMediaItem(error, mediaItemAt(content, done.length)!);
        }
        return {
          next: "now",
          state: { ...state, mediaIds: [...done, id] },
          note: `uploaded photo ${done.length + 1}/${content.media.length} unpublished (${id})`,
        };
      }
      case "publish": {
        if (state.uncertain) {
          const found = await findRecentPagePost(input, state);
          if (found) return afterPublished(state, found, "adopted");
        }
        const params: Record<string, string | undefined> = {
          message: content.text || undefined,
          link: content.link,
        };
        (state.mediaIds ?? []).forEach((id, i) => {
          params[`attached_media[${i}]`] = JSON.stringify({ media_fbid: id });
        });
        try {
          const out = await req(
            "POST",
            `/${page}/feed`,
            target.token,
            { ...params, fields: "id,permalink_url" },
            "POST /{page}/feed",
          );
          const id = idOf(out, "feed post");
          return afterPublished(state, id, "published", str(out.permalink_url));
        } catch (error) {
          // 506 (same message just posted) / 1366051 (photos already posted): look for it.
          if (isMetaError(error, 506, 1366051)) {
            const found = await findRecentPagePost(input, state);
            if (found) return afterPublished(state, found, "adopted");
          }
          throw error;
        }
      }
      case "video": {
        const item = content.media[0];
        if (!item)
          throw new StepFailureError({
            provider: "meta",
            httpStatus: 400,
            code: 100,
            message: "a video post needs a video",
          });
        const out = await req(
          "POST",
          `/${page}/videos`,
          target.token,
          { file_url: item.url, description: content.text || undefined, published: true },
          "POST /{page}/videos",
        );
        const id = idOf(out, "video upload");
        return {
          next: "now",
          state: { ...state, phase: "await_video", videoId: id, uncertain: false },
          note: `video uploaded (${id})`,
        };
      }
      case "await_video": {
        const out = await req(
          "GET",
          `/${encodeURIComponent(state.videoId ?? "")}`,
          target.token,
          { fields: "status,permalink_url,post_id" },
          "GET /{video-id}",
        );
        const status = (out.status as { video_status?: string } | undefined)?.video_status;
        if (status === "error") {
          throw new StepFailureError({
            provider: "meta",
            httpStatus: 400,
            code: 352,
            message: "Facebook could not process the video",
          });
        }
        if (status !== "ready") {
          return {
            next: "wait",
            state,
            waitMs: VIDEO_POLL_MS,
            reason: "processing",
            note: `video ${status ?? "processing"}`,
          };
        }
        const rel = str(out.permalink_url);
        const permalink = rel ? (rel.startsWith("http") ? rel : `https://www.facebook.com${rel}`) : undefined;
        const postId = str(out.post_id) ?? state.videoId!;
        return {
          next: "now",
          state: { ...state, phase: "comment", postId, ...(permalink ? { permalink } : {}) },
          note: `video ready (${postId})`,
        };
      }
      case "permalink":
        return readPermalink(target.token, state, "permalink_url", "GET /{post-id}");
      case "comment":
        return comment(input, state);
      default:
        return { next: "done", state, note: "nothing left to do" };
    }
  }

  return { step };
}
