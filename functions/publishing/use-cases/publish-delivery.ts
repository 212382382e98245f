/**
 * Publish one delivery: the use case behind the publish worker, run once per
 * `PublishRequested` v1 message.
 *
 *   publish handler (SQS) → handlePublishRequested → ports: deliveries, posts (DynamoDB),
 *   targets (connections + token vault), breaker (DynamoDB), publisher (Meta / LinkedIn),
 *   queue (SQS), rescheduler (EventBridge Scheduler), events (EventBridge), metrics, log.
 *
 * 1. Load the delivery (tenant-scoped). Drop the message, with a log line, when the delivery is
 *    gone, finished, cancelled or blocked, when the message is stale (another version), or when
 *    another worker holds its lease.
 * 2. Claim it: a Put conditional on status and version writes PUBLISHING, version + 1 and a lease.
 *    A redelivery of the claiming message may take over once the lease lapsed: that attempt
 *    did not finish, so the state is marked uncertain and the publisher asks the provider what
 *    already happened before acting again.
 * 3. Resolve the target and its token; check the circuit breaker (wait, never fail, while open).
 * 4. Run steps of the per-delivery state machine, writing the state and a ledger line after
 *    every one. `wait` outcomes re-enqueue (short) or reschedule (long); failures are classified
 *    by the one error table and handled per the provider's retry policy.
 * 5. Record the provider id and permalink, emit DeliveryPublished / DeliveryFailed, update the
 *    post's aggregate status.
 *
 * No AWS, middy or aws-lambda imports here.
 */
import { TargetUnusableError } from "../../platform/unusable-target.js";
import { WriteConflict } from "../../platform/write-conflict.js";
import type { DeliveryError } from "../../posts/use-cases/ports.js";
import { failureFromProviderError, ProviderError } from "../../providers/errors.js";
import { StepFailureError } from "../../providers/publisher.js";
import { type BreakerTransition, breakerOutcomeOf, DEFAULT_BREAKER_CONFIG } from "../domain/breaker.js";
import {
  type ClassifiedError,
  classifyProviderError,
  type ProviderFailure,
  type ProviderName,
  type StoredProviderError,
  toStoredError,
} from "../domain/provider-errors.js";
import {
  contentFor,
  contentHash,
  initialPublishState,
  type PublishState,
  parsePublishState,
} from "../domain/publish-state.js";
import { decideRetry, planWait, RETRY_POLICIES, type RetryPolicy } from "../domain/retry-policy.js";
import type { PublishDeps, PublishingDelivery, ResolvedTarget, UsageReport } from "./ports.js";

export interface PublishMessage {
  readonly tenantId: string;
  readonly deliveryId: string;
  readonly version: number;
}

export interface MessageInfo {
  readonly messageId: string;
  readonly correlationId: string;
  readonly receiveCount: number;
}

export type PublishResult =
  | { readonly kind: "dropped"; readonly reason: string }
  | { readonly kind: "published"; readonly providerPostId?: string; readonly permalink?: string }
  | { readonly kind: "failed"; readonly error: StoredProviderError }
  | { readonly kind: "waiting"; readonly until: string; readonly via: "queue" | "scheduler" };

/**
 * The delivery must go to the dead-letter queue: the handler makes its message visible again at
 * once and fails it, so the redrive policy moves it there after maxReceiveCount receives.
 */
export class DeadLetterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeadLetterError";
  }
}

const TERMINAL = new Set(["PUBLISHED", "FAILED", "CANCELLED"]);
/** at() schedules have one-second resolution; allow a message this much ahead of publishAt. */
const EARLY_TOLERANCE_MS = 2_000;
const BY = "publisher";

const providerOf = (d: { platform: string }): ProviderName =>
  d.platform === "linkedin" ? "linkedin" : "meta";

