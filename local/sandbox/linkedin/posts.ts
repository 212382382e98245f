import type { Router, SandboxContext, SandboxRequest, SandboxResponse } from "../core/types.js";
import { API, type ApiCaller, apiRoute, hasScope, jsonObject } from "./api.js";
import { parseCommentary } from "./little-text.js";
import { mediaStatus } from "./media.js";
import { accessDeniedBody, duplicatePostBody, liJson, notFoundBody, validationBody } from "./responses.js";
import { activityId, type Comment, liState, mayActAs, type Post } from "./state.js";

/**
 * The Posts API and comments (providers.md B5): `POST /rest/posts` (201, empty body,
 * `x-restli-id`), read, partial update and delete by encoded URN, and
 * `POST /rest/socialActions/{urn}/comments`. Every published post and comment is written to the
 * publication log, the duplicate detector of the test suites.
 */

export const MAX_COMMENTARY = 3_000;
const VISIBILITIES = ["PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"];
const LIFECYCLE_STATES = ["PUBLISHED", "DRAFT"];
const AUTHOR = /^urn:li:(person|organization):[A-Za-z0-9_-]+$/;
const POST_URN = /^urn:li:(share|ugcPost):\d+$/;

export function permalink(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

function required(req: SandboxRequest, field: string): SandboxResponse {
  return liJson(
    req,
    422,
    validationBody(
      422,
      `ERROR :: /${field} :: field is required but not found and has no default value`,
      "FIELD_VALUE_MISSING",
      `/${field}`,
    ),
  );
}

function badContent(req: SandboxRequest, reason: string, code: string, path: string): SandboxResponse {
  return liJson(
    req,
    422,
    validationBody(
      422,
      `com.linkedin.content.common.exception.BadRequestResponseException: ${reason}`,
      code,
      path,
    ),
  );
}

/** JSON with sorted keys, so two equal contents compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Check one media URN for a post: it exists, is of an allowed kind, is the author's, is AVAILABLE. */
function checkMedia(
  ctx: SandboxContext,
  c: ApiCaller,
  author: string,
  urn: unknown,
  kinds: readonly string[],
  path: string,
): { error: [string, string, string] } | { urn: string } {
  if (typeof urn !== "string") return { error: ["Media id is required", "FIELD_VALUE_MISSING", path] };
  const asset = c.st.media.get(urn);
  if (!asset || !kinds.includes(asset.kind)) {
    return { error: [`Media asset ${urn} does not exist`, "INVALID_MEDIA_ASSET", path] };
  }
  if (asset.owner !== author) {
    return { error: [`Media asset ${urn} is not owned by ${author}`, "MEDIA_ASSET_NOT_OWNED", path] };
  }
  const { status } = mediaStatus(ctx, asset);
  if (status !== "AVAILABLE") {
    return {
      error: [`Media asset ${urn} is not AVAILABLE (status ${status})`, "MEDIA_ASSET_NOT_READY", path],
    };
  }
  return { urn };
}

/** Validate `content`; answer the media URNs it uses, or an error response. */
function checkContent(
  req: SandboxRequest,
  ctx: SandboxContext,
  c: ApiCaller,
  author: string,
  content: unknown,
): { media: string[]; kind: string } | { error: SandboxResponse } {
  if (content === undefined) return { media: [], kind: "text" };
  if (typeof content !== "object" || content === null || Array.isArray(content)) {
    return { error: badContent(req, "content must be an object", "INVALID_VALUE", "/content") };
  }
  const keys = Object.keys(content);
  const variants = keys.filter((k) => ["media", "multiImage", "article", "poll", "carousel"].includes(k));
  if (variants.length !== 1 || keys.length !== 1) {
    return {
      error: badContent(
        req,
        "content must hold exactly one of media, multiImage, article, poll",
        "INVALID_VALUE",
        "/content",
      ),
    };
  }
  const o = content as Record<string, Record<string, unknown>>;
  if (o.media) {
    const r = checkMedia(ctx, c, author, o.media.id, ["image", "video", "document"], "/content/media/id");
    if ("error" in r) return { error: badContent(req, ...r.error) };
    const kind = r.urn.split(":")[2] as string;
    return { media: [r.urn], kind };
  }
  if (o.multiImage) {
    const images = o.multiImage.images;
    if (!Array.isArray(images) || images.length < 2 || images.length > 20) {
      return {
        error: badContent(
          req,
          "multiImage needs 2 to 20 images",
          "INVALID_VALUE",
          "/content/multiImage/images",
        ),
      };
    }
    const media: string[] = [];
    for (const [i, img] of images.entries()) {
      const r = checkMedia(
        ctx,
        c,
        author,
        (img as Record<string, unknown>)?.id,
        ["image"],
        `/content/multiImage/images/${i}/id`,
      );
      if ("error" in r) return { error: badContent(req, ...r.error) };
      media.push(r.urn);
    }
    return { media, kind: "multiImage" };
  }
  if (o.article) {
    const source = o.article.source;
    if (typeof source !== "string" || !/^https?:\/\/\S+$/.test(source)) {
      return {
        error: badContent(req, "article.source must be a URL", "INVALID_VALUE", "/content/article/source"),
      };
    }
    const media: string[] = [];
    if (o.article.thumbnail !== undefined) {
      const r = checkMedia(ctx, c, author, o.article.thumbnail, ["image"], "/content/article/thumbnail");
      if ("error" in r) return { error: badContent(req, ...r.error) };
      media.push(r.urn);
    }
    return { media, kind: "article" };
  }
  if (o.poll) {
    const options = o.poll.options;
    if (
      typeof o.poll.question !== "string" ||
      !Array.isArray(options) ||
      options.length < 2 ||
      options.length > 4
    ) {
      return {
        error: badContent(req, "poll needs a question and 2 to 4 options", "INVALID_VALUE", "/content/poll"),
      };
    }
    return { media: [], kind: "poll" };
  }
  return {
    error: badContent(
      req,
      "carousel content is for sponsored posts only",
      "INVALID_VALUE",
      "/content/carousel",
    ),
  };
}

function postBody(p: Post): Record<string, unknown> {
  return {
    id: p.urn,
    author: p.author,
    commentary: p.commentary,
    visibility: p.visibility,
    distribution: p.distribution,
    ...(p.content ? { content: p.content } : {}),
    ...(p.reshareContext ? { reshareContext: p.reshareContext } : {}),
    lifecycleState: p.lifecycleState,
    lifecycleStateInfo: { isEditedByAuthor: p.lastModifiedAt !== p.createdAt },
    isReshareDisabledByAuthor: p.isReshareDisabledByAuthor,
    createdAt: p.createdAt,
    lastModifiedAt: p.lastModifiedAt,
    ...(p.lifecycleState === "PUBLISHED" ? { publishedAt: p.createdAt } : {}),
  };
}

function writeScope(author: string): string {
  return author.startsWith("urn:li:organization:") ? "w_organization_social" : "w_member_social";
}

function createPost(req: SandboxRequest, ctx: SandboxContext, c: ApiCaller): SandboxResponse {
  const body = jsonObject(req);
  if (!body) return liJson(req, 400, { status: 400, message: "The request body must be a JSON object" });
  const author = body.author;
  if (typeof author !== "string") return required(req, "author");
  if (!AUTHOR.test(author)) {
    return liJson(
      req,
      422,
      validationBody(422, `ERROR :: /author :: invalid URN ${author}`, "INVALID_VALUE", "/author"),
    );
  }
  if (!hasScope(c, writeScope(author)) || !mayActAs(c.st, c.member.sub, author)) {
    return liJson(req, 403, accessDeniedBody("partnerApiPostsExternal.CREATE", c.version));
  }
  const raw = body.commentary ?? "";
  if (typeof raw !== "string") {
    return liJson(
      req,
      422,
      validationBody(422, "ERROR :: /commentary :: not a string", "INVALID_VALUE", "/commentary"),
    );
  }
  if (raw.length > MAX_COMMENTARY) {
    return liJson(
      req,
      422,
      validationBody(
        422,
        `ERROR :: /commentary :: length ${raw.length} exceeds the maximum allowed length of ${MAX_COMMENTARY}`,
        "MAX_LENGTH_EXCEEDED",
        "/commentary",
      ),
    );
  }
  if (body.visibility === undefined) return required(req, "visibility");
  if (!VISIBILITIES.includes(String(body.visibility))) {
    return liJson(
      req,
      422,
      validationBody(
        422,
        `ERROR :: /visibility :: invalid enum value ${String(body.visibility)}`,
        "INVALID_VALUE",
        "/visibility",
      ),
    );
  }
  if (body.distribution === undefined) return required(req, "distribution");
  if (body.lifecycleState === undefined) return required(req, "lifecycleState");
  if (!LIFECYCLE_STATES.includes(String(body.lifecycleState))) {
    return liJson(
      req,
      422,
      validationBody(
        422,
        `ERROR :: /lifecycleState :: invalid enum value ${String(body.lifecycleState)}`,
        "INVALID_VALUE",
        "/lifecycleState",
      ),
    );
  }
  const content = checkContent(req, ctx, c, author, body.content);
  if ("error" in content) return content.error;
  const reshare = body.reshareContext as Record<string, unknown> | undefined;
  if (reshare !== undefined) {
    const parent = c.st.posts.get(String(reshare?.parent ?? ""));
    if (!parent || parent.deleted)
      return badContent(
        req,
        "reshareContext.parent does not exist",
        "INVALID_VALUE",
        "/reshareContext/parent",
      );
  }

  const parsed = parseCommentary(raw);
  const duplicateKey = `${author}\u0000${parsed.text}\u0000${canonical(body.content ?? null)}\u0000${canonical(reshare ?? null)}`;
  const now = ctx.clock.now();
  if (body.lifecycleState === "PUBLISHED") {
    const windowStart = now - ctx.config.linkedin.duplicateWindowMinutes * 60_000;
    const first = [...c.st.posts.values()].find(
      (p) =>
        !p.deleted &&
        p.lifecycleState === "PUBLISHED" &&
        p.duplicateKey === duplicateKey &&
        p.createdAt >= windowStart,
    );
    if (first) return liJson(req, 422, duplicatePostBody(first.urn));
  }

  const post: Post = {
    urn: `urn:li:share:${activityId(c.st)}`,
    author,
    commentary: parsed.commentary,
    text: parsed.text,
    visibility: String(body.visibility),
    distribution: body.distribution,
    content: body.content as Record<string, unknown> | undefined,
    reshareContext: reshare,
    lifecycleState: String(body.lifecycleState),
    isReshareDisabledByAuthor: body.isReshareDisabledByAuthor === true,
    createdAt: now,
    lastModifiedAt: now,
    duplicateKey,
    deleted: false,
  };
  c.st.posts.set(post.urn, post);
  if (post.lifecycleState === "PUBLISHED") {
    ctx.published.record({
      provider: "linkedin",
      target: author,
      kind: "post",
      providerId: post.urn,
      text: parsed.text,
      media: content.media,
      permalink: permalink(post.urn),
      extra: {
        contentType: content.kind,
        commentary: parsed.commentary,
        truncated: parsed.truncated,
        visibility: post.visibility,
        mentions: parsed.mentions,
        hashtags: parsed.hashtags,
      },
    });
  }
  return liJson(req, 201, undefined, {
    "x-restli-id": post.urn,
    location: `/rest/posts/${encodeURIComponent(post.urn)}`,
  });
}

function updatePost(req: SandboxRequest, ctx: SandboxContext, c: ApiCaller): SandboxResponse {
  const post = c.st.posts.get(req.params.urn ?? "");
  if (!post || post.deleted) return liJson(req, 404, notFoundBody(`Post ${req.params.urn} not found`));
  if (!hasScope(c, writeScope(post.author)) || !mayActAs(c.st, c.member.sub, post.author)) {
    return liJson(req, 403, accessDeniedBody("partnerApiPostsExternal.PARTIAL_UPDATE", c.version));
  }
  if ((req.headers["x-restli-method"] ?? "").toUpperCase() !== "PARTIAL_UPDATE") {
    return liJson(req, 400, { status: 400, message: "Set X-RestLi-Method: PARTIAL_UPDATE to edit a post" });
  }
  const set = ((jsonObject(req)?.patch as Record<string, unknown> | undefined)?.$set ?? {}) as Record<
    string,
    unknown
  >;
  if (set.commentary !== undefined) {
    if (typeof set.commentary !== "string" || set.commentary.length > MAX_COMMENTARY) {
      return liJson(
        req,
        422,
        validationBody(422, "ERROR :: /commentary :: invalid commentary", "INVALID_VALUE", "/commentary"),
      );
    }
    const parsed = parseCommentary(set.commentary);
    post.commentary = parsed.commentary;
    post.text = parsed.text;
  }
  post.lastModifiedAt = ctx.clock.now();
  return liJson(req, 204);
}

function createComment(req: SandboxRequest, ctx: SandboxContext, c: ApiCaller): SandboxResponse {
  const target = req.params.urn ?? "";
  const post = c.st.posts.get(target);
  if (!post || post.deleted) return liJson(req, 404, notFoundBody(`Entity ${target} not found`));
  const body = jsonObject(req);
  const actor = body?.actor;
  if (typeof actor !== "string") return required(req, "actor");
  if (!hasScope(c, writeScope(actor)) || !mayActAs(c.st, c.member.sub, actor)) {
    return liJson(req, 403, accessDeniedBody("partnerApiSocialActions.CREATE", c.version));
  }
  if (body?.object !== undefined && body.object !== target) {
    return liJson(req, 400, {
      status: 400,
      message: `object ${String(body.object)} does not match the path ${target}`,
    });
  }
  const text = (body?.message as Record<string, unknown> | undefined)?.text;
  if (typeof text !== "string" || text.length === 0) return required(req, "message/text");
  const id = activityId(c.st);
  const now = ctx.clock.now();
  const comment: Comment = {
    urn: `urn:li:comment:(${target},${id})`,
    id,
    actor,
    object: target,
    text,
    createdAt: now,
  };
  c.st.comments.set(comment.urn, comment);
  ctx.published.record({
    provider: "linkedin",
    target: actor,
    kind: "comment",
    providerId: comment.urn,
    text,
    permalink: `${permalink(target)}?commentUrn=${encodeURIComponent(comment.urn)}`,
    extra: { object: target },
  });
  return liJson(req, 201, commentBody(comment), { "x-restli-id": comment.urn });
}

function commentBody(cm: Comment): Record<string, unknown> {
  return {
    actor: cm.actor,
    agent: cm.actor,
    commentUrn: cm.urn,
    $URN: cm.urn,
    id: cm.id,
    object: cm.object,
    message: { text: cm.text, attributes: [] },
    created: { actor: cm.actor, time: cm.createdAt },
    lastModified: { actor: cm.actor, time: cm.createdAt },
  };
}

export function registerPosts(router: Router, ctx: SandboxContext): void {
  const postAuthor = (req: SandboxRequest) => liState(ctx).posts.get(req.params.urn ?? "")?.author;

  router.add(
    "POST",
    `${API}/rest/posts`,
    apiRoute("partnerApiPostsExternal.CREATE", { versioned: true, memberPostLimit: true }, createPost),
    {
      target: (req) => {
        const a = jsonObject(req)?.author;
        return typeof a === "string" ? a : undefined;
      },
    },
  );
  router.add(
    "GET",
    `${API}/rest/posts`,
    apiRoute("partnerApiPostsExternal.FINDER-author", { versioned: true }, (req, _ctx, c) => {
      const author = req.query.get("author") ?? "";
      if (req.query.get("q") !== "author" || !AUTHOR.test(author)) {
        return liJson(req, 400, {
          status: 400,
          message: "Use the author finder: ?q=author&author=<encoded URN>",
        });
      }
      // Reading posts back needs the read scopes (r_member_social is a restricted permission).
      const readScopes = author.startsWith("urn:li:organization:")
        ? ["r_organization_social", "rw_organization_admin"]
        : ["r_member_social"];
      if (!hasScope(c, ...readScopes) || !mayActAs(c.st, c.member.sub, author)) {
        return liJson(req, 403, accessDeniedBody("partnerApiPostsExternal.FINDER-author", c.version));
      }
      const mine = [...c.st.posts.values()]
        .filter((p) => p.author === author && !p.deleted)
        .sort((a, b) => b.lastModifiedAt - a.lastModifiedAt || b.urn.localeCompare(a.urn));
      const start = Math.max(0, Number.parseInt(req.query.get("start") ?? "0", 10) || 0);
      const count = Math.min(100, Math.max(1, Number.parseInt(req.query.get("count") ?? "10", 10) || 10));
      return liJson(req, 200, {
        elements: mine.slice(start, start + count).map(postBody),
        paging: { start, count, total: mine.length, links: [] },
      });
    }),
    { target: (req) => req.query.get("author") ?? undefined },
  );
  router.add(
    "GET",
    `${API}/rest/posts/:urn`,
    apiRoute("partnerApiPostsExternal.GET", { versioned: true }, (req, _ctx, c) => {
      const post = c.st.posts.get(req.params.urn ?? "");
      if (!post || post.deleted || !POST_URN.test(post.urn))
        return liJson(req, 404, notFoundBody(`Post ${req.params.urn} not found`));
      if (!mayActAs(c.st, c.member.sub, post.author)) {
        return liJson(req, 403, accessDeniedBody("partnerApiPostsExternal.GET", c.version));
      }
      return liJson(req, 200, postBody(post));
    }),
    { target: postAuthor },
  );
  router.add(
    "POST",
    `${API}/rest/posts/:urn`,
    apiRoute("partnerApiPostsExternal.PARTIAL_UPDATE", { versioned: true }, updatePost),
    { target: postAuthor },
  );
  router.add(
    "DELETE",
    `${API}/rest/posts/:urn`,
    apiRoute("partnerApiPostsExternal.DELETE", { versioned: true }, (req, _ctx, c) => {
      const post = c.st.posts.get(req.params.urn ?? "");
      if (!post || post.deleted) return liJson(req, 404, notFoundBody(`Post ${req.params.urn} not found`));
      if (!hasScope(c, writeScope(post.author)) || !mayActAs(c.st, c.member.sub, post.author)) {
        return liJson(req, 403, accessDeniedBody("partnerApiPostsExternal.DELETE", c.version));
      }
      post.deleted = true;
      return liJson(req, 204);
    }),
    { target: postAuthor },
  );
  router.add(
    "POST",
    `${API}/rest/socialActions/:urn/comments`,
    apiRoute("partnerApiSocialActions.CREATE", { versioned: true }, createComment),
    {
      target: (req) => {
        const a = jsonObject(req)?.actor;
        return typeof a === "string" ? a : undefined;
      },
    },
  );
  router.add(
    "GET",
    `${API}/rest/socialActions/:urn/comments`,
    apiRoute("partnerApiSocialActions.GET", { versioned: true }, (req, _ctx, c) => {
      const target = req.params.urn ?? "";
      const post = c.st.posts.get(target);
      if (!post || post.deleted) return liJson(req, 404, notFoundBody(`Entity ${target} not found`));
      const all = [...c.st.comments.values()].filter((cm) => cm.object === target);
      const start = Math.max(0, Number.parseInt(req.query.get("start") ?? "0", 10) || 0);
      const count = Math.min(100, Math.max(1, Number.parseInt(req.query.get("count") ?? "10", 10) || 10));
      return liJson(req, 200, {
        elements: all.slice(start, start + count).map(commentBody),
        paging: { start, count, total: all.length, links: [] },
      });
    }),
    { target: postAuthor },
  );
}
