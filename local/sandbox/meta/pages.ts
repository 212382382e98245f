import type { Router, SandboxResponse } from "../core/types.js";
import { META_ERRORS } from "./errors.js";
import { fail, type GraphCall, graph, ok, parseFields, pick } from "./graph.js";
import { findApp, findPage } from "./seed.js";
import { type FbPost, grantKey, graphTime, newId } from "./state.js";

const G = "/meta/graph/:version(v\\d+\\.\\d+)";
const PHOTO_FORMATS = new Set(["jpeg", "png", "gif", "bmp", "tiff", "webp"]);

/** Is the caller allowed to publish on this Page? Page token of the Page, or a user token granted it. */
export function pageAccess(g: GraphCall, pageId: string, scope: string): SandboxResponse | undefined {
  const t = g.token;
  if (!t || !findPage(pageId)) return fail(g.req, META_ERRORS.unknownObject(pageId));
  if (t.kind === "page" && t.pageId !== pageId) return fail(g.req, META_ERRORS.pagePermission200());
  if (t.kind === "user") {
    // Publishing as the Page needs a Page token; a user token gets the (#200) answer.
    return fail(g.req, META_ERRORS.pagePermission200());
  }
  if (!t.scopes.includes(scope)) return fail(g.req, META_ERRORS.pagePermission200());
  const grant = g.st.grants.get(grantKey(t.appId, t.userId));
  if (!grant?.pageIds.includes(pageId)) return fail(g.req, META_ERRORS.lostPageRole());
  return undefined;
}

/** Can the caller read this Page? Its Page token, or a user token granted the Page. */
export function seesPage(g: GraphCall, pageId: string): boolean {
  const t = g.token;
  if (!t) return false;
  if (t.kind === "page") return t.pageId === pageId;
  return g.st.grants.get(grantKey(t.appId, t.userId))?.pageIds.includes(pageId) ?? false;
}

/** `published` parameter: true unless given as false/0. */
const flag = (v: string | null, dflt: boolean) =>
  v === null ? dflt : !["false", "0"].includes(v.toLowerCase());

