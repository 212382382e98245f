import type { Router, SandboxContext, SandboxResponse } from "../core/types.js";
import { META_ERRORS } from "./errors.js";
import { fail, type GraphCall, graph, ok, parseFields, pick } from "./graph.js";
import { findIgAccount } from "./seed.js";
import {
  type ContainerKind,
  grantKey,
  graphTime,
  type IgContainer,
  type IgMedia,
  type MetaState,
  newId,
  newShortcode,
} from "./state.js";

const G = "/meta/graph/:version(v\\d+\\.\\d+)";
const DAY = 86_400_000;

/** May the caller act on this IG account? A Page token of its Page, or a user token granted that Page. */
export function igAccess(g: GraphCall, igId: string, scope: string): SandboxResponse | undefined {
  const ig = findIgAccount(igId);
  const t = g.token;
  if (!ig || !t) return fail(g.req, META_ERRORS.unknownObject(igId));
  if (t.kind === "page" && t.pageId !== ig.page.id) return fail(g.req, META_ERRORS.permission10());
  const grant = g.st.grants.get(grantKey(t.appId, t.userId));
  if (!grant?.pageIds.includes(ig.page.id)) return fail(g.req, META_ERRORS.unknownObject(igId));
  if (!t.scopes.includes(scope)) return fail(g.req, META_ERRORS.permission10());
  return undefined;
}

/** The status of a container at `now`, computed from the sandbox clock. */
export function containerStatus(
  st: MetaState,
  ctx: SandboxContext,
  c: IgContainer,
  now: number,
): {
  code: "IN_PROGRESS" | "FINISHED" | "ERROR" | "EXPIRED" | "PUBLISHED";
  text: string;
} {
  if (c.publishedMediaId) return { code: "PUBLISHED", text: "Published" };
  const childError = c.children.map((id) => st.containers.get(id)).find((k) => k?.errorSubcode !== undefined);
  const subcode = c.errorSubcode ?? childError?.errorSubcode;
  if (subcode !== undefined)
    return { code: "ERROR", text: `Error: Media upload has failed with error code ${subcode}` };
  if (now >= c.createdAt + ctx.config.meta.igContainerLifetimeMs) return { code: "EXPIRED", text: "Expired" };
  const childrenReady = c.children.every((id) => {
    const k = st.containers.get(id);
    return k !== undefined && now >= k.readyAt;
  });
  if (now < c.readyAt || !childrenReady) return { code: "IN_PROGRESS", text: "In progress" };
  return { code: "FINISHED", text: "Finished" };
}

/** Publishes by this IG account within the moving 24 h before `now` (a carousel counts once). */
export function quotaUsage(st: MetaState, igId: string, now: number, since = now - DAY): number {
  const from = Math.max(since, now - DAY);
  return (st.igPublishes.get(igId) ?? []).filter((t) => t > from && t <= now).length;
}

