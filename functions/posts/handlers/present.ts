/** API shapes of posts and deliveries (the stored entities minus internal fields). */
import type { DeliveryResponse, ScheduleResponse } from "../../../schemas/api/deliveries.js";
import type { PostResponse } from "../../../schemas/api/posts.js";
import { etagFor } from "../../platform/etag.js";
import { type Delivery, goesAt, type Post } from "../domain/post.js";
import { localDateTime } from "../domain/time.js";

export const presentPost = (p: Post): PostResponse => ({
  id: p.id,
  status: p.status,
  version: p.version,
  content: p.content,
  ...(p.variants ? { variants: p.variants } : {}),
  targetIds: [...p.targetIds],
  deliveryIds: [...p.deliveryIds],
  history: [...p.history],
  createdAt: p.createdAt,
  createdBy: p.createdBy,
  updatedAt: p.updatedAt,
});

export const postAnswer = (p: Post, statusCode = 200) => ({
  statusCode,
  headers: { etag: etagFor(p.version) },
  body: presentPost(p),
});

export const presentDelivery = (d: Delivery): DeliveryResponse => ({
  id: d.id,
  postId: d.postId,
  targetId: d.targetId,
  platform: d.platform,
  status: d.status,
  version: d.version,
  publishAt: d.publishAt,
  timeZone: d.timeZone,
  localTime: localDateTime(Date.parse(d.publishAt), d.timeZone),
  scheduleName: d.scheduleName,
  ledger: [...d.ledger],
  // Only while an attempt is pending; a dead-lettered delivery waits for an operator instead.
  ...(d.status === "SCHEDULED" || d.status === "RETRYING" ? { nextAttemptAt: goesAt(d) } : {}),
  ...(d.lastError
    ? {
        lastError: {
          class: d.lastError.class,
          code: d.lastError.code,
          message: d.lastError.message,
          action: d.lastError.action,
        },
      }
    : {}),
  ...(d.publishedAt ? { publishedAt: d.publishedAt } : {}),
  ...(d.providerPostId ? { providerPostId: d.providerPostId } : {}),
  ...(d.permalink ? { permalink: d.permalink } : {}),
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

export const scheduleAnswer = (
  post: Post,
  deliveries: readonly Delivery[],
  statusCode: number,
  adjusted?: boolean,
) => ({
  statusCode,
  headers: { etag: etagFor(post.version) },
  body: {
    postId: post.id,
    status: post.status,
    version: post.version,
    deliveries: deliveries.map(presentDelivery),
    ...(adjusted ? { localTimeAdjusted: true } : {}),
  } satisfies ScheduleResponse,
});