/** The reconnect error for a target that is not usable (or whose grant the provider refused). */
function reconnectError(target: ResolvedTarget | undefined, provider: ProviderName): StoredProviderError {
  const who = provider === "meta" ? "Facebook/Instagram" : "LinkedIn";
  return {
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: target
      ? `The ${who} account behind this target needs to be reconnected (${target.status}). Reconnect it in Herald and schedule the post again.`
      : "The target of this delivery no longer exists. Choose another target and schedule the post again.",
    providerCode: "herald target",
    rule: "target-unavailable",
  };
}

/**
 * How the worker stores an error on the delivery (`lastError`): the class, the provider's real
 * code, the message and the next step the API shows, plus what the worker keeps for itself.
 */
export function deliveryErrorOf(e: StoredProviderError & { raw?: unknown }): DeliveryError {
  return {
    class: e.class,
    code: e.providerCode,
    message: e.message,
    action: e.action,
    retry: e.retry,
    rule: e.rule,
    ...(e.waitUntil ? { waitUntil: e.waitUntil } : {}),
    ...(e.existingUrn ? { existingUrn: e.existingUrn } : {}),
    ...(e.raw !== undefined ? { raw: e.raw } : {}),
  };
}

/** A `TargetUnusableError` from the target resolver as the delivery's non-retryable error. */
function unusableTargetError(error: TargetUnusableError): StoredProviderError {
  return {
    class: error.action === "reconnect" ? "auth" : "config",
    retry: "no",
    action: error.action,
    message: error.message,
    providerCode: `herald ${error.reason}`,
    rule: "target-unusable",
  };
}