/** Parse `scheduled_publish_time`: unix seconds, ISO-8601. */
function parseWhen(v: string): number | undefined {
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** `attached_media` as JSON array or as `attached_media[0]={"media_fbid":…}` fields. */
function attachedMedia(p: URLSearchParams): string[] | undefined {
  const items: unknown[] = [];
  const whole = p.get("attached_media");
  if (whole) {
    try {
      const parsed = JSON.parse(whole);
      if (Array.isArray(parsed)) items.push(...parsed);
    } catch {
      return undefined;
    }
  }
  for (const [k, v] of p) {
    if (/^attached_media\[\d+\]$/.test(k)) {
      try {
        items.push(JSON.parse(v));
      } catch {
        items.push({ media_fbid: v });
      }
    }
  }
  return items.map((i) => String((i as { media_fbid?: unknown })?.media_fbid ?? ""));
}

export const postPermalink = (pageId: string, postId: string) =>
  `https://www.facebook.com/${pageId}/posts/${postId.split("_")[1]}`;

/** Register Page publishing: feed, photos, videos, listing, reading and deleting posts. */
export function registerPages(router: Router): void {
  const target = { target: (req: { params: Record<string, string> }) => req.params.id };

  router.add(
    "POST",
    `${G}/:id(\\d+)/feed`,
    graph((g) => {
      const { req, st, ctx, p, now } = g;
      const pageId = req.params.id!;
      const denied = pageAccess(g, pageId, "pages_manage_posts");
      if (denied) return denied;
      const message = p.get("message") ?? undefined;
      const link = p.get("link") ?? undefined;
      const media = attachedMedia(p);
      if (media === undefined)
        return fail(req, META_ERRORS.invalidParam("param attached_media must be an array"));
      if (!message && !link && media.length === 0) {
        return fail(req, META_ERRORS.invalidParam("(#100) Missing message or attachment"));
      }
      if (message && message.length > 63_206)
        return fail(req, META_ERRORS.invalidParam("(#100) Message is too long"));
      for (const id of media) {
        const photo = st.photos.get(id);
        if (!photo || photo.pageId !== pageId || photo.published) {
          return fail(
            req,
            META_ERRORS.invalidParam(
              `(#100) param attached_media: ${id} is not an unpublished photo of this Page`,
            ),
          );
        }
        if (photo.attachedTo) return fail(req, META_ERRORS.photosAlreadyPosted());
      }
      const published = flag(p.get("published"), true);
      let publishAt = now;
      const when = p.get("scheduled_publish_time");
      if (when !== null) {
        if (published) {
          return fail(
            req,
            META_ERRORS.invalidParam(
              "(#100) You cannot specify a scheduled publish time on a published post",
            ),
          );
        }
        const at = parseWhen(when);
        const min = now + ctx.config.meta.scheduledPublishMinMinutes * 60_000;
        const max = now + ctx.config.meta.scheduledPublishMaxDays * 86_400_000;
        if (at === undefined || at < min || at > max) {
          return fail(
            req,
            META_ERRORS.invalidParam("(#100) The specified scheduled publish time is invalid."),
          );
        }
        publishAt = at;
      }
      // Same message as the Page's latest post within the window: 506.
      if (message) {
        const windowStart = now - ctx.config.meta.duplicateWindowMinutes * 60_000;
        const latest = st.latestStatus.get(pageId);
        if (latest && !latest.deleted && latest.message === message && latest.createdAt >= windowStart) {
          return fail(req, META_ERRORS.duplicate506());
        }
      }
      const id = `${pageId}_${newId()}`;
      const post: FbPost = {
        id,
        pageId,
        message,
        link,
        createdAt: now,
        publishAt,
        published: when === null ? published : true,
        attachedMedia: media,
        kind: "status",
        deleted: false,
      };
      st.posts.set(id, post);
      st.latestStatus.set(pageId, post);
      for (const m of media) st.photos.get(m)!.attachedTo = id;
      if (published || when !== null) {
        ctx.published.record({
          provider: "meta",
          target: pageId,
          kind: when !== null ? "facebook-scheduled-post" : "facebook-post",
          providerId: id,
          text: message,
          media: media.length ? media : link ? [link] : undefined,
          permalink: postPermalink(pageId, id),
          extra: when !== null ? { scheduledPublishTime: new Date(publishAt).toISOString() } : undefined,
        });
      }
      const body: Record<string, unknown> = { id };
      const fields = parseFields(p.get("fields"));
      if (fields?.some((f) => f.name === "permalink_url")) body.permalink_url = postPermalink(pageId, id);
      return ok(req, body);
    }),
    target,
  );

  router.add(
    "POST",
    `${G}/:id(\\d+)/photos`,
    graph(async (g) => {
      const { req, st, ctx, p, now } = g;
      const pageId = req.params.id!;
      const denied = pageAccess(g, pageId, "pages_manage_posts");
      if (denied) return denied;
      const url = p.get("url");
      const source = p.get("source");
      if (!url && !source) return fail(req, META_ERRORS.photoMissing324());
      if (url) {
        const m = await ctx.fetchMedia(url);
        if (!m.ok) return fail(req, META_ERRORS.photoMissing324());
        if (m.bytes > ctx.config.meta.fbPhotoMaxBytes || !PHOTO_FORMATS.has(m.format ?? "unknown")) {
          return fail(req, META_ERRORS.photoRejected1366046());
        }
      }
      const published = flag(p.get("published"), true);
      const caption = p.get("caption") ?? p.get("message") ?? undefined;
      const id = newId();
      if (!published) {
        st.photos.set(id, { id, pageId, url: url ?? undefined, caption, published: false, createdAt: now });
        return ok(req, { id });
      }
      const postId = `${pageId}_${newId()}`;
      st.photos.set(id, {
        id,
        pageId,
        url: url ?? undefined,
        caption,
        published: true,
        postId,
        createdAt: now,
      });
      st.posts.set(postId, {
        id: postId,
        pageId,
        message: caption,
        createdAt: now,
        publishAt: now,
        published: true,
        attachedMedia: [id],
        kind: "photo",
        deleted: false,
      });
      ctx.published.record({
        provider: "meta",
        target: pageId,
        kind: "facebook-photo",
        providerId: postId,
        text: caption,
        media: url ? [url] : undefined,
        permalink: postPermalink(pageId, postId),
        extra: { photoId: id },
      });
      return ok(req, { id, post_id: postId });
    }),
    target,
  );

  router.add(
    "POST",
    `${G}/:id(\\d+)/videos`,
    graph(async (g) => {
      const { req, st, ctx, p, now } = g;
      const pageId = req.params.id!;
      const denied = pageAccess(g, pageId, "pages_manage_posts");
      if (denied) return denied;
      const fileUrl = p.get("file_url");
      if (!fileUrl && !p.get("source"))
        return fail(req, META_ERRORS.invalidParam("(#100) file_url or source is required"));
      if (fileUrl) {
        const m = await ctx.fetchMedia(fileUrl);
        if (!m.ok) return fail(req, META_ERRORS.videoFetch389());
        if (m.format !== "mp4" && m.format !== "mov") return fail(req, META_ERRORS.videoFormat352());
      }
      const id = newId();
      const published = flag(p.get("published"), true);
      const postId = published ? `${pageId}_${id}` : undefined;
      st.videos.set(id, {
        id,
        pageId,
        title: p.get("title") ?? undefined,
        description: p.get("description") ?? undefined,
        createdAt: now,
        readyAt: now + ctx.config.meta.fbVideoProcessingMs,
        postId,
        deleted: false,
      });
      if (published) {
        ctx.published.record({
          provider: "meta",
          target: pageId,
          kind: "facebook-video",
          providerId: id,
          text: p.get("description") ?? undefined,
          media: fileUrl ? [fileUrl] : undefined,
          permalink: `https://www.facebook.com/${pageId}/videos/${id}/`,
        });
      }
      return ok(req, { id });
    }),
    target,
  );

  // Page webhooks subscriptions (what a webhook sender will read).
  router.add(
    "POST",
    `${G}/:id(\\d+)/subscribed_apps`,
    graph((g) => {
      const pageId = g.req.params.id!;
      const denied = pageAccess(g, pageId, "pages_manage_metadata");
      if (denied) return denied;
      const fields = (g.p.get("subscribed_fields") ?? "")
        .split(",")
        .map((f) => f.trim())
        .filter(Boolean);
      if (fields.length === 0) {
        return fail(g.req, META_ERRORS.invalidParam("(#100) The parameter subscribed_fields is required."));
      }
      const apps = g.st.subscriptions.get(pageId) ?? new Map<string, string[]>();
      apps.set(g.token!.appId, fields);
      g.st.subscriptions.set(pageId, apps);
      return ok(g.req, { success: true });
    }),
    target,
  );
  router.add(
    "GET",
    `${G}/:id(\\d+)/subscribed_apps`,
    graph((g) => {
      const pageId = g.req.params.id!;
      const denied = pageAccess(g, pageId, "pages_manage_metadata");
      if (denied) return denied;
      const data = [...(g.st.subscriptions.get(pageId) ?? new Map<string, string[]>())].map(
        ([appId, fields]) => ({
          category: "Business",
          link: `https://www.facebook.com/games/?app_id=${appId}`,
          name: findApp(appId)?.name ?? appId,
          id: appId,
          subscribed_fields: fields,
        }),
      );
      return ok(g.req, { data });
    }),
    target,
  );
  router.add(
    "DELETE",
    `${G}/:id(\\d+)/subscribed_apps`,
    graph((g) => {
      const pageId = g.req.params.id!;
      const denied = pageAccess(g, pageId, "pages_manage_metadata");
      if (denied) return denied;
      g.st.subscriptions.get(pageId)?.delete(g.token!.appId);
      return ok(g.req, { success: true });
    }),
    target,
  );

  for (const edge of ["feed", "posts", "published_posts", "scheduled_posts"]) {
    router.add(
      "GET",
      `${G}/:id(\\d+)/${edge}`,
      graph((g) => {
        const { req, st, ctx, p, now } = g;
        const pageId = req.params.id!;
        if (!findPage(pageId) || !seesPage(g, pageId)) return fail(req, META_ERRORS.unknownObject(pageId));
        const scheduled = edge === "scheduled_posts";
        const posts = [...st.posts.values()]
          .filter((x) => x.pageId === pageId && !x.deleted && (x.published || scheduled))
          .filter((x) => (scheduled ? x.publishAt > now : x.publishAt <= now))
          .sort((a, b) => b.publishAt - a.publishAt || (a.id < b.id ? 1 : -1));
        const limit = Math.max(
          1,
          Math.min(100, Number(p.get("limit") ?? ctx.config.meta.defaultPageLimit) || 25),
        );
        const start = Number(Buffer.from(p.get("after") ?? "", "base64url").toString() || 0) || 0;
        const fields = parseFields(p.get("fields"));
        const data: Record<string, unknown>[] = [];
        for (const post of posts.slice(start, start + limit)) {
          const picked = pick(postObject(post, now), fields, ["created_time", "message", "id"], "Post");
          if (!picked.ok) return fail(req, META_ERRORS.nonexistingField(picked.field, "Post"));
          data.push(picked.value);
        }
        const cursor = (i: number) => Buffer.from(String(i)).toString("base64url");
        const paging: Record<string, unknown> = {
          cursors: { before: cursor(start), after: cursor(start + data.length) },
        };
        if (start + limit < posts.length) {
          const next = new URL(`${ctx.baseUrl}${req.path}`);
          for (const [k, v] of p) if (k !== "after") next.searchParams.set(k, v);
          next.searchParams.set("after", cursor(start + limit));
          paging.next = next.toString();
        }
        return ok(req, { data, paging });
      }),
      target,
    );
  }
}

/** A Page post as Graph shows it. */
export function postObject(post: FbPost, now: number): Record<string, unknown> {
  return {
    id: post.id,
    message: post.message,
    created_time: graphTime(post.publishAt <= now ? post.publishAt : post.createdAt),
    updated_time: graphTime(post.createdAt),
    permalink_url: postPermalink(post.pageId, post.id),
    is_published: post.publishAt <= now,
    scheduled_publish_time: post.publishAt > now ? Math.floor(post.publishAt / 1000) : undefined,
    status_type:
      post.kind === "photo" ? "added_photos" : post.kind === "video" ? "added_video" : "mobile_status_update",
    from: { id: post.pageId, name: findPage(post.pageId)?.page.name },
    attachments: post.attachedMedia.length
      ? { data: post.attachedMedia.map((id) => ({ media_type: "photo", target: { id } })) }
      : undefined,
    link: post.link,
  };
}
