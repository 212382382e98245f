/**
 * Publishing to Facebook Pages and Instagram professional accounts, one step at a time (see
 * functions/publishing/domain/publish-state.ts). Every step makes at most one side-effecting
 * Graph call and returns the state after it, so the worker records it before going on.
 *
 * Facebook Page: text/link (`POST /{page}/feed`), photos (each uploaded unpublished, then one
 * feed post with `attached_media`, which also lets a retry recognise its own photos), video
 * (`POST /{page}/videos`, then its processing status), permalink, first comment.
 * Instagram: `content_publishing_limit` first; container(s) → status polled by coming back
 * later → `media_publish` → permalink → first comment.
 *
 * No duplicates: when a previous attempt may have acted (`state.uncertain`), a step first asks
 * what already happened — the Page's recent posts matched by our photo ids or by a content hash
 * of message + link within a window; the stored Instagram container's status.
 */
import type { TargetKind } from "../../connections/domain/target.js";
import { igContainerFailure, type ProviderFailure } from "../../publishing/domain/provider-errors.js";
import {
  contentHash,
  type PublishContent,
  type PublishState,
  type StepOutcome,
} from "../../publishing/domain/publish-state.js";
import { ProviderError } from "../errors.js";
import type { MetaClient } from "./client.js";

/** What a publisher needs about the place it publishes to. */
export interface PublishTarget {
  readonly kind: TargetKind;
  /** Page id, IG user id, or LinkedIn author URN. */
  readonly externalId: string;
  /** Page token (Facebook and Instagram) or member token (LinkedIn). */
  readonly token: string;
}

export interface StepInput {
  readonly target: PublishTarget;
  readonly content: PublishContent;
  readonly now: Date;
}

/** A step failure that is not a thrown `ProviderError` (an Instagram container in ERROR). */
export class StepFailureError extends Error {
  constructor(
    readonly failure: ProviderFailure,
    /** The state to keep (e.g. the container forgotten, so a retry makes a new one). */
    readonly state?: PublishState,
  ) {
    super(failure.message ?? "publishing step failed");
    this.name = "StepFailureError";
  }
}

/** One provider's step function. */
export interface Publisher {
  step(input: StepInput, state: PublishState): Promise<StepOutcome>;
}

/** How far back (before the first attempt) a recent post may have been created and still be ours. */
const MATCH_SLACK_MS = 2 * 60_000;
const IMAGE_POLL_MS = 2_000;
const VIDEO_POLL_MS = 5_000;
const DAY_MS = 86_400_000;

type Json = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);

/** Graph time (`2026-11-26T12:00:00+0000`) to epoch ms. */
export function graphTimeMs(v: unknown): number {
  if (typeof v !== "string") return Number.NaN;
  return Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
}

/** Hash of what a Page post shows (message + link), comparable with a recent post's. */
export const pagePostHash = (message: string | undefined, link: string | undefined) =>
  contentHash({ text: message ?? "", ...(link ? { link } : {}), media: [] });

const isMetaError = (e: unknown, code: number, subcode?: number) =>
  e instanceof ProviderError &&
  e.provider === "meta" &&
  (e.code === code || (subcode !== undefined && e.subcode === subcode));

/** The `id` a creating Graph call answers with; an answer without one is a provider fault. */
function idOf(out: Json, what: string): string {
  const id = str(out.id);
  if (!id)
    throw new StepFailureError({ provider: "meta", httpStatus: 200, message: `${what} answered no id` });
  return id;
}

