/**
 * The state machines of posts and deliveries as data. Use cases ask `nextPostStatus` /
 * `nextDeliveryStatus` for the target state, and repositories turn `deliveryFromStates`
 * into a condition expression, so the rule is checked again atomically at write time.
 * An illegal move is a `TransitionRefused` (the use cases answer 409 naming the current state).
 */
import { DELIVERY_STATUSES, type DeliveryStatus } from "../../../schemas/entities/deliveries.js";
import { POST_STATUSES, type PostStatus } from "../../../schemas/entities/posts.js";

export type PostAction =
  | "edit"
  | "submit"
  | "approve"
  | "reject"
  | "schedule"
  | "reschedule"
  | "cancel"
  | "delete"
  | "startPublishing"
  | "published"
  | "partiallyPublished"
  | "failed"
  | "needsAttention";

/**
 * Post transitions. `edit` of an APPROVED post depends on the tenant's approval setting
 * (back to PENDING_APPROVAL when approval is required) — see `nextPostStatus`.
 * `schedule` from DRAFT is allowed only when approval is not required.
 */
export const POST_TRANSITIONS: Readonly<Record<PostStatus, Partial<Record<PostAction, PostStatus>>>> = {
  DRAFT: { edit: "DRAFT", submit: "PENDING_APPROVAL", schedule: "SCHEDULED", delete: "DRAFT" },
  PENDING_APPROVAL: {
    edit: "PENDING_APPROVAL",
    approve: "APPROVED",
    reject: "REJECTED",
    delete: "PENDING_APPROVAL",
  },
  APPROVED: { edit: "PENDING_APPROVAL", schedule: "SCHEDULED", delete: "APPROVED" },
  REJECTED: { edit: "DRAFT", submit: "PENDING_APPROVAL", delete: "REJECTED" },
  SCHEDULED: {
    reschedule: "SCHEDULED",
    cancel: "CANCELLED",
    startPublishing: "PUBLISHING",
  },
  PUBLISHING: {
    published: "PUBLISHED",
    partiallyPublished: "PARTIALLY_PUBLISHED",
    failed: "FAILED",
    needsAttention: "NEEDS_ATTENTION",
  },
  // A delivery was dead-lettered; a replay (or a reschedule/cancel of that delivery) moves it on.
  NEEDS_ATTENTION: {
    startPublishing: "PUBLISHING",
    published: "PUBLISHED",
    partiallyPublished: "PARTIALLY_PUBLISHED",
    failed: "FAILED",
  },
  PUBLISHED: {},
  PARTIALLY_PUBLISHED: {},
  FAILED: {},
  CANCELLED: { edit: "DRAFT", delete: "CANCELLED" },
};

/**
 * A move the state machine does not allow. A domain error (no HTTP here): the use cases turn it
 * into a 409 naming the current state (`use-cases/transitions.ts`).
 */
export class TransitionRefused extends Error {
  constructor(
    readonly entity: "post" | "delivery",
    readonly current: string,
    readonly action: string,
    detail?: string,
  ) {
    super(detail ?? `Cannot ${action} a ${entity} that is ${current}.`);
    this.name = "TransitionRefused";
  }
}

export interface PostPolicy {
  readonly approvalRequired: boolean;
}

/** The status after `action`, or IllegalTransitionError. */
export function nextPostStatus(current: PostStatus, action: PostAction, policy: PostPolicy): PostStatus {
  const next = POST_TRANSITIONS[current][action];
  if (next === undefined) throw new TransitionRefused("post", current, action);
  if (action === "schedule" && current === "DRAFT" && policy.approvalRequired) {
    throw new TransitionRefused(
      "post",
      current,
      action,
      "This tenant requires approval: submit the post and have an admin approve it before scheduling.",
    );
  }
  if (action === "edit" && current === "APPROVED" && !policy.approvalRequired) return "APPROVED";
  return next;
}

/** Post statuses from which `action` is legal (ignoring the approval policy). */
export const postFromStates = (action: PostAction): PostStatus[] =>
  POST_STATUSES.filter((s) => POST_TRANSITIONS[s][action] !== undefined);

export type DeliveryAction =
  | "claim"
  | "reschedule"
  | "cancel"
  | "block"
  | "unblock"
  | "succeed"
  | "retry"
  | "fail"
  | "deadLetter";

/**
 * Delivery transitions. `claim` is the publish worker's lease (conditional on status and
 * version); `cancel` and `claim` both leave SCHEDULED, so a cancel racing a firing ends in
 * exactly one of CANCELLED or PUBLISHING→PUBLISHED.
 */
export const DELIVERY_TRANSITIONS: Readonly<
  Record<DeliveryStatus, Partial<Record<DeliveryAction, DeliveryStatus>>>
> = {
  SCHEDULED: { claim: "PUBLISHING", reschedule: "SCHEDULED", cancel: "CANCELLED", block: "BLOCKED" },
  PUBLISHING: {
    succeed: "PUBLISHED",
    retry: "RETRYING",
    fail: "FAILED",
    block: "BLOCKED",
    deadLetter: "NEEDS_ATTENTION",
  },
  RETRYING: { claim: "PUBLISHING", reschedule: "SCHEDULED", cancel: "CANCELLED", block: "BLOCKED" },
  BLOCKED: { unblock: "SCHEDULED", reschedule: "SCHEDULED", cancel: "CANCELLED" },
  // Dead-lettered: a replay of its message claims it again; an admin may reschedule or cancel it.
  NEEDS_ATTENTION: { claim: "PUBLISHING", reschedule: "SCHEDULED", cancel: "CANCELLED", block: "BLOCKED" },
  PUBLISHED: {},
  FAILED: { reschedule: "SCHEDULED" },
  CANCELLED: {},
};

export function nextDeliveryStatus(current: DeliveryStatus, action: DeliveryAction): DeliveryStatus {
  const next = DELIVERY_TRANSITIONS[current][action];
  if (next === undefined) throw new TransitionRefused("delivery", current, action);
  return next;
}

/** Delivery statuses from which `action` is legal (for condition expressions). */
export const deliveryFromStates = (action: DeliveryAction): DeliveryStatus[] =>
  DELIVERY_STATUSES.filter((s) => DELIVERY_TRANSITIONS[s][action] !== undefined);