export async function handlePublishRequested(
  deps: PublishDeps,
  msg: PublishMessage,
  info: MessageInfo,
): Promise<PublishResult> {
  const drop = (reason: string): PublishResult => {
    deps.log.info("publish message dropped", { deliveryId: msg.deliveryId, version: msg.version, reason });
    return { kind: "dropped", reason };
  };
  const now = deps.now();
  const stored = await deps.deliveries.get(msg.tenantId, msg.deliveryId);
  if (!stored) return drop("delivery not found");
  const d0: PublishingDelivery = { ...stored, publishing: parsePublishState(stored.publishing, stored.id) };
  if (TERMINAL.has(d0.status) || d0.status === "BLOCKED") return drop(`delivery is ${d0.status}`);

  let reclaim = false;
  let replay = false;
  if (d0.status === "PUBLISHING") {
    const lease = d0.lease;
    if (!lease || lease.fromVersion !== msg.version)
      return drop(`delivery is being published (v${d0.version})`);
    if (Date.parse(lease.until) > now.getTime())
      return drop(`another worker holds the lease until ${lease.until}`);
    reclaim = true;
  } else if (d0.status === "NEEDS_ATTENTION") {
    // Only the dead-lettered message resumes it (a replay); a reschedule or an unblock since
    // then (SCHEDULED, a new version) makes that message stale like any other.
    if (d0.deadLetter?.fromVersion !== msg.version)
      return drop(
        `delivery waits for a replay of its dead-lettered message (v${d0.deadLetter?.fromVersion})`,
      );
    if (d0.deadLetter.messageId === info.messageId) {
      throw new DeadLetterError(`delivery ${d0.id} was handed to the dead-letter queue`);
    }
    replay = true;
  } else if (msg.version !== d0.version) {
    // The message that handed the delivery over to a wait came back: the worker may have died
    // between writing RETRYING and sending the next message. Send it (again); copies are harmless.
    // Only once that message could have come back on its own (visibility > lease): prompt
    // duplicate copies of it do not multiply the next messages.
    if (
      d0.status === "RETRYING" &&
      d0.handoff?.fromVersion === msg.version &&
      Date.parse(d0.updatedAt) + deps.leaseMs <= now.getTime()
    ) {
      await sendNext(deps, d0, new Date(d0.handoff.at), info);
      return drop(`handed over to v${d0.version}; its next message was sent again`);
    }
    return drop(`stale message: v${msg.version}, delivery is at v${d0.version}`);
  }

  // Never before its time: an early copy (a replay, a stray duplicate) is dropped; the
  // delivery's own schedule fires at publishAt.
  if (!d0.publishing && now.getTime() < Date.parse(d0.publishAt) - EARLY_TOLERANCE_MS) {
    return drop(`too early: due at ${d0.publishAt}`);
  }

  const post = await deps.posts.get(msg.tenantId, d0.postId);
  if (!post) return drop("post not found");
  const content = contentFor(post, d0.platform);
  let state: PublishState = d0.publishing ?? initialPublishState(now.toISOString(), contentHash(content));
  if (reclaim) state = { ...state, uncertain: true };
  const firstAttempt = d0.publishing === undefined;

  let d: PublishingDelivery = {
    ...d0,
    status: "PUBLISHING",
    version: d0.version + 1,
    lease: {
      until: new Date(now.getTime() + deps.leaseMs).toISOString(),
      fromVersion: msg.version,
      messageId: info.messageId,
    },
    publishing: state,
    // Any claim ends the dead-letter episode: its message can no longer resume the delivery.
    deadLetter: undefined,
    ledger: deps.deliveries.appendLedger(d0.ledger, {
      at: now.toISOString(),
      event: reclaim ? "reclaimed" : replay ? "replayed" : "claimed",
      status: "PUBLISHING",
      by: BY,
      detail: reclaim
        ? "the previous attempt did not finish; checking with the provider before publishing again"
        : replay
          ? "replayed from the dead-letter queue"
          : `${d0.publishing ? `resuming at ${state.phase}` : "first run"}, attempt ${state.attempts + 1} (message ${info.messageId}, receive ${info.receiveCount})`,
    }),
    updatedAt: now.toISOString(),
  };
  try {
    await deps.deliveries.replace(
      d,
      d0.version,
      reclaim ? ["PUBLISHING"] : replay ? ["NEEDS_ATTENTION"] : ["SCHEDULED", "RETRYING"],
    );
  } catch (error) {
    if (error instanceof WriteConflict) return drop(`claim lost: ${error.message}`);
    throw error;
  }
  // The post starts publishing, or leaves NEEDS_ATTENTION (a replay, or a delivery rescheduled
  // or unblocked after it had started: SCHEDULED with a step state).
  if (firstAttempt || replay || d0.status === "SCHEDULED") await deps.posts.settle(d, BY);

  const provider = providerOf(d);
  let target: ResolvedTarget | undefined;
  try {
    target = await deps.targets.resolve(d.tenantId, d.targetId);
  } catch (error) {
    // The connections context says this target cannot heal by retrying (undecryptable token,
    // unusable token key): fail now with its action instead of retrying into the DLQ.
    if (error instanceof TargetUnusableError) return fail(deps, d, unusableTargetError(error), info);
    throw error;
  }
  if (target?.status !== "ACTIVE" || !target.token) {
    return fail(deps, d, reconnectError(target, provider), info);
  }

  const admission = await deps.breaker.admit(provider, target.externalId);
  recordTransitions(deps, provider, admission.transitions);
  if (admission.admission.kind === "wait") {
    const a = admission.admission;
    const counts = a.reason === "open" || a.reason === "usage_exhausted";
    if (counts && state.windowWaits >= policyOf(deps, provider).maxWindowWaits) {
      return fail(deps, d, breakerGaveUp(provider), info);
    }
    const next = counts ? { ...state, windowWaits: state.windowWaits + 1 } : state;
    return wait(deps, d, next, a.until, `${provider} breaker says wait (${a.reason})`, info, true);
  }

  const maxSteps = deps.maxStepsPerRun ?? 12;
  for (let i = 0; i < maxSteps; i++) {
    const stepNow = deps.now();
    const ran = state.phase;
    const r = await deps.publisher.step(
      provider,
      {
        target: { kind: target.kind, externalId: target.externalId, token: target.token },
        content,
        now: stepNow,
      },
      state,
    );
    if ("error" in r) return onFailure(deps, d, state, r.error, r.usage, target, info);
    await recordSuccess(deps, provider, target.externalId, r.usage);
    const o = r.outcome;
    state = o.state;
    const written = await save(deps, d, {
      publishing: state,
      ...(state.postId ? { providerPostId: state.postId } : {}),
      ...(state.permalink ? { permalink: state.permalink } : {}),
      ledger: deps.deliveries.appendLedger(d.ledger, {
        at: deps.now().toISOString(),
        event: `step:${ran}`,
        by: BY,
        detail: o.note,
      }),
    });
    if (!written) return drop("lost the lease while publishing");
    d = written;
    if (o.next === "done") return succeed(deps, d, info);
    if (o.next === "wait") {
      let next = state;
      if (o.reason === "quota") {
        if (state.windowWaits >= policyOf(deps, provider).maxWindowWaits) {
          return fail(deps, d, quotaGaveUp(), info);
        }
        next = { ...state, windowWaits: state.windowWaits + 1 };
      }
      return wait(
        deps,
        d,
        next,
        new Date(deps.now().getTime() + o.waitMs),
        o.note,
        info,
        o.reason === "quota",
      );
    }
    // The answer carried usage headers near or over the limit: ask the breaker again before
    // the next call, so a burst slows down before the provider throttles it.
    if (nearLimit(r.usage, deps.now())) {
      const again = await deps.breaker.admit(provider, target.externalId);
      recordTransitions(deps, provider, again.transitions);
      if (again.admission.kind === "wait") {
        const a = again.admission;
        return wait(deps, d, state, a.until, `${provider} usage says wait (${a.reason})`, info, true);
      }
    }
  }
  return wait(deps, d, state, deps.now(), "continuing in a new invocation", info, false);
}

