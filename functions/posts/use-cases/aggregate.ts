/**
 * A post's aggregate status follows its deliveries (one rule, used by the publish worker
 * through `PostsForPublishing` and by a delivery-level cancel):
 *
 * - any delivery NEEDS_ATTENTION (dead-lettered) → NEEDS_ATTENTION: a person must act;
 * - otherwise, while any delivery is not finished → PUBLISHING;
 * - all finished → PUBLISHED (none failed), FAILED (none published) or PARTIALLY_PUBLISHED.
 *
 * Only posts that are SCHEDULED, PUBLISHING or NEEDS_ATTENTION move. The write is conditional
 * on the post's version; on a conflict the post is read again and the status recomputed.
 */
import type { DeliveryStatus } from "../../../schemas/api/deliveries.js";
import type { PostStatus } from "../../../schemas/api/posts.js";
import { appendLedger, type Delivery, type Post } from "../domain/post.js";
import type { PostAction } from "../domain/transitions.js";
import {
  type DeliveryStore,
  type PostStore,
  type PostsDeps,
  type PostsForPublishing,
  WriteConflict,
} from "./ports.js";

/** What settling a post needs: posts read and replaced, deliveries read and replaced (the port passes them on). */
export interface SettleDeps extends Pick<PostsDeps, "now" | "log"> {
  readonly posts: Pick<PostStore, "get" | "replace">;
  readonly deliveries: Pick<DeliveryStore, "get" | "replace">;
}

const FINISHED: ReadonlySet<DeliveryStatus> = new Set(["PUBLISHED", "FAILED", "CANCELLED"]);
const FOLLOWS_DELIVERIES: ReadonlySet<PostStatus> = new Set(["SCHEDULED", "PUBLISHING", "NEEDS_ATTENTION"]);
const MAX_CONFLICTS = 5;

/** The post's status for these delivery statuses (a missing delivery counts as CANCELLED). */
export function aggregateStatus(statuses: readonly DeliveryStatus[]): PostStatus {
  if (statuses.includes("NEEDS_ATTENTION")) return "NEEDS_ATTENTION";
  if (!statuses.every((s) => FINISHED.has(s))) return "PUBLISHING";
  const published = statuses.filter((s) => s === "PUBLISHED").length;
  const failed = statuses.filter((s) => s === "FAILED").length;
  return published === 0 ? "FAILED" : failed === 0 ? "PUBLISHED" : "PARTIALLY_PUBLISHED";
}

const ACTION: Partial<Record<PostStatus, PostAction>> = {
  PUBLISHING: "startPublishing",
  PUBLISHED: "published",
  PARTIALLY_PUBLISHED: "partiallyPublished",
  FAILED: "failed",
  NEEDS_ATTENTION: "needsAttention",
};

export async function settlePostStatus(deps: SettleDeps, changed: Delivery, by: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    const post = await deps.posts.get(changed.tenantId, changed.postId);
    if (!post || !FOLLOWS_DELIVERIES.has(post.status)) return;
    const deliveries = await Promise.all(
      post.deliveryIds.map((id) => (id === changed.id ? changed : deps.deliveries.get(post.tenantId, id))),
    );
    const status = aggregateStatus(deliveries.map((d) => d?.status ?? "CANCELLED"));
    if (status === post.status) return;
    const at = deps.now().toISOString();
    const history = [...post.history];
    let from = post.status;
    // SCHEDULED goes through PUBLISHING, so the history shows when publishing began.
    if (from === "SCHEDULED" && status !== "PUBLISHING") {
      history.push({ at, by, action: "startPublishing", from, to: "PUBLISHING" });
      from = "PUBLISHING";
    }
    history.push({ at, by, action: ACTION[status] ?? status, from, to: status });
    const next: Post = { ...post, status, version: post.version + 1, history, updatedAt: at };
    try {
      await deps.posts.replace(next, post.version);
      return;
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
    }
  }
  deps.log.warn("post status not updated after repeated conflicts", { postId: changed.postId });
}

/** The port the publishing context uses for posts' items (plugged in by its wiring). */
export function postsForPublishing(deps: SettleDeps): PostsForPublishing {
  return {
    deliveries: {
      get: (tenantId, id) => deps.deliveries.get(tenantId, id),
      replace: (next, expectedVersion, fromStatuses) =>
        deps.deliveries.replace(next, expectedVersion, fromStatuses),
      appendLedger,
    },
    posts: {
      get: (tenantId, id) => deps.posts.get(tenantId, id),
      settle: (changed, by) => settlePostStatus(deps, changed, by),
    },
  };
}