export function metaPublisher(client: MetaClient): Publisher {
  const req = <T = Json>(
    method: "GET" | "POST",
    path: string,
    token: string,
    params: Record<string, string | number | boolean | undefined>,
    label: string,
  ) => client.request<T>(method, path, { token, params, label });

  // ── Facebook ──────────────────────────────────────────────────────────────────────────
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

  async function facebook(input: StepInput, state: PublishState): Promise<StepOutcome> {
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
        const out = await req(
          "POST",
          `/${page}/photos`,
          target.token,
          { url: item.url, published: false },
          "POST /{page}/photos",
        );
        const id = idOf(out, "photo upload");
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

  /** Read the published object's link (Pages: `permalink_url`; Instagram media: `permalink`), then comment. */
  async function readPermalink(
    token: string,
    state: PublishState,
    field: "permalink_url" | "permalink",
    operation: string,
  ): Promise<StepOutcome> {
    const out = await req(
      "GET",
      `/${encodeURIComponent(state.postId ?? "")}`,
      token,
      { fields: field },
      operation,
    );
    const permalink = str(out[field]);
    return {
      next: "now",
      state: { ...state, phase: "comment", ...(permalink ? { permalink } : {}) },
      note: "permalink read",
    };
  }

  /**
   * The first comment, at most once: when an earlier attempt may have posted it (Graph offers
   * no lookup by our own id), it is not posted again and the ledger says so.
   */
  async function comment(input: StepInput, state: PublishState): Promise<StepOutcome> {
    const text = input.content.firstComment;
    if (!text || state.commentId) return { next: "done", state: { ...state, phase: "done" }, note: "done" };
    if (state.uncertain) {
      return {
        next: "done",
        state: { ...state, phase: "done", uncertain: false },
        note: "the first comment may already have been posted by an interrupted attempt; not posted again",
      };
    }
    const out = await req(
      "POST",
      `/${encodeURIComponent(state.postId ?? "")}/comments`,
      input.target.token,
      { message: text },
      "POST /{object-id}/comments",
    );
    const id = str(out.id);
    return {
      next: "done",
      state: { ...state, phase: "done", ...(id ? { commentId: id } : {}) },
      note: `first comment posted${id ? ` (${id})` : ""}`,
    };
  }

  // ── Instagram ─────────────────────────────────────────────────────────────────────────
  async function igMediaIdByCaption(input: StepInput, state: PublishState): Promise<string | undefined> {
    const out = await req<{ data?: Json[] }>(
      "GET",
      `/${encodeURIComponent(input.target.externalId)}/media`,
      input.target.token,
      { fields: "id,caption,timestamp", limit: 25 },
      "GET /{ig-user-id}/media",
    );
    const since = Date.parse(state.startedAt) - MATCH_SLACK_MS;
    const caption = input.content.text || undefined;
    return (out.data ?? [])
      .filter((m) => graphTimeMs(m.timestamp) >= since && str(m.caption) === caption)
      .map((m) => str(m.id))
      .find(Boolean);
  }

  async function quotaFreesAt(input: StepInput, now: Date): Promise<number> {
    try {
      const out = await req<{ data?: Json[] }>(
        "GET",
        `/${encodeURIComponent(input.target.externalId)}/media`,
        input.target.token,
        { fields: "id,timestamp", limit: 100 },
        "GET /{ig-user-id}/media",
      );
      const recent = (out.data ?? [])
        .map((m) => graphTimeMs(m.timestamp))
        .filter((t) => Number.isFinite(t) && t > now.getTime() - DAY_MS)
        .sort((a, b) => a - b);
      if (recent.length > 0) return recent[0]! + DAY_MS + 60_000;
    } catch {
      // The listing is a hint only; fall back to checking again in an hour.
    }
    return now.getTime() + 3_600_000;
  }

  const isVideoUrl = (url: string) => /\.(mp4|mov|m4v)(\?|$)/i.test(url);

  async function createContainer(input: StepInput, params: Record<string, string | boolean | undefined>) {
    const out = await req(
      "POST",
      `/${encodeURIComponent(input.target.externalId)}/media`,
      input.target.token,
      params,
      "POST /{ig-user-id}/media",
    );
    const id = idOf(out, "container");
    return id;
  }

  async function instagram(input: StepInput, state: PublishState): Promise<StepOutcome> {
    const { target, content, now } = input;
    const ig = encodeURIComponent(target.externalId);
    switch (state.phase) {
      case "start":
        return { next: "now", state: { ...state, phase: "quota" }, note: `Instagram ${content.format}` };
      case "quota": {
        const out = await req<{ data?: { quota_usage?: number; config?: { quota_total?: number } }[] }>(
          "GET",
          `/${ig}/content_publishing_limit`,
          target.token,
          { fields: "quota_usage,config" },
          "GET /{ig-user-id}/content_publishing_limit",
        );
        const entry = out.data?.[0];
        const used = entry?.quota_usage ?? 0;
        const total = entry?.config?.quota_total ?? 100;
        if (used >= total) {
          const frees = await quotaFreesAt(input, now);
          return {
            next: "wait",
            state,
            waitMs: Math.max(1_000, frees - now.getTime()),
            reason: "quota",
            note: `Instagram publishing quota spent (${used}/${total} in 24 h); moved to ${new Date(frees).toISOString()} when a slot frees`,
          };
        }
        return {
          next: "now",
          state: { ...state, phase: state.containerId ? "await" : "containers" },
          note: `quota ${used}/${total} used`,
        };
      }
      case "containers": {
        const caption = content.text || undefined;
        if (content.format === "carousel") {
          const done = state.childContainerIds ?? [];
          const item = content.media[done.length];
          if (item) {
            const video = isVideoUrl(item.url);
            const id = await createContainer(input, {
              is_carousel_item: true,
              ...(video ? { media_type: "VIDEO", video_url: item.url } : { image_url: item.url }),
            });
            return {
              next: "now",
              state: { ...state, childContainerIds: [...done, id] },
              note: `carousel item ${done.length + 1}/${content.media.length} container ${id}`,
            };
          }
          const id = await createContainer(input, {
            media_type: "CAROUSEL",
            children: done.join(","),
            caption,
          });
          return {
            next: "now",
            state: { ...state, phase: "await", containerId: id },
            note: `carousel container ${id}`,
          };
        }
        const item = content.media[0];
        if (!item)
          throw new StepFailureError({
            provider: "meta",
            httpStatus: 400,
            code: 100,
            subcode: 2207052,
            message: "Instagram posts need media",
          });
        let params: Record<string, string | boolean | undefined>;
        if (content.format === "reel") {
          params = {
            media_type: "REELS",
            video_url: item.url,
            caption,
            share_to_feed: content.shareToFeed ?? true,
            cover_url: content.coverUrl,
          };
        } else if (content.format === "story") {
          params = isVideoUrl(item.url)
            ? { media_type: "STORIES", video_url: item.url }
            : { media_type: "STORIES", image_url: item.url };
        } else {
          params = { image_url: item.url, caption, alt_text: item.altText };
        }
        const id = await createContainer(input, params);
        return {
          next: "now",
          state: { ...state, phase: "await", containerId: id },
          note: `container ${id} created`,
        };
      }
      case "await": {
        const out = await req(
          "GET",
          `/${encodeURIComponent(state.containerId ?? "")}`,
          target.token,
          { fields: "status_code,status" },
          "GET /{container-id}",
        );
        const code = str(out.status_code);
        if (code === "FINISHED")
          return { next: "now", state: { ...state, phase: "publish" }, note: "container FINISHED" };
        if (code === "PUBLISHED") return adoptPublished(input, state);
        if (code === "EXPIRED") {
          return {
            next: "now",
            state: { ...state, phase: "containers", containerId: undefined, childContainerIds: undefined },
            note: `container ${state.containerId} EXPIRED; preparing a new one`,
          };
        }
        if (code === "ERROR") {
          throw new StepFailureError(igContainerFailure(str(out.status)), {
            ...state,
            phase: "quota",
            containerId: undefined,
            childContainerIds: undefined,
          });
        }
        const video = content.format === "reel" || content.media.some((m) => isVideoUrl(m.url));
        return {
          next: "wait",
          state,
          waitMs: video ? VIDEO_POLL_MS : IMAGE_POLL_MS,
          reason: "processing",
          note: `container ${code ?? "IN_PROGRESS"}`,
        };
      }
      case "publish": {
        if (state.uncertain) {
          const out = await req(
            "GET",
            `/${encodeURIComponent(state.containerId ?? "")}`,
            target.token,
            { fields: "status_code" },
            "GET /{container-id}",
          );
          if (str(out.status_code) === "PUBLISHED") return adoptPublished(input, state);
        }
        try {
          const out = await req(
            "POST",
            `/${ig}/media_publish`,
            target.token,
            { creation_id: state.containerId },
            "POST /{ig-user-id}/media_publish",
          );
          const id = idOf(out, "media_publish");
          return {
            next: "now",
            state: { ...state, phase: "permalink", postId: id, uncertain: false },
            note: `published ${id}`,
          };
        } catch (error) {
          if (
            error instanceof ProviderError &&
            error.code === 100 &&
            /already been published/i.test(error.message)
          ) {
            return adoptPublished(input, state);
          }
          throw error;
        }
      }
      case "permalink":
        return readPermalink(target.token, state, "permalink", "GET /{ig-media-id}");
      case "comment":
        return comment(input, state);
      default:
        return { next: "done", state, note: "nothing left to do" };
    }
  }

  /** The stored container says PUBLISHED: adopt its media instead of publishing again. */
  async function adoptPublished(input: StepInput, state: PublishState): Promise<StepOutcome> {
    const mediaId = await igMediaIdByCaption(input, state);
    const postId = mediaId ?? state.containerId!;
    return {
      next: "now",
      state: {
        ...state,
        phase: mediaId ? "permalink" : "comment",
        postId,
        uncertain: false,
        adoptedBy: "container PUBLISHED",
      },
      note: mediaId
        ? `container ${state.containerId} was already PUBLISHED; adopted media ${mediaId}`
        : `container ${state.containerId} was already PUBLISHED; its media id is not listed (stories), recorded the container`,
    };
  }

  return {
    step(input, state) {
      return input.target.kind === "instagram_account" ? instagram(input, state) : facebook(input, state);
    },
  };
}