/** Usage readings at or above the breaker's slowdown threshold, or a regain time ahead. */
function nearLimit(usage: UsageReport | undefined, now: Date): boolean {
  if (!usage) return false;
  if (usage.regainAt && usage.regainAt.getTime() > now.getTime()) return true;
  return Math.max(usage.app?.pct ?? 0, usage.target?.pct ?? 0) >= DEFAULT_BREAKER_CONFIG.slowdownPct;
}

const policyOf = (deps: PublishDeps, provider: ProviderName): RetryPolicy =>
  deps.policies?.[provider] ?? RETRY_POLICIES[provider];

function breakerGaveUp(provider: ProviderName): StoredProviderError {
  return {
    class: "rate_limited",
    retry: "wait_window",
    action: "wait",
    message: `${provider === "meta" ? "Meta" : "LinkedIn"} kept throttling Herald for too long; the post was not published. Schedule it again later.`,
    providerCode: `${provider} breaker`,
    rule: "breaker-waits-exhausted",
  };
}

function quotaGaveUp(): StoredProviderError {
  return {
    class: "quota",
    retry: "wait_window",
    action: "reschedule",
    message:
      "This Instagram account stayed at its publishing limit for too long; the post was not published. Schedule it for a quieter time.",
    providerCode: "meta content_publishing_limit",
    rule: "ig-quota-waits-exhausted",
  };
}

/** Write the next version of a claimed delivery (still PUBLISHING); undefined when the lease was lost. */
async function save(
  deps: PublishDeps,
  d: PublishingDelivery,
  patch: Partial<PublishingDelivery>,
): Promise<PublishingDelivery | undefined> {
  const next: PublishingDelivery = {
    ...d,
    ...patch,
    version: d.version + 1,
    updatedAt: deps.now().toISOString(),
  };
  return (await writeClaimed(deps, next, d.version)) ? next : undefined;
}

