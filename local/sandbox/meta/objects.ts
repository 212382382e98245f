import type { Router, SandboxResponse } from "../core/types.js";
import { META_ERRORS } from "./errors.js";
import { fail, type GraphCall, graph, ok, parseFields, pick } from "./graph.js";
import { containerStatus, igAccess, igUserObject, mediaObject } from "./instagram.js";
import { pageTokenFor } from "./oauth.js";
import { postObject, seesPage } from "./pages.js";
import { findIgAccount, findPage } from "./seed.js";
import { graphTime, newId } from "./state.js";

const G = "/meta/graph/:version(v\\d+\\.\\d+)";

/** What owns an object id, for access checks and fault targets. */
function ownerOf(g: GraphCall, id: string): { pageId?: string; igId?: string } | undefined {
  const { st } = g;
  if (findPage(id)) return { pageId: id };
  if (findIgAccount(id)) return { igId: id };
  const post = st.posts.get(id);
  if (post && !post.deleted) return { pageId: post.pageId };
  const photo = st.photos.get(id);
  if (photo) return { pageId: photo.pageId };
  const video = st.videos.get(id);
  if (video && !video.deleted) return { pageId: video.pageId };
  const container = st.containers.get(id);
  if (container) return { igId: container.igUserId };
  const media = st.igMedia.get(id);
  if (media) return { igId: media.igUserId };
  const comment = st.comments.get(id);
  if (comment)
    return findIgAccount(comment.ownerId) ? { igId: comment.ownerId } : { pageId: comment.ownerId };
  return undefined;
}

function select(
  g: GraphCall,
  full: Record<string, unknown>,
  defaults: string[],
  node: string,
): SandboxResponse {
  const picked = pick(full, parseFields(g.p.get("fields")), defaults, node);
  return picked.ok ? ok(g.req, picked.value) : fail(g.req, META_ERRORS.nonexistingField(picked.field, node));
}

