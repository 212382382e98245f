/**
 * The state machines as the use cases use them: the domain's tables (`../domain/transitions.ts`)
 * with a refused move turned into the HTTP meaning, a 409 whose `currentStatus` names the state
 * (the domain itself knows nothing of HTTP).
 */

import type { DeliveryStatus } from "../../../schemas/api/deliveries.js";
import type { PostStatus } from "../../../schemas/api/posts.js";
import { ConflictError } from "../../platform/errors.js";
import {
  type DeliveryAction,
  nextDeliveryStatus as domainNextDelivery,
  nextPostStatus as domainNextPost,
  type PostAction,
  type PostPolicy,
  TransitionRefused,
} from "../domain/transitions.js";

/** 409: the move is not allowed from the entity's current state. */
export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly entity: "post" | "delivery",
    readonly current: string,
    readonly action: string,
    detail?: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? `Cannot ${action} a ${entity} that is ${current}.`, {
      currentStatus: current,
      action,
      ...extensions,
    });
  }
}

function answered<T>(move: () => T): T {
  try {
    return move();
  } catch (error) {
    if (error instanceof TransitionRefused)
      throw new IllegalTransitionError(error.entity, error.current, error.action, error.message);
    throw error;
  }
}

/** The post's status after `action`, or IllegalTransitionError (409). */
export const nextPostStatus = (current: PostStatus, action: PostAction, policy: PostPolicy): PostStatus =>
  answered(() => domainNextPost(current, action, policy));

/** The delivery's status after `action`, or IllegalTransitionError (409). */
export const nextDeliveryStatus = (current: DeliveryStatus, action: DeliveryAction): DeliveryStatus =>
  answered(() => domainNextDelivery(current, action));