/** A worker that lost its lease stops here: the one that took over owns the delivery. */
const LOST_LEASE: PublishResult = { kind: "dropped", reason: "lost the lease" };

/**
 * The delivery after the worker leaves PUBLISHING: the next version, the lease released, one
 * ledger entry that records the new status, and the transition's own fields.
 */
function leavePublishing(
  deps: PublishDeps,
  d: PublishingDelivery,
  now: Date,
  status: PublishingDelivery["status"],
  entry: { readonly event: string; readonly detail: string },
  changes: Partial<PublishingDelivery>,
): PublishingDelivery {
  const at = now.toISOString();
  return {
    ...d,
    ...changes,
    status,
    version: d.version + 1,
    lease: undefined,
    ledger: deps.deliveries.appendLedger(d.ledger, {
      at,
      event: entry.event,
      status,
      by: BY,
      detail: entry.detail,
    }),
    updatedAt: at,
  };
}

/**
 * Replace the PUBLISHING delivery this worker wrote at `fromVersion` with `next`; false when
 * the write lost (another worker took the lease over, or the delivery changed under it).
 */
async function writeClaimed(
  deps: PublishDeps,
  next: PublishingDelivery,
  fromVersion: number,
): Promise<boolean> {
  try {
    await deps.deliveries.replace(next, fromVersion, ["PUBLISHING"]);
    return true;
  } catch (error) {
    if (error instanceof WriteConflict) return false;
    throw error;
  }
}

/** Leave PUBLISHING for RETRYING and come back at `until` (queue delay or Scheduler). */
async function wait(
  deps: PublishDeps,
  d: PublishingDelivery,
  state: PublishState,
  until: Date,
  why: string,
  info: MessageInfo,
  spread: boolean,
): Promise<PublishResult> {
  const provider = providerOf(d);
  const now = deps.now();
  const plan = planWait(until, now, { policy: policyOf(deps, provider), random: deps.random, spread });
  const at = plan.at;
  const via = plan.kind === "retry_soon" ? "queue" : "scheduler";
  const next = leavePublishing(
    deps,
    d,
    now,
    "RETRYING",
    {
      event: via === "queue" ? "waiting" : "rescheduled",
      detail: `${why}; next try at ${at.toISOString()}${via === "scheduler" ? " (EventBridge Scheduler)" : ""}`,
    },
    {
      handoff: { fromVersion: d.lease?.fromVersion ?? d.version, at: at.toISOString(), via },
      // When it really goes now: the API's nextAttemptAt and the list/calendar key (GSI1SK).
      nextAttemptAt: at.toISOString(),
      publishing: state,
    },
  );
  if (!(await writeClaimed(deps, next, d.version))) {
    deps.log.warn("lost the lease before re-enqueueing", { deliveryId: d.id });
    return LOST_LEASE;
  }
  await sendNext(deps, next, at, info);
  deps.metrics.outcome(provider, via === "queue" ? "retry" : "rescheduled");
  return { kind: "waiting", until: at.toISOString(), via };
}

/** The next PublishRequested for a RETRYING delivery: a delayed message, or an at() schedule. */
async function sendNext(deps: PublishDeps, d: PublishingDelivery, at: Date, info: MessageInfo) {
  const delayMs = Math.max(0, at.getTime() - deps.now().getTime());
  if (d.handoff?.via === "scheduler" && delayMs > 0) {
    await deps.rescheduler.at(d, at, info.correlationId);
    return;
  }
  await deps.queue.send({
    tenantId: d.tenantId,
    deliveryId: d.id,
    version: d.version,
    delaySeconds: Math.min(900, Math.ceil(delayMs / 1000)),
    correlationId: info.correlationId,
  });
}