/** Register reading, deleting and commenting on any object by id, and Graph's unknown-path answer. */
export function registerObjects(router: Router): void {
  const target = { target: (req: { params: Record<string, string> }) => req.params.id };

  router.add(
    "POST",
    `${G}/:id([\\d_]+)/comments`,
    graph((g) => {
      const { req, st, ctx, p, now } = g;
      const id = req.params.id!;
      const owner = ownerOf(g, id);
      if (!owner || owner.pageId === id || owner.igId === id) return fail(req, META_ERRORS.unknownObject(id));
      const message = p.get("message") ?? "";
      if (!message && !p.get("attachment_url"))
        return fail(req, META_ERRORS.invalidParam("(#100) Missing message or attachment"));
      if (owner.igId) {
        const denied = igAccess(g, owner.igId, "instagram_manage_comments");
        if (denied) return denied;
        const commentId = newId("179");
        st.comments.set(commentId, {
          id: commentId,
          objectId: id,
          ownerId: owner.igId,
          message,
          createdAt: now,
        });
        ctx.published.record({
          provider: "meta",
          target: owner.igId,
          kind: "instagram-comment",
          providerId: commentId,
          text: message,
          extra: { on: id },
        });
        return ok(req, { id: commentId });
      }
      const pageId = owner.pageId!;
      if (
        g.token?.kind !== "page" ||
        g.token.pageId !== pageId ||
        !g.token.scopes.includes("pages_manage_engagement")
      ) {
        return fail(req, { message: "(#200) Permissions error", code: 200 });
      }
      const commentId = `${id.split("_").at(-1)}_${newId()}`;
      st.comments.set(commentId, { id: commentId, objectId: id, ownerId: pageId, message, createdAt: now });
      ctx.published.record({
        provider: "meta",
        target: pageId,
        kind: "facebook-comment",
        providerId: commentId,
        text: message,
        extra: { on: id },
      });
      return ok(req, { id: commentId });
    }),
    target,
  );

  router.add(
    "GET",
    `${G}/:id([\\d_]+)`,
    graph((g) => {
      const { req, st, ctx, now } = g;
      const id = req.params.id!;
      const owner = ownerOf(g, id);
      if (!owner) return fail(req, META_ERRORS.unknownObject(id));
      if (owner.igId) {
        const denied = igAccess(g, owner.igId, "instagram_basic");
        if (denied) return denied;
      } else if (!seesPage(g, owner.pageId!)) {
        return fail(req, META_ERRORS.unknownObject(id));
      }
      const page = findPage(id);
      if (page) {
        const p = page.page;
        return select(
          g,
          {
            id: p.id,
            name: p.name,
            username: p.username,
            category: p.category,
            link: `https://www.facebook.com/${p.id}`,
            fan_count: 1_000,
            followers_count: 1_100,
            instagram_business_account: p.instagram
              ? { id: p.instagram.id, username: p.instagram.username }
              : undefined,
            tasks: p.tasks,
            // A user token granted the Page can read the Page's token here too.
            access_token: g.token?.kind === "user" ? pageTokenFor(st, ctx, g.token, p.id).token : undefined,
          },
          ["name", "id"],
          "Page",
        );
      }
      if (findIgAccount(id)) return select(g, igUserObject(id, st, ctx), ["id"], "IGUser");
      const post = st.posts.get(id);
      if (post) return select(g, postObject(post, now), ["created_time", "message", "id"], "Post");
      const photo = st.photos.get(id);
      if (photo) {
        return select(
          g,
          {
            id: photo.id,
            name: photo.caption,
            created_time: graphTime(photo.createdAt),
            link: `https://www.facebook.com/photo.php?fbid=${photo.id}`,
            page_story_id: photo.postId,
            images: [{ source: photo.url, width: 1080, height: 1080 }],
          },
          ["created_time", "name", "id"],
          "Photo",
        );
      }
      const video = st.videos.get(id);
      if (video) {
        const ready = now >= video.readyAt;
        return select(
          g,
          {
            id: video.id,
            title: video.title,
            description: video.description,
            created_time: graphTime(video.createdAt),
            permalink_url: `/${video.pageId}/videos/${video.id}/`,
            post_id: video.postId,
            status: {
              video_status: ready ? "ready" : "processing",
              uploading_phase: { status: "complete" },
              processing_phase: ready ? { status: "complete" } : { status: "in_progress" },
              publishing_phase: ready
                ? {
                    status: "complete",
                    publish_status: video.postId ? "published" : "not_published",
                    publish_time: graphTime(video.readyAt),
                  }
                : { status: "not_started" },
            },
          },
          ["id"],
          "Video",
        );
      }
      const container = st.containers.get(id);
      if (container) {
        const s = containerStatus(st, ctx, container, now);
        return select(g, { id, status_code: s.code, status: s.text }, ["id"], "ShadowIGMediaBuilder");
      }
      const media = st.igMedia.get(id);
      if (media) return select(g, mediaObject(media, st), ["id"], "IGMedia");
      const comment = st.comments.get(id)!;
      return select(
        g,
        {
          id: comment.id,
          message: comment.message,
          text: comment.message,
          created_time: graphTime(comment.createdAt),
          timestamp: graphTime(comment.createdAt),
        },
        ["created_time", "message", "id"],
        "Comment",
      );
    }),
    target,
  );

  router.add(
    "DELETE",
    `${G}/:id([\\d_]+)`,
    graph((g) => {
      const { req, st } = g;
      const id = req.params.id!;
      const owner = ownerOf(g, id);
      const deletable = st.posts.get(id) ?? st.videos.get(id) ?? st.photos.get(id);
      if (!owner?.pageId || !deletable || owner.pageId === id)
        return fail(req, META_ERRORS.unknownObject(id));
      const t = g.token;
      if (t?.kind !== "page" || t.pageId !== owner.pageId || !t.scopes.includes("pages_manage_posts")) {
        return fail(req, META_ERRORS.pagePermission200());
      }
      const post = st.posts.get(id);
      if (post) post.deleted = true;
      const video = st.videos.get(id);
      if (video) video.deleted = true;
      const photo = st.photos.get(id);
      if (photo) {
        st.photos.delete(id);
        const photoPost = photo.postId ? st.posts.get(photo.postId) : undefined;
        if (photoPost) photoPost.deleted = true;
      }
      return ok(req, { success: true });
    }),
    target,
  );

  // Anything else under the Graph host: Graph's unknown-path answer.
  router.add("*", /^\/meta\/graph\/.*$/, (req) =>
    fail(req, META_ERRORS.unknownPath(req.path.replace(/^\/meta\/graph\/(v\d+\.\d+\/)?/, ""))),
  );
}
