/**
 * Publishing to an Instagram professional account, one step at a time (see
 * functions/publishing/domain/publish-state.ts): `content_publishing_limit` first; container(s)
 * → status polled by coming back later → `media_publish` → permalink → first comment. Every
 * step makes at most one side-effecting Graph call.
 *
 * A failure about one media item (a container refused at creation, 2207052/9004 and the like,
 * or a container that ended in ERROR, also a carousel child's) names the item: its position
 * and URL travel in the failure (`media`) and open the message.
 *
 * No duplicates: when a previous attempt may have acted (`state.uncertain`), the stored
 * container's status is read first; a PUBLISHED one is adopted.
 */
import type { FailedMediaItem, ProviderFailure } from "../../publishing/domain/provider-errors.js";
import type { PublishState, StepOutcome } from "../../publishing/domain/publish-state.js";
import { ProviderError } from "../errors.js";
import { type Publisher, StepFailureError, type StepInput } from "../publisher.js";
import type { MetaClient } from "./client.js";
import { igContainerFailure } from "./errors.js";
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

const IMAGE_POLL_MS = 2_000;
const VIDEO_POLL_MS = 5_000;
const DAY_MS = 86_400_000;

export function instagramPublisher(client: MetaClient): Publisher {
  const { req, readPermalink, comment } = graphSteps(client);

  /** A container's status (`status_code`, and the `status` sentence when asked for). */
  const readContainer = (token: string, id: string | undefined, fields: string) =>
    req("GET", `/${encodeURIComponent(id ?? "")}`, token, { fields }, "GET /{container-id}");

  /** The account's most recent media, newest first. */
  const recentMedia = (input: StepInput, fields: string, limit: number) =>
    req<{ data?: Json[] }>(
      "GET",
      `/${encodeURIComponent(input.target.externalId)}/media`,
      input.target.token,
      { fields, limit },
      "GET /{ig-user-id}/media",
    );

  async function igMediaIdByCaption(input: StepInput, state: PublishState): Promise<string | undefined> {
    const out = await recentMedia(input, "id,caption,timestamp", 25);
    const since = Date.parse(state.startedAt) - MATCH_SLACK_MS;
    const caption = input.content.text || undefined;
    return (out.data ?? [])
      .filter((m) => graphTimeMs(m.timestamp) >= since && str(m.caption) === caption)
      .map((m) => str(m.id))
      .find(Boolean);
  }

  async function quotaFreesAt(input: StepInput, now: Date): Promise<number> {
    try {
      const out = await recentMedia(input, "id,timestamp", 100);
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
    return idOf(out, "container");
  }

  /** A container for one media item; a failure names the item (position and URL). */
  async function itemContainer(
    input: StepInput,
    params: Record<string, string | boolean | undefined>,
    item: FailedMediaItem,
  ) {
    try {
      return await createContainer(input, params);
    } catch (error) {
      throw aboutMediaItem(error, item);
    }
  }

  /**
   * The child of a carousel whose container ended in ERROR, with its status sentence. The
   * parent's status does not say which child failed; each child's does. Only reads.
   */
  async function failedChild(
    input: StepInput,
    state: PublishState,
  ): Promise<{ index: number; status: string | undefined } | undefined> {
    const children = state.childContainerIds ?? [];
    for (const [index, id] of children.entries()) {
      const out = await readContainer(input.target.token, id, "status_code,status");
      if (str(out.status_code) === "ERROR") return { index, status: str(out.status) };
    }
    return undefined;
  }

  /** The failure for a container in ERROR, naming the media item it was for when known. */
  async function containerFailure(
    input: StepInput,
    state: PublishState,
    status: string | undefined,
  ): Promise<ProviderFailure> {
    const { content } = input;
    if (content.format !== "carousel") {
      const item = mediaItemAt(content, 0);
      return { ...igContainerFailure(status), ...(item ? { media: item } : {}) };
    }
    let child: Awaited<ReturnType<typeof failedChild>>;
    try {
      child = await failedChild(input, state);
    } catch {
      // The children's statuses only refine the message; the parent's ERROR stands without them.
      child = undefined;
    }
    const item = child ? mediaItemAt(content, child.index, true) : undefined;
    return {
      ...igContainerFailure(child?.status ?? status),
      ...(item ? { media: item } : {}),
    };
  }

  async function step(input: StepInput, state: PublishState): Promise<StepOutcome> {
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
        // graph.instagram.com was seen answering without the `data` wrapper: accept both.
        const entry = out.data?.[0] ?? (out as { quota_usage?: number; config?: { quota_total?: number } });
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
            const id = await itemContainer(
              input,
              {
                is_carousel_item: true,
                ...(video ? { media_type: "VIDEO", video_url: item.url } : { image_url: item.url }),
              },
              mediaItemAt(content, done.length, true)!,
            );
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
        const id = await itemContainer(input, params, mediaItemAt(content, 0)!);
        return {
          next: "now",
          state: { ...state, phase: "await", containerId: id },
          note: `container ${id} created`,
        };
      }
      case "await": {
        const out = await readContainer(target.token, state.containerId, "status_code,status");
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
          throw new StepFailureError(await containerFailure(input, state, str(out.status)), {
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
          const out = await readContainer(target.token, state.containerId, "status_code");
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

  return { step };
}
