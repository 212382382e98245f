/** The transition matrix: every (state, action) pair is either the listed move or a 409 naming the state. */
import { describe, expect, it } from "vitest";
import {
  DELIVERY_TRANSITIONS,
  type DeliveryAction,
  deliveryFromStates,
  nextDeliveryStatus,
  nextPostStatus,
  POST_TRANSITIONS,
  type PostAction,
  TransitionRefused,
} from "../../../functions/posts/domain/transitions.js";
import * as answered from "../../../functions/posts/use-cases/transitions.js";
import { DELIVERY_STATUSES } from "../../../schemas/api/deliveries.js";
import { POST_STATUSES } from "../../../schemas/api/posts.js";

const POST_ACTIONS: PostAction[] = [
  "edit",
  "submit",
  "approve",
  "reject",
  "schedule",
  "reschedule",
  "cancel",
  "delete",
  "startPublishing",
  "published",
  "partiallyPublished",
  "failed",
  "needsAttention",
];
const DELIVERY_ACTIONS: DeliveryAction[] = [
  "claim",
  "reschedule",
  "cancel",
  "block",
  "unblock",
  "succeed",
  "retry",
  "fail",
  "deadLetter",
];

/** The expected legal moves, written out independently of the table. */
const LEGAL_POST: Record<string, string> = {
  "DRAFT edit": "DRAFT",
  "DRAFT submit": "PENDING_APPROVAL",
  "DRAFT schedule": "SCHEDULED",
  "DRAFT delete": "DRAFT",
  "PENDING_APPROVAL edit": "PENDING_APPROVAL",
  "PENDING_APPROVAL approve": "APPROVED",
  "PENDING_APPROVAL reject": "REJECTED",
  "PENDING_APPROVAL delete": "PENDING_APPROVAL",
  "APPROVED edit": "APPROVED",
  "APPROVED schedule": "SCHEDULED",
  "APPROVED delete": "APPROVED",
  "REJECTED edit": "DRAFT",
  "REJECTED submit": "PENDING_APPROVAL",
  "REJECTED delete": "REJECTED",
  "SCHEDULED reschedule": "SCHEDULED",
  "SCHEDULED cancel": "CANCELLED",
  "SCHEDULED startPublishing": "PUBLISHING",
  "PUBLISHING published": "PUBLISHED",
  "PUBLISHING partiallyPublished": "PARTIALLY_PUBLISHED",
  "PUBLISHING failed": "FAILED",
  "PUBLISHING needsAttention": "NEEDS_ATTENTION",
  "NEEDS_ATTENTION startPublishing": "PUBLISHING",
  "NEEDS_ATTENTION published": "PUBLISHED",
  "NEEDS_ATTENTION partiallyPublished": "PARTIALLY_PUBLISHED",
  "NEEDS_ATTENTION failed": "FAILED",
  "CANCELLED edit": "DRAFT",
  "CANCELLED delete": "CANCELLED",
};

describe("post transitions (approval not required)", () => {
  for (const status of POST_STATUSES) {
    for (const action of POST_ACTIONS) {
      const expected = LEGAL_POST[`${status} ${action}`];
      it(`${status} --${action}--> ${expected ?? "409"}`, () => {
        if (expected) {
          expect(nextPostStatus(status, action, { approvalRequired: false })).toBe(expected);
        } else {
          let error: unknown;
          try {
            nextPostStatus(status, action, { approvalRequired: false });
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(TransitionRefused);
          expect((error as TransitionRefused).current).toBe(status);
          expect((error as Error).message).toContain(status);
        }
      });
    }
  }
});

describe("post transitions that depend on the approval policy", () => {
  it("an edit after approval goes back to PENDING_APPROVAL when approval is required", () => {
    expect(nextPostStatus("APPROVED", "edit", { approvalRequired: true })).toBe("PENDING_APPROVAL");
    expect(nextPostStatus("APPROVED", "edit", { approvalRequired: false })).toBe("APPROVED");
  });
  it("a draft cannot be scheduled when approval is required, an approved post can", () => {
    expect(() => nextPostStatus("DRAFT", "schedule", { approvalRequired: true })).toThrow(TransitionRefused);
    expect(nextPostStatus("APPROVED", "schedule", { approvalRequired: true })).toBe("SCHEDULED");
  });
  it("the table has an entry for every status", () => {
    expect(Object.keys(POST_TRANSITIONS).sort()).toEqual([...POST_STATUSES].sort());
  });
});

const LEGAL_DELIVERY: Record<string, string> = {
  "SCHEDULED claim": "PUBLISHING",
  "SCHEDULED reschedule": "SCHEDULED",
  "SCHEDULED cancel": "CANCELLED",
  "SCHEDULED block": "BLOCKED",
  "PUBLISHING succeed": "PUBLISHED",
  "PUBLISHING retry": "RETRYING",
  "PUBLISHING fail": "FAILED",
  "PUBLISHING block": "BLOCKED",
  "PUBLISHING deadLetter": "NEEDS_ATTENTION",
  "NEEDS_ATTENTION claim": "PUBLISHING",
  "NEEDS_ATTENTION reschedule": "SCHEDULED",
  "NEEDS_ATTENTION cancel": "CANCELLED",
  "NEEDS_ATTENTION block": "BLOCKED",
  "RETRYING claim": "PUBLISHING",
  "RETRYING reschedule": "SCHEDULED",
  "RETRYING cancel": "CANCELLED",
  "RETRYING block": "BLOCKED",
  "BLOCKED unblock": "SCHEDULED",
  "BLOCKED reschedule": "SCHEDULED",
  "BLOCKED cancel": "CANCELLED",
  "FAILED reschedule": "SCHEDULED",
};

describe("delivery transitions", () => {
  for (const status of DELIVERY_STATUSES) {
    for (const action of DELIVERY_ACTIONS) {
      const expected = LEGAL_DELIVERY[`${status} ${action}`];
      it(`${status} --${action}--> ${expected ?? "409"}`, () => {
        if (expected) expect(nextDeliveryStatus(status, action)).toBe(expected);
        else expect(() => nextDeliveryStatus(status, action)).toThrow(new RegExp(status));
      });
    }
  }
  it("PUBLISHED, CANCELLED are terminal", () => {
    expect(DELIVERY_TRANSITIONS.PUBLISHED).toEqual({});
    expect(DELIVERY_TRANSITIONS.CANCELLED).toEqual({});
  });
  it("cancel and claim leave SCHEDULED alike, so only one of them can win a conditional write", () => {
    expect(deliveryFromStates("cancel")).toContain("SCHEDULED");
    expect(deliveryFromStates("claim")).toContain("SCHEDULED");
    expect(deliveryFromStates("cancel")).not.toContain("PUBLISHING");
  });
});

describe("the use cases' view: a refused move is a 409 naming the current state", () => {
  it("post: IllegalTransitionError with statusCode 409, currentStatus and the domain's sentence", () => {
    let error: unknown;
    try {
      answered.nextPostStatus("DRAFT", "schedule", { approvalRequired: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(answered.IllegalTransitionError);
    expect(error).toMatchObject({
      statusCode: 409,
      extensions: { currentStatus: "DRAFT", action: "schedule" },
      message: expect.stringMatching(/requires approval/),
    });
  });
  it("delivery: the same", () => {
    expect(() => answered.nextDeliveryStatus("PUBLISHED", "cancel")).toThrow(answered.IllegalTransitionError);
    expect(answered.nextDeliveryStatus("NEEDS_ATTENTION", "claim")).toBe("PUBLISHING");
  });
});