function captionProblem(caption: string): boolean {
  const hashtags = caption.match(/(^|\s)#[\p{L}\p{N}_]+/gu)?.length ?? 0;
  const mentions = caption.match(/(^|\s)@[\w.]+/g)?.length ?? 0;
  return [...caption].length > 2_200 || hashtags > 30 || mentions > 20;
}

const flag = (v: string | null) => v !== null && ["true", "1"].includes(v.toLowerCase());

export function mediaPermalink(m: Pick<IgMedia, "kind" | "shortcode" | "id">, username: string): string {
  if (m.kind === "STORIES") return `https://www.instagram.com/stories/${username}/${m.id}/`;
  if (m.kind === "REELS") return `https://www.instagram.com/reel/${m.shortcode}/`;
  return `https://www.instagram.com/p/${m.shortcode}/`;
}

/** An IG media object as Graph shows it. */
export function mediaObject(m: IgMedia, st: MetaState): Record<string, unknown> {
  const ig = findIgAccount(m.igUserId)!;
  const comments = [...st.comments.values()].filter((c) => c.objectId === m.id).length;
  return {
    id: m.id,
    caption: m.caption,
    media_type:
      m.kind === "CAROUSEL"
        ? "CAROUSEL_ALBUM"
        : m.kind === "IMAGE"
          ? "IMAGE"
          : m.kind === "STORIES"
            ? "IMAGE"
            : "VIDEO",
    media_product_type: m.kind === "REELS" ? "REELS" : m.kind === "STORIES" ? "STORY" : "FEED",
    permalink: m.permalink,
    shortcode: m.shortcode,
    timestamp: graphTime(m.publishedAt),
    username: ig.page.instagram.username,
    owner: { id: m.igUserId },
    like_count: 0,
    comments_count: comments,
    is_comment_enabled: true,
    media_url: undefined,
  };
}

/** Register Instagram content publishing: containers, publish, quota, media listing, profile. */
export function registerInstagram(router: Router): void {
  const target = { target: (req: { params: Record<string, string> }) => req.params.id };

  router.add(
    "POST",
    `${G}/:id(\\d+)/media`,
    graph(async (g) => {
      const { req, st, ctx, p, now } = g;
      const igId = req.params.id!;
      const denied = igAccess(g, igId, "instagram_content_publish");
      if (denied) return denied;
      const rawType = (p.get("media_type") ?? "").toUpperCase();
      const isCarouselItem = flag(p.get("is_carousel_item"));
      const imageUrl = p.get("image_url");
      const videoUrl = p.get("video_url");
      const caption = p.get("caption") ?? undefined;
      let kind: ContainerKind;
      if (rawType === "") kind = "IMAGE";
      else if (
        rawType === "IMAGE" ||
        rawType === "REELS" ||
        rawType === "STORIES" ||
        rawType === "VIDEO" ||
        rawType === "CAROUSEL"
      )
        kind = rawType;
      else return fail(req, META_ERRORS.igMediaType(`The media type ${rawType} is unknown.`));
      if (kind === "VIDEO" && !isCarouselItem) {
        return fail(
          req,
          META_ERRORS.igMediaType("The VIDEO media type is only valid for carousel items. Use REELS."),
        );
      }
      if (kind === "REELS" && isCarouselItem) {
        return fail(req, META_ERRORS.igMediaType("Reels cannot be carousel items."));
      }
      if (caption !== undefined && captionProblem(caption)) return fail(req, META_ERRORS.igCaption());
      const altText = p.get("alt_text");
      if (altText !== null && altText.length > 1_000) {
        return fail(req, META_ERRORS.invalidParam("(#100) alt_text must be at most 1000 characters"));
      }

      let children: string[] = [];
      let readyAt = now + ctx.config.meta.igImageProcessingMs;
      let mediaUrl: string | undefined;
      let errorSubcode: number | undefined;
      if (kind === "CAROUSEL") {
        children = (p.get("children") ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        if (children.length < 2 || children.length > 10) return fail(req, META_ERRORS.igCarouselSize());
        for (const id of children) {
          const child = st.containers.get(id);
          if (!child || child.igUserId !== igId) return fail(req, META_ERRORS.igMediaNotFound(id));
          if (!child.isCarouselItem) {
            return fail(
              req,
              META_ERRORS.igMediaType(`The container ${id} was not created as a carousel item.`),
            );
          }
        }
      } else if (p.get("upload_type") === "resumable") {
        // The bytes come later through rupload; processing starts when they have all arrived.
        if (kind !== "REELS" && kind !== "VIDEO" && kind !== "STORIES") {
          return fail(req, META_ERRORS.invalidParam("(#100) upload_type=resumable needs a video media_type"));
        }
        readyAt = Number.MAX_SAFE_INTEGER;
      } else {
        const isVideo =
          kind === "REELS" || kind === "VIDEO" || (kind === "STORIES" && !!videoUrl && !imageUrl);
        mediaUrl = (isVideo ? videoUrl : imageUrl) ?? undefined;
        if (!mediaUrl) {
          return fail(
            req,
            META_ERRORS.invalidParam(
              `(#100) The parameter ${isVideo ? "video_url" : "image_url"} is required.`,
            ),
          );
        }
        const m = await ctx.fetchMedia(mediaUrl);
        if (m.error === "timeout") return fail(req, META_ERRORS.igDownloadTimeout());
        if (!m.ok) return fail(req, META_ERRORS.igFetchFailed(mediaUrl));
        if (isVideo) {
          readyAt = now + ctx.config.meta.igVideoProcessingMs;
          // Videos are checked while processing: the container ends in ERROR.
          if (m.format !== "mp4" && m.format !== "mov") errorSubcode = 2207026;
        } else {
          if (m.bytes > ctx.config.meta.igImageMaxBytes) return fail(req, META_ERRORS.igImageTooLarge());
          if (m.format !== "jpeg") return fail(req, META_ERRORS.igImageFormat());
          if (kind !== "STORIES" && m.width && m.height) {
            const ratio = m.width / m.height;
            if (ratio < 0.8 - 1e-9 || ratio > 1.91 + 1e-9)
              return fail(req, META_ERRORS.igAspectRatio(m.width, m.height));
          }
        }
      }
      const extra: Record<string, string> = {};
      for (const k of [
        "alt_text",
        "share_to_feed",
        "cover_url",
        "thumb_offset",
        "location_id",
        "user_tags",
        "collaborators",
      ]) {
        const v = p.get(k);
        if (v !== null) extra[k] = v;
      }
      const id = newId("18");
      st.containers.set(id, {
        id,
        igUserId: igId,
        kind,
        isCarouselItem,
        mediaUrl,
        caption,
        children,
        createdAt: now,
        readyAt,
        errorSubcode,
        extra,
        upload: readyAt === Number.MAX_SAFE_INTEGER ? { received: 0 } : undefined,
      });
      if (readyAt === Number.MAX_SAFE_INTEGER) {
        return ok(req, { id, uri: `${ctx.baseUrl}/meta/rupload/ig-api-upload/${req.params.version}/${id}` });
      }
      return ok(req, { id });
    }),
    target,
  );

  router.add(
    "POST",
    `${G}/:id(\\d+)/media_publish`,
    graph((g) => {
      const { req, st, ctx, p, now } = g;
      const igId = req.params.id!;
      const denied = igAccess(g, igId, "instagram_content_publish");
      if (denied) return denied;
      const creationId = p.get("creation_id") ?? "";
      const c = st.containers.get(creationId);
      if (!c || c.igUserId !== igId || c.isCarouselItem)
        return fail(req, META_ERRORS.igMediaNotFound(creationId));
      const status = containerStatus(st, ctx, c, now);
      if (status.code === "PUBLISHED") return fail(req, META_ERRORS.igAlreadyPublished());
      if (status.code === "EXPIRED") return fail(req, META_ERRORS.igContainerExpired());
      if (status.code !== "FINISHED") return fail(req, META_ERRORS.igNotReady());
      if (quotaUsage(st, igId, now) >= ctx.config.meta.igPublishQuota)
        return fail(req, META_ERRORS.igQuota());
      const ig = findIgAccount(igId)!;
      const id = newId("179");
      const shortcode = newShortcode();
      const media: IgMedia = {
        id,
        igUserId: igId,
        containerId: c.id,
        kind: c.kind,
        caption: c.caption,
        shortcode,
        permalink: mediaPermalink({ kind: c.kind, shortcode, id }, ig.page.instagram.username),
        publishedAt: now,
      };
      st.igMedia.set(id, media);
      c.publishedMediaId = id;
      const times = st.igPublishes.get(igId) ?? [];
      times.push(now);
      st.igPublishes.set(igId, times);
      ctx.published.record({
        provider: "meta",
        target: igId,
        kind: `instagram-${c.kind === "CAROUSEL" ? "carousel" : c.kind === "REELS" ? "reel" : c.kind === "STORIES" ? "story" : "image"}`,
        providerId: id,
        text: c.caption,
        media: c.mediaUrl ? [c.mediaUrl] : c.children.map((k) => st.containers.get(k)?.mediaUrl ?? k),
        permalink: media.permalink,
        extra: { containerId: c.id },
      });
      return ok(req, { id });
    }),
    target,
  );

  router.add(
    "GET",
    `${G}/:id(\\d+)/content_publishing_limit`,
    graph((g) => {
      const { req, st, ctx, p, now } = g;
      const igId = req.params.id!;
      const denied = igAccess(g, igId, "instagram_basic");
      if (denied) return denied;
      const sinceParam = p.get("since");
      const since = sinceParam && /^\d+$/.test(sinceParam) ? Number(sinceParam) * 1000 : undefined;
      const full: Record<string, unknown> = {
        quota_usage: quotaUsage(st, igId, now, since),
        config: { quota_total: ctx.config.meta.igPublishQuota, quota_duration: 86_400 },
      };
      const fields = parseFields(p.get("fields")) ?? [{ name: "quota_usage" }];
      const entry: Record<string, unknown> = {};
      for (const f of fields) {
        if (!(f.name in full))
          return fail(req, META_ERRORS.nonexistingField(f.name, "ContentPublishingLimit"));
        entry[f.name] = full[f.name];
      }
      return ok(req, { data: [entry] });
    }),
    target,
  );

  router.add(
    "GET",
    `${G}/:id(\\d+)/media`,
    graph((g) => {
      const { req, st, p } = g;
      const igId = req.params.id!;
      const denied = igAccess(g, igId, "instagram_basic");
      if (denied) return denied;
      const fields = parseFields(p.get("fields"));
      const data: Record<string, unknown>[] = [];
      const items = [...st.igMedia.values()]
        .filter((m) => m.igUserId === igId && m.kind !== "STORIES")
        .sort((a, b) => b.publishedAt - a.publishedAt);
      const limit = Math.max(1, Math.min(100, Number(p.get("limit") ?? 25) || 25));
      for (const m of items.slice(0, limit)) {
        const picked = pick(mediaObject(m, st), fields, ["id"], "IGMedia");
        if (!picked.ok) return fail(req, META_ERRORS.nonexistingField(picked.field, "IGMedia"));
        data.push(picked.value);
      }
      return ok(req, { data, paging: { cursors: { before: "MA", after: "MA" } } });
    }),
    target,
  );
}

/** The IG user object (`GET /{ig-user-id}`). */
export function igUserObject(igId: string, st: MetaState, ctx: SandboxContext): Record<string, unknown> {
  const ig = findIgAccount(igId)!;
  return {
    id: igId,
    ig_id: Number(igId.slice(-8)),
    username: ig.page.instagram.username,
    name: ig.page.instagram.name,
    biography: `${ig.page.instagram.name} (Herald sandbox)`,
    website: `https://www.facebook.com/${ig.page.id}`,
    profile_picture_url: `${ctx.baseUrl}/media/square-1080.jpg`,
    followers_count: ig.page.instagram.followersCount,
    follows_count: 12,
    media_count: [...st.igMedia.values()].filter((m) => m.igUserId === igId && m.kind !== "STORIES").length,
  };
}
