/**
 * Scheduling use cases: schedule a post, reschedule or cancel one delivery or all of a post's.
 *   handler → these functions → DeliveryStore + PostStore (DynamoDB, transaction)
 *                             → ScheduleGateway (EventBridge Scheduler, one at() per delivery)
 *
 * Order of writes (see docs/posting.md): the deliveries and the post's new status are written
 * first, in one transaction; the schedules are created after. A schedule can therefore never
 * fire for a delivery that does not exist. If creating a schedule fails, the use case
 * compensates — removes the schedules it made, cancels the new deliveries and puts the post
 * back — and fails, so the client can retry (with the same Idempotency-Key).
 */
import type { DeliveryStatus } from "../../../schemas/api/deliveries.js";
import type { RescheduleBody, ScheduleBody } from "../../../schemas/api/posts.js";
import type { Target } from "../../connections/use-cases/ports.js";
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from "../../platform/errors.js";
import { appendLedger, type Delivery, type Post, scheduleNameFor } from "../domain/post.js";
import { checkPost, hasErrors, mediaUrls } from "../domain/rules.js";
import { parseLocal, resolveLocal } from "../domain/time.js";
import { deliveryFromStates } from "../domain/transitions.js";
import { settlePostStatus } from "./aggregate.js";
import { type Actor, type PostsDeps, WriteConflict } from "./ports.js";
import { appendHistory, historyEntry, loadPost } from "./posts.js";
import { IllegalTransitionError, nextDeliveryStatus, nextPostStatus } from "./transitions.js";

export interface When {
  /** UTC ISO-8601. */
  readonly publishAt: string;
  readonly timeZone: string;
  /** The local time fell into a DST gap and was moved forward. */
  readonly adjusted: boolean;
}

/** Turn `publishAt` or `{localTime, timeZone}` into a UTC instant within the allowed window. */
export function resolveWhen(
  body: Pick<ScheduleBody, "publishAt" | "localTime" | "timeZone">,
  defaultTimeZone: string,
  now: Date,
  limits: PostsDeps["limits"],
): When {
  const given = [body.publishAt, body.localTime].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new ValidationError([
      {
        path: "body.publishAt",
        code: "when_required",
        message: "Give exactly one of publishAt (ISO-8601 with offset) or localTime with timeZone.",
      },
    ]);
  }
  const timeZone = body.timeZone ?? defaultTimeZone;
  let epochMs: number;
  let adjusted = false;
  let path = "body.publishAt";
  if (body.publishAt !== undefined) {
    epochMs = Date.parse(body.publishAt);
  } else {
    path = "body.localTime";
    const local = parseLocal(body.localTime ?? "");
    if (!local) {
      throw new ValidationError([
        { path, code: "invalid_local_time", message: "localTime is not a real date and time." },
      ]);
    }
    const resolved = resolveLocal(local, timeZone);
    epochMs = resolved.epochMs;
    adjusted = resolved.adjusted;
  }
  // Whole seconds: the Scheduler's at() has no fractions, and the stored time must be the fired one.
  epochMs = Math.ceil(epochMs / 1000) * 1000;
  const earliest = now.getTime() + limits.minLeadSeconds * 1000;
  const latest = now.getTime() + limits.horizonDays * 86_400_000;
  if (!Number.isFinite(epochMs) || epochMs < earliest) {
    throw new ValidationError([
      {
        path,
        code: "too_soon",
        message: `Schedule at least ${limits.minLeadSeconds} seconds ahead (earliest ${new Date(earliest).toISOString()}).`,
      },
    ]);
  }
  if (epochMs > latest) {
    throw new ValidationError([
      { path, code: "too_far", message: `Schedule at most ${limits.horizonDays} days ahead.` },
    ]);
  }
  return { publishAt: new Date(epochMs).toISOString(), timeZone, adjusted };
}

const ledger = (at: string, event: string, status: DeliveryStatus, by: string, detail?: string) => ({
  at,
  event,
  status,
  by,
  ...(detail ? { detail } : {}),
});

export interface ScheduleResult {
  readonly post: Post;
  readonly deliveries: readonly Delivery[];
  readonly adjusted: boolean;
}

