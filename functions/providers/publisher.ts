/**
 * The provider-neutral contract of a publisher: what one publishing step gets (`StepInput`),
 * what it answers (`StepOutcome`, from the publishing state machine), and the failure a step
 * reports when the provider did not throw (`StepFailureError`). Meta (`meta/publishing.ts`,
 * split into `meta/facebook.ts` and `meta/instagram.ts`) and LinkedIn (`linkedin/publishing.ts`)
 * implement `Publisher`; the publish worker's `PublisherPort` runs them.
 */
import type { TargetKind } from "../connections/domain/target.js";
import type { ProviderFailure } from "../publishing/domain/provider-errors.js";
import type { PublishContent, PublishState, StepOutcome } from "../publishing/domain/publish-state.js";

/** What a publisher needs about the place it publishes to. */
export interface PublishTarget {
  readonly kind: TargetKind;
  /** Page id, IG user id, or LinkedIn author URN. */
  readonly externalId: string;
  /** Page token (Facebook and Instagram) or member token (LinkedIn). */
  readonly token: string;
}

export interface StepInput {
  readonly target: PublishTarget;
  readonly content: PublishContent;
  readonly now: Date;
}

/**
 * A step failure that is not a thrown `ProviderError` as such: an Instagram container in
 * ERROR, an answer without an id, or a provider error on one media item (the failure then
 * names the item).
 */
export class StepFailureError extends Error {
  constructor(
    readonly failure: ProviderFailure,
    /** The state to keep (e.g. the container forgotten, so a retry makes a new one). */
    readonly state?: PublishState,
    options?: { cause?: unknown },
  ) {
    super(failure.message ?? "publishing step failed", options);
    this.name = "StepFailureError";
  }
}

/** One provider's step function. */
export interface Publisher {
  step(input: StepInput, state: PublishState): Promise<StepOutcome>;
}