async function succeed(deps: PublishDeps, d: PublishingDelivery, info: MessageInfo): Promise<PublishResult> {
  const now = deps.now();
  const provider = providerOf(d);
  const state = d.publishing;
  const next = leavePublishing(
    deps,
    d,
    now,
    "PUBLISHED",
    {
      event: "published",
      detail: `${d.providerPostId ?? "?"}${d.permalink ? ` ${d.permalink}` : ""}${state?.adoptedBy ? ` (adopted: ${state.adoptedBy})` : ""}`,
    },
    { lastError: undefined, publishedAt: now.toISOString() },
  );
  if (!(await writeClaimed(deps, next, d.version))) return LOST_LEASE;
  deps.metrics.outcome(provider, "published");
  deps.metrics.lag(provider, now.getTime() - Date.parse(d.publishAt));
  deps.metrics.attempts(provider, (state?.attempts ?? 0) + 1);
  await deps.events.published(next, info.correlationId);
  await deps.posts.settle(next, BY);
  return {
    kind: "published",
    ...(next.providerPostId ? { providerPostId: next.providerPostId } : {}),
    ...(next.permalink ? { permalink: next.permalink } : {}),
  };
}

async function fail(
  deps: PublishDeps,
  d: PublishingDelivery,
  error: StoredProviderError & { raw?: unknown },
  info: MessageInfo,
): Promise<PublishResult> {
  const now = deps.now();
  const provider = providerOf(d);
  const next = leavePublishing(
    deps,
    d,
    now,
    "FAILED",
    {
      event: "failed",
      detail: `${error.message} [${error.class}, ${error.providerCode}, next step: ${error.action}]`,
    },
    { lastError: deliveryErrorOf(error) },
  );
  if (!(await writeClaimed(deps, next, d.version))) return LOST_LEASE;
  deps.metrics.outcome(provider, "failed", error.class);
  deps.metrics.attempts(provider, (d.publishing?.attempts ?? 0) + 1);
  const { raw: _raw, ...stored } = error;
  await deps.events.failed(next, stored, info.correlationId);
  await deps.posts.settle(next, BY);
  return { kind: "failed", error: stored };
}

function failureOf(error: unknown): ProviderFailure | undefined {
  if (error instanceof StepFailureError) return error.failure;
  if (error instanceof ProviderError) return failureFromProviderError(error);
  return undefined;
}