export async function schedulePost(
  deps: PostsDeps,
  actor: Actor,
  id: string,
  body: ScheduleBody,
  correlationId: string,
): Promise<ScheduleResult> {
  const post = await loadPost(deps, actor, id);
  const settings = await deps.settings.get(actor.tenantId);
  const to = nextPostStatus(post.status, "schedule", { approvalRequired: settings.approvalRequired });
  const targetIds = body.targetIds ? [...new Set(body.targetIds)] : [...post.targetIds];
  const outside = targetIds.filter((t) => !post.targetIds.includes(t));
  if (outside.length > 0) {
    throw new ValidationError(
      outside.map((t) => ({
        path: "body.targetIds",
        code: "target_not_in_post",
        message: `Target ${t} is not one of this post's targets.`,
      })),
    );
  }
  const when = resolveWhen(body, settings.defaultTimeZone, deps.now(), deps.limits);

  const targets = new Map<string, Target | undefined>();
  await Promise.all(
    targetIds.map(async (t) => targets.set(t, await deps.targets.getTarget(actor.tenantId, t))),
  );
  const shape = { ...post, targetIds };
  const issues = checkPost({ post: shape, targets, media: await deps.media.inspect(mediaUrls(shape)) });
  if (hasErrors(issues)) {
    throw new UnprocessableError(
      "The post cannot be published as it is; fix the issues and schedule again.",
      {
        code: "post_invalid",
        issues,
      },
    );
  }

  const at = deps.now().toISOString();
  const deliveries: Delivery[] = targetIds.map((targetId) => {
    const id = deps.newId("dlv");
    return {
      tenantId: actor.tenantId,
      id,
      postId: post.id,
      targetId,
      platform: (targets.get(targetId) as Target).platform,
      status: "SCHEDULED",
      version: 1,
      publishAt: when.publishAt,
      timeZone: when.timeZone,
      scheduleName: scheduleNameFor(id),
      ledger: [
        ledger(
          at,
          "scheduled",
          "SCHEDULED",
          actor.userId,
          when.adjusted ? "local time moved forward out of a DST gap" : undefined,
        ),
      ],
      createdAt: at,
      updatedAt: at,
    };
  });
  const next: Post = {
    ...post,
    status: to,
    version: post.version + 1,
    deliveryIds: [...post.deliveryIds, ...deliveries.map((d) => d.id)],
    updatedAt: at,
    history: appendHistory(
      post,
      historyEntry(at, actor.userId, "schedule", post.status, to, `publishAt ${when.publishAt}`),
    ),
  };
  try {
    await deps.deliveries.createWithPost(deliveries, next, post.version);
  } catch (error) {
    if (error instanceof WriteConflict) {
      throw new ConflictError("The post changed while it was being scheduled; read it again and retry.");
    }
    throw error;
  }

  const created: Delivery[] = [];
  try {
    for (const d of deliveries) {
      await deps.schedules.upsert(d, correlationId);
      created.push(d);
    }
  } catch (error) {
    await compensate(deps, actor, next, post, deliveries, created);
    throw error;
  }
  return { post: next, deliveries, adjusted: when.adjusted };
}

