/**
 * The ports the publish use case depends on. Adapters in `../adapters/` implement them with
 * SQS, EventBridge, EventBridge Scheduler, the token vault and the provider clients; posts'
 * items come through the port the posts context implements (`PostsForPublishing`). Unit
 * tests pass in-memory fakes.
 */
import type { PublishableTarget } from "../../connections/use-cases/ports.js";
import type { Delivery, Post, PostsForPublishing } from "../../posts/use-cases/ports.js";
import type { StepInput } from "../../providers/publisher.js";
import type { Admission, BreakerOutcome, BreakerTransition } from "../domain/breaker.js";
import type { ProviderName, StoredProviderError, VersionSettings } from "../domain/provider-errors.js";
import type { PublishState, StepOutcome } from "../domain/publish-state.js";
import type { RetryPolicy } from "../domain/retry-policy.js";

/** The worker's lease on a delivery: who claimed it from which message, until when. */
export type Lease = NonNullable<Delivery["lease"]>;

/**
 * A delivery as the worker sees it: the posts context's Delivery (which holds the stored
 * `lease`, `handoff`, `lastError`, `nextAttemptAt`, `deadLetter`, `publishedAt`) with its step
 * state parsed (`PublishStateSchema`).
 */
export interface PublishingDelivery extends Delivery {
  readonly publishing?: PublishState;
}

/** A target resolved for publishing: where, as whom, with which token (the connections port's answer). */
export type ResolvedTarget = PublishableTarget;

export interface TargetResolver {
  resolve(tenantId: string, targetId: string): Promise<ResolvedTarget | undefined>;
  /** Take the target's connection out of service (NEEDS_REAUTH) with a reconnect action. */
  markNeedsReauth(tenantId: string, connectionId: string, why: string, reason: string): Promise<void>;
}

/** Runs one publishing step against a provider and reports the usage headers it saw. */
export interface PublisherPort {
  step(
    provider: ProviderName,
    input: StepInput,
    state: PublishState,
  ): Promise<{ outcome: StepOutcome; usage?: UsageReport } | { error: unknown; usage?: UsageReport }>;
}

/** Usage readings from the provider's headers, per breaker scope. */
export interface UsageReport {
  readonly app?: BreakerOutcome["usage"];
  readonly target?: BreakerOutcome["usage"];
  /** Meta's `estimated_time_to_regain_access`, as a time. */
  readonly regainAt?: Date;
}

export interface BreakerPort {
  admit(
    provider: ProviderName,
    externalId: string,
  ): Promise<{ admission: Admission; transitions: readonly BreakerTransition[] }>;
  record(
    provider: ProviderName,
    scope: "app" | "target",
    externalId: string,
    outcome: BreakerOutcome,
  ): Promise<readonly BreakerTransition[]>;
}

/** The publish queue: send the next message for a delivery (with a delay). */
export interface PublishQueue {
  send(input: {
    tenantId: string;
    deliveryId: string;
    version: number;
    delaySeconds: number;
    correlationId: string;
  }): Promise<void>;
}

/** Reschedule a delivery through EventBridge Scheduler (long waits). */
export interface Rescheduler {
  at(delivery: Delivery, at: Date, correlationId: string): Promise<void>;
}

export interface PublishEvents {
  published(d: PublishingDelivery, correlationId: string): Promise<void>;
  failed(d: PublishingDelivery, error: StoredProviderError, correlationId: string): Promise<void>;
}

export interface PublishMetrics {
  outcome(
    provider: ProviderName,
    outcome: "published" | "failed" | "retry" | "rescheduled" | "dead_letter" | "dropped",
    errorClass?: string,
  ): void;
  lag(provider: ProviderName, ms: number): void;
  attempts(provider: ProviderName, n: number): void;
  breaker(provider: ProviderName, t: BreakerTransition): void;
}

export interface PublishLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface PublishDeps {
  /** Posts' items, through the port the posts context implements (`postsForPublishing`). */
  readonly deliveries: PostsForPublishing["deliveries"];
  readonly posts: PostsForPublishing["posts"];
  readonly targets: TargetResolver;
  readonly publisher: PublisherPort;
  readonly breaker: BreakerPort;
  readonly queue: PublishQueue;
  readonly rescheduler: Rescheduler;
  readonly events: PublishEvents;
  readonly metrics: PublishMetrics;
  readonly log: PublishLogger;
  readonly now: () => Date;
  readonly random?: () => number;
  /** Per-provider retry policies (defaults: RETRY_POLICIES). */
  readonly policies?: Partial<Record<ProviderName, RetryPolicy>>;
  /** How long a claim holds (must exceed the function timeout, stay under the queue visibility). */
  readonly leaseMs: number;
  /** Steps run in one invocation before the rest is re-enqueued. */
  readonly maxStepsPerRun?: number;
  /** The deployed names of the provider version settings, for the messages that name them. */
  readonly versionSettings?: VersionSettings;
}

export type { Post };