async function onFailure(
  deps: PublishDeps,
  d: PublishingDelivery,
  stateBefore: PublishState,
  error: unknown,
  usage: UsageReport | undefined,
  target: ResolvedTarget,
  info: MessageInfo,
): Promise<PublishResult> {
  const failure = failureOf(error);
  // Not a provider answer: a defect or an AWS failure. Let the message fail; a redelivery
  // re-claims after the lease and checks before publishing again; the DLQ takes it in the end.
  if (!failure) throw error;
  const provider = providerOf(d);
  const now = deps.now();
  const classified: ClassifiedError = classifyProviderError(failure, {
    now,
    ...(deps.versionSettings ? { versionSettings: deps.versionSettings } : {}),
    ...(usage?.regainAt ? { regainAt: usage.regainAt } : {}),
  });
  // No answer, or a server error: the provider may have acted. Check before acting again.
  const maybeActed = failure.network !== undefined || (failure.httpStatus ?? 0) >= 500;
  let base = error instanceof StepFailureError && error.state ? error.state : stateBefore;
  // Instagram told us the container is gone or unusable: the retry prepares a new one.
  if (classified.container === "new_container" && base.containerId) {
    base = { ...base, phase: "quota", containerId: undefined, childContainerIds: undefined };
  }
  let state: PublishState = maybeActed ? { ...base, uncertain: true } : base;

  const scope = classified.class === "rate_limited" && classified.limitScope === "target" ? "target" : "app";
  const transitions = await deps.breaker.record(
    provider,
    scope,
    target.externalId,
    breakerOutcomeOf(classified, now, scope === "app" ? usage?.app : usage?.target),
  );
  recordTransitions(deps, provider, transitions);

  const stored = { ...toStoredError(classified, now), raw: failure.body ?? failure.message };
  const noted = await save(deps, d, {
    publishing: state,
    lastError: deliveryErrorOf(stored),
    ledger: deps.deliveries.appendLedger(d.ledger, {
      at: now.toISOString(),
      event: "error",
      by: BY,
      detail: `${classified.providerCode} → ${classified.class}/${classified.action}: ${classified.message}`,
    }),
  });
  if (!noted) return LOST_LEASE;
  d = noted;

  // The post is out; only its first comment failed for good (a missing permission, refused
  // text): the delivery is published, and the ledger says what happened to the comment.
  const permanent = classified.retry === "no" || classified.class === "config";
  if (stateBefore.postId && stateBefore.phase === "comment" && permanent) {
    const skipped = await save(deps, d, {
      publishing: { ...state, phase: "done", uncertain: false },
      lastError: undefined,
      ledger: deps.deliveries.appendLedger(d.ledger, {
        at: now.toISOString(),
        event: "comment_failed",
        by: BY,
        detail: `the first comment was not posted: ${classified.message}`,
      }),
    });
    if (!skipped) return LOST_LEASE;
    return succeed(deps, skipped, info);
  }

  if (classified.class === "auth") {
    await deps.targets.markNeedsReauth(
      d.tenantId,
      target.connectionId,
      classified.message,
      classified.providerCode,
    );
    return fail(deps, d, stored, info);
  }

  const decision = decideRetry(provider, classified, {
    attempt: state.attempts + 1,
    windowWaits: state.windowWaits,
    now,
    ...(deps.random ? { random: deps.random } : {}),
    policy: policyOf(deps, provider),
  });
  state = {
    ...state,
    attempts: classified.retry === "backoff" ? state.attempts + 1 : state.attempts,
    windowWaits: classified.retry === "wait_window" ? state.windowWaits + 1 : state.windowWaits,
  };
  switch (decision.kind) {
    case "retry_soon":
    case "reschedule":
      return wait(
        deps,
        d,
        state,
        decision.at,
        `${classified.class} (${classified.providerCode})`,
        info,
        classified.retry === "wait_window",
      );
    case "fail":
      return fail(deps, d, stored, info);
    case "dead_letter": {
      const next = leavePublishing(
        deps,
        d,
        now,
        "NEEDS_ATTENTION",
        {
          event: "dead_lettered",
          detail: `handed to an operator through the dead-letter queue: ${classified.message}`,
        },
        {
          // An older wait's handoff must not re-send a message for a delivery that now waits
          // for an operator's replay (a late copy of that wait's message would restart it).
          handoff: undefined,
          publishing: state,
          deadLetter: {
            fromVersion: d.lease?.fromVersion ?? d.version,
            messageId: info.messageId,
            at: now.toISOString(),
          },
        },
      );
      if (!(await writeClaimed(deps, next, d.version))) return LOST_LEASE;
      deps.metrics.outcome(provider, "dead_letter", classified.class);
      await deps.posts.settle(next, BY);
      throw new DeadLetterError(`delivery ${d.id}: ${classified.message}`);
    }
  }
}

async function recordSuccess(
  deps: PublishDeps,
  provider: ProviderName,
  externalId: string,
  usage: UsageReport | undefined,
) {
  const t1 = await deps.breaker.record(provider, "app", externalId, {
    kind: "success",
    ...(usage?.app ? { usage: usage.app } : {}),
  });
  const t2 = await deps.breaker.record(provider, "target", externalId, {
    kind: "success",
    ...(usage?.target ? { usage: usage.target } : {}),
  });
  recordTransitions(deps, provider, [...t1, ...t2]);
}

function recordTransitions(deps: PublishDeps, provider: ProviderName, ts: readonly BreakerTransition[]) {
  for (const t of ts) {
    deps.metrics.breaker(provider, t);
    deps.log.info("breaker transition", { provider, from: t.from, to: t.to, reason: t.reason });
  }
}