/** Undo a half-made schedule: remove schedules, cancel the new deliveries, restore the post. */
async function compensate(
  deps: PostsDeps,
  actor: Actor,
  scheduled: Post,
  before: Post,
  deliveries: readonly Delivery[],
  created: readonly Delivery[],
) {
  const at = deps.now().toISOString();
  const removed = await Promise.allSettled(created.map((d) => deps.schedules.remove(d)));
  removed.forEach((r, i) => {
    // The delivery is cancelled below, so a firing of this schedule is dropped by the worker.
    if (r.status === "rejected")
      deps.log.warn("schedule not removed after a failed schedule", {
        deliveryId: created[i]?.id,
        error: errorText(r.reason),
      });
  });
  const cancelled = await Promise.allSettled(
    deliveries.map((d) =>
      deps.deliveries.replace(
        {
          ...d,
          status: "CANCELLED",
          version: d.version + 1,
          updatedAt: at,
          ledger: appendLedger(
            d.ledger,
            ledger(at, "schedule-failed", "CANCELLED", "herald", "the schedule could not be created"),
          ),
        },
        d.version,
        ["SCHEDULED"],
      ),
    ),
  );
  cancelled.forEach((r, i) => {
    // A lost conditional write means the delivery moved on already (it is not left SCHEDULED).
    if (r.status === "rejected" && !(r.reason instanceof WriteConflict))
      deps.log.warn("delivery not cancelled after a failed schedule", {
        deliveryId: deliveries[i]?.id,
        error: errorText(r.reason),
      });
  });
  try {
    await deps.posts.replace(
      {
        ...before,
        version: scheduled.version + 1,
        updatedAt: at,
        deliveryIds: scheduled.deliveryIds,
        history: appendHistory(
          scheduled,
          historyEntry(at, actor.userId, "schedule-failed", scheduled.status, before.status),
        ),
      },
      scheduled.version,
    );
  } catch (error) {
    // Someone changed the post meanwhile: theirs is the newer state, leave it.
    if (error instanceof WriteConflict) return;
    deps.log.warn("post not restored after a failed schedule", {
      postId: before.id,
      tenantId: actor.tenantId,
      error: errorText(error),
    });
  }
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function loadDelivery(deps: PostsDeps, actor: Actor, id: string): Promise<Delivery> {
  const d = await deps.deliveries.get(actor.tenantId, id);
  if (!d) throw new NotFoundError(`No delivery ${id}.`);
  return d;
}

/** A lost conditional write on a delivery: 409 naming the state it is in now. */
async function deliveryConflict(
  deps: PostsDeps,
  actor: Actor,
  id: string,
  action: string,
  error: unknown,
): Promise<never> {
  if (!(error instanceof WriteConflict)) throw error;
  const now = await loadDelivery(deps, actor, id);
  throw new IllegalTransitionError(
    "delivery",
    now.status,
    action,
    `The delivery changed meanwhile and is now ${now.status} (version ${now.version}); cannot ${action} it.`,
  );
}

export async function rescheduleDelivery(
  deps: PostsDeps,
  actor: Actor,
  id: string,
  body: RescheduleBody,
  correlationId: string,
): Promise<Delivery> {
  const d = await loadDelivery(deps, actor, id);
  const status = nextDeliveryStatus(d.status, "reschedule");
  const when = resolveWhen(body, body.timeZone ?? d.timeZone, deps.now(), deps.limits);
  const next = await applyReschedule(deps, actor, d, status, when, correlationId);
  // A dead-lettered delivery moved on: its post no longer needs attention for it.
  if (d.status === "NEEDS_ATTENTION") await settlePublishingPost(deps, actor, next, "rescheduled");
  return next;
}

/** A post that follows its deliveries (publishing, needs attention) is settled again; best effort. */
async function settlePublishingPost(deps: PostsDeps, actor: Actor, changed: Delivery, what: string) {
  try {
    await settlePostStatus(deps, changed, actor.userId);
  } catch (error) {
    deps.log.warn(`post not settled after its delivery was ${what}`, {
      postId: changed.postId,
      tenantId: actor.tenantId,
      error: errorText(error),
    });
  }
}

async function applyReschedule(
  deps: PostsDeps,
  actor: Actor,
  d: Delivery,
  status: DeliveryStatus,
  when: When,
  correlationId: string,
): Promise<Delivery> {
  const at = deps.now().toISOString();
  const next: Delivery = {
    ...d,
    status,
    // The version travels in the schedule's PublishRequested: a firing of the old schedule is stale.
    version: d.version + 1,
    publishAt: when.publishAt,
    timeZone: when.timeZone,
    // A new time replaces any next attempt the worker had planned, and ends a dead-letter episode.
    nextAttemptAt: undefined,
    deadLetter: undefined,
    updatedAt: at,
    ledger: appendLedger(
      d.ledger,
      ledger(at, "rescheduled", status, actor.userId, `publishAt ${when.publishAt}`),
    ),
  };
  try {
    await deps.deliveries.replace(next, d.version, deliveryFromStates("reschedule"));
  } catch (error) {
    return deliveryConflict(deps, actor, d.id, "reschedule", error);
  }
  // UpdateSchedule is a full replace (or a create when the old one already fired and was deleted).
  // If this fails the call fails: the old schedule's message carries the old version and is dropped,
  // so retrying the reschedule is safe.
  await deps.schedules.upsert(next, correlationId);
  return next;
}

export async function cancelDelivery(deps: PostsDeps, actor: Actor, id: string): Promise<Delivery> {
  const d = await loadDelivery(deps, actor, id);
  const cancelled = await applyCancel(deps, actor, d);
  await settlePostAfterCancel(deps, actor, cancelled);
  return cancelled;
}

/**
 * When the last live delivery of a SCHEDULED post is cancelled, the post is CANCELLED too; a
 * post that is publishing or needs attention follows the aggregate rule (best effort: the
 * delivery is cancelled either way).
 */
async function settlePostAfterCancel(deps: PostsDeps, actor: Actor, cancelled: Delivery) {
  const postId = cancelled.postId;
  const post = await deps.posts.get(actor.tenantId, postId);
  if (post?.status === "PUBLISHING" || post?.status === "NEEDS_ATTENTION") {
    await settlePublishingPost(deps, actor, cancelled, "cancelled");
    return;
  }
  if (post?.status !== "SCHEDULED") return;
  const all = await postDeliveries(deps, actor, post);
  if (all.length === 0 || !all.every((d) => d.status === "CANCELLED")) return;
  try {
    await touchPost(deps, actor, post, "cancel", "CANCELLED");
  } catch (error) {
    // The post changed meanwhile (touchPost's named conflict): leave it, the delivery is cancelled.
    if (error instanceof ConflictError) return;
    // The delivery is cancelled either way; the post stays SCHEDULED until someone acts on it.
    deps.log.warn("post not settled after its last delivery was cancelled", {
      postId,
      tenantId: actor.tenantId,
      error: errorText(error),
    });
  }
}

async function applyCancel(deps: PostsDeps, actor: Actor, d: Delivery): Promise<Delivery> {
  const status = nextDeliveryStatus(d.status, "cancel");
  const at = deps.now().toISOString();
  const next: Delivery = {
    ...d,
    status,
    version: d.version + 1,
    updatedAt: at,
    ledger: appendLedger(d.ledger, ledger(at, "cancelled", status, actor.userId)),
  };
  try {
    // Conditional on status and version: the worker's claim changes both, so exactly one wins.
    await deps.deliveries.replace(next, d.version, deliveryFromStates("cancel"));
  } catch (error) {
    return deliveryConflict(deps, actor, d.id, "cancel", error);
  }
  try {
    await deps.schedules.remove(next);
  } catch (error) {
    // The delivery is CANCELLED now, so a firing of the schedule is dropped by the worker; the
    // schedule itself deletes itself after firing. Worth a line, not a failed cancel.
    deps.log.warn("schedule not removed after a cancel", {
      deliveryId: next.id,
      scheduleName: next.scheduleName,
      error: errorText(error),
    });
  }
  return next;
}

async function postDeliveries(deps: PostsDeps, actor: Actor, post: Post): Promise<Delivery[]> {
  const all = await Promise.all(post.deliveryIds.map((id) => deps.deliveries.get(actor.tenantId, id)));
  return all.filter((d): d is Delivery => d !== undefined);
}

async function touchPost(
  deps: PostsDeps,
  actor: Actor,
  post: Post,
  action: "reschedule" | "cancel",
  status: Post["status"],
) {
  const at = deps.now().toISOString();
  const next: Post = {
    ...post,
    status,
    version: post.version + 1,
    updatedAt: at,
    history: appendHistory(post, historyEntry(at, actor.userId, action, post.status, status)),
  };
  try {
    await deps.posts.replace(next, post.version);
    return next;
  } catch (error) {
    if (error instanceof WriteConflict) {
      throw new ConflictError("The post changed meanwhile; read it again and retry.");
    }
    throw error;
  }
}

/** Reschedule every delivery of a post that can still move. */
export async function reschedulePost(
  deps: PostsDeps,
  actor: Actor,
  id: string,
  body: RescheduleBody,
  correlationId: string,
) {
  const post = await loadPost(deps, actor, id);
  const settings = await deps.settings.get(actor.tenantId);
  const status = nextPostStatus(post.status, "reschedule", settings);
  const movable = (await postDeliveries(deps, actor, post)).filter((d) =>
    deliveryFromStates("reschedule").includes(d.status),
  );
  if (movable.length === 0)
    throw new IllegalTransitionError(
      "post",
      post.status,
      "reschedule",
      "No delivery of this post can be rescheduled.",
    );
  const first = movable[0] as Delivery;
  const when = resolveWhen(body, body.timeZone ?? first.timeZone, deps.now(), deps.limits);
  const deliveries: Delivery[] = [];
  for (const d of movable)
    deliveries.push(
      await applyReschedule(deps, actor, d, nextDeliveryStatus(d.status, "reschedule"), when, correlationId),
    );
  return { post: await touchPost(deps, actor, post, "reschedule", status), deliveries };
}

/** Cancel every delivery of a post that has not started publishing; the post is CANCELLED when all are. */
export async function cancelPost(deps: PostsDeps, actor: Actor, id: string) {
  const post = await loadPost(deps, actor, id);
  const settings = await deps.settings.get(actor.tenantId);
  const cancelledStatus = nextPostStatus(post.status, "cancel", settings);
  const results: Delivery[] = [];
  for (const d of await postDeliveries(deps, actor, post)) {
    if (d.status === "CANCELLED" || !deliveryFromStates("cancel").includes(d.status)) {
      results.push(d);
      continue;
    }
    try {
      results.push(await applyCancel(deps, actor, d));
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      // Lost a race with the worker: report the delivery as it is now.
      results.push(await loadDelivery(deps, actor, d.id));
    }
  }
  const all = results.every((d) => d.status === "CANCELLED");
  if (!all && !results.some((d) => d.status === "CANCELLED")) {
    // Say what the deliveries are now (the worker may have claimed them since the post was read);
    // the post's own status is the old one until the worker settles it.
    const stuck = results.find((d) => d.status !== "CANCELLED") as Delivery;
    throw new IllegalTransitionError(
      "delivery",
      stuck.status,
      "cancel",
      `No delivery could be cancelled: ${results.map((d) => `${d.id} is ${d.status}`).join(", ")}.`,
      { deliveries: results.map((d) => ({ id: d.id, status: d.status, version: d.version })) },
    );
  }
  const updated = all ? await touchPost(deps, actor, post, "cancel", cancelledStatus) : post;
  return { post: updated, deliveries: results };
}
