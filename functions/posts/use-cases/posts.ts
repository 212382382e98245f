/**
 * Post use cases: create, read, list, edit, delete, validate, and the approval steps.
 *   handler → these functions → PostStore (DynamoDB), TargetLookup, MediaInspector, SettingsReader
 * Every state change goes through the transition table and a write conditional on the version
 * that was read, so a concurrent change is a 412 (stale ETag) or a 409 (state), never lost.
 */
import type { CreatePostBody, HistoryEntry, RuleIssue, UpdatePostBody } from "../../../schemas/api/posts.js";
import type { Target } from "../../connections/use-cases/ports.js";
import { NotFoundError } from "../../platform/errors.js";
import { staleVersion } from "../../platform/etag.js";
import type { Post } from "../domain/post.js";
import { checkPost, hasErrors, mediaUrls } from "../domain/rules.js";
import { type PostAction, postFromStates } from "../domain/transitions.js";
import { readPage } from "./pages.js";
import { type Actor, type Page, type PostFilter, type PostsDeps, WriteConflict } from "./ports.js";
import { nextPostStatus } from "./transitions.js";

/** History is capped so a post stays far below DynamoDB's 400 KB item limit. */
const HISTORY_MAX = 200;

export const historyEntry = (
  at: string,
  by: string,
  action: string,
  from: string | undefined,
  to: string | undefined,
  comment?: string,
): HistoryEntry => ({
  at,
  by,
  action,
  ...(from ? { from } : {}),
  ...(to ? { to } : {}),
  ...(comment ? { comment } : {}),
});

export const appendHistory = (post: Post, entry: HistoryEntry) =>
  [...post.history, entry].slice(-HISTORY_MAX);

export async function loadPost(deps: Pick<PostsDeps, "posts">, actor: Actor, id: string): Promise<Post> {
  const post = await deps.posts.get(actor.tenantId, id);
  if (!post) throw new NotFoundError(`No post ${id}.`);
  return post;
}

/** Map a lost conditional write to 412 (caller's ETag is stale) after re-reading the post. */
async function conflictToStale(
  deps: Pick<PostsDeps, "posts">,
  actor: Actor,
  id: string,
  error: unknown,
): Promise<never> {
  if (error instanceof WriteConflict) {
    const now = await deps.posts.get(actor.tenantId, id);
    if (!now) throw new NotFoundError(`No post ${id}.`);
    throw staleVersion(now.version);
  }
  throw error;
}

export async function createPost(deps: PostsDeps, actor: Actor, body: CreatePostBody): Promise<Post> {
  const at = deps.now().toISOString();
  const post: Post = {
    tenantId: actor.tenantId,
    id: deps.newId("pst"),
    status: "DRAFT",
    version: 1,
    content: body.content,
    ...(body.variants ? { variants: body.variants } : {}),
    targetIds: [...new Set(body.targetIds)],
    deliveryIds: [],
    history: [historyEntry(at, actor.userId, "created", undefined, "DRAFT")],
    createdAt: at,
    createdBy: actor.userId,
    updatedAt: at,
  };
  await deps.posts.create(post);
  return post;
}

export async function listPosts(deps: PostsDeps, actor: Actor, filter: PostFilter): Promise<Page<Post>> {
  return readPage(filter, () => deps.posts.list(actor.tenantId, filter));
}

/** Apply a state action to a post, recording who did it. Checks the version the caller read when given. */
async function transition(
  deps: PostsDeps,
  actor: Actor,
  id: string,
  action: PostAction,
  opts: { expectedVersion?: number; comment?: string; change?: (p: Post) => Partial<Post> } = {},
): Promise<Post> {
  const post = await loadPost(deps, actor, id);
  if (opts.expectedVersion !== undefined && opts.expectedVersion !== post.version)
    throw staleVersion(post.version);
  const settings = await deps.settings.get(actor.tenantId);
  const to = nextPostStatus(post.status, action, { approvalRequired: settings.approvalRequired });
  const at = deps.now().toISOString();
  const historyAction =
    action === "edit" && to === "PENDING_APPROVAL" && post.status === "APPROVED"
      ? "edited-after-approval"
      : action;
  const next: Post = {
    ...post,
    ...(opts.change ? opts.change(post) : {}),
    status: to,
    version: post.version + 1,
    updatedAt: at,
    history: appendHistory(
      post,
      historyEntry(at, actor.userId, historyAction, post.status, to, opts.comment),
    ),
  };
  try {
    await deps.posts.replace(next, post.version);
  } catch (error) {
    return conflictToStale(deps, actor, id, error);
  }
  return next;
}

/** PATCH: replace content/variants/targets. An approved post goes back to approval when the tenant requires it. */
export function updatePost(
  deps: PostsDeps,
  actor: Actor,
  id: string,
  expectedVersion: number,
  body: UpdatePostBody,
): Promise<Post> {
  return transition(deps, actor, id, "edit", {
    expectedVersion,
    change: () => ({
      ...(body.content ? { content: body.content } : {}),
      ...(body.variants ? { variants: body.variants } : {}),
      ...(body.targetIds ? { targetIds: [...new Set(body.targetIds)] } : {}),
    }),
  });
}

export const submitPost = (deps: PostsDeps, actor: Actor, id: string) =>
  transition(deps, actor, id, "submit");
export const approvePost = (deps: PostsDeps, actor: Actor, id: string, comment?: string) =>
  transition(deps, actor, id, "approve", comment ? { comment } : {});
export const rejectPost = (deps: PostsDeps, actor: Actor, id: string, comment: string) =>
  transition(deps, actor, id, "reject", { comment });

/** DELETE: only while nothing is scheduled or published. `If-Match` is optional here. */
export async function deletePost(
  deps: PostsDeps,
  actor: Actor,
  id: string,
  expectedVersion?: number,
): Promise<void> {
  const post = await loadPost(deps, actor, id);
  if (expectedVersion !== undefined && expectedVersion !== post.version) throw staleVersion(post.version);
  nextPostStatus(post.status, "delete", { approvalRequired: false });
  try {
    await deps.posts.delete(actor.tenantId, id, post.version, postFromStates("delete"));
  } catch (error) {
    return conflictToStale(deps, actor, id, error);
  }
}

/** Run the guardrails: resolve targets, inspect media, check each target's platform rules. */
export async function checkPostRules(
  deps: Pick<PostsDeps, "targets" | "media">,
  post: Pick<Post, "tenantId" | "content" | "variants" | "targetIds">,
): Promise<RuleIssue[]> {
  const targets = new Map<string, Target | undefined>();
  await Promise.all(
    [...new Set(post.targetIds)].map(async (tid) =>
      targets.set(tid, await deps.targets.getTarget(post.tenantId, tid)),
    ),
  );
  const media = await deps.media.inspect(mediaUrls(post));
  return checkPost({ post, targets, media });
}

export async function validatePost(deps: PostsDeps, actor: Actor, id: string) {
  const post = await loadPost(deps, actor, id);
  const issues = await checkPostRules(deps, post);
  return { valid: !hasErrors(issues), issues };
}
