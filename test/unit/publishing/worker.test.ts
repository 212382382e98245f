/**
 * The publish use case with in-memory ports: which messages it drops, how it claims, what it
 * does with each step outcome and each class of failure, and the post's aggregate status.
 */
import { describe, expect, it } from "vitest";
import { TargetUnusableError } from "../../../functions/platform/unusable-target.js";
import type { Post } from "../../../functions/posts/domain/post.js";
import { postsForPublishing } from "../../../functions/posts/use-cases/aggregate.js";
import { WriteConflict } from "../../../functions/posts/use-cases/ports.js";
import { MetaApiError, ProviderNetworkError } from "../../../functions/providers/errors.js";
import type { PublishState, StepOutcome } from "../../../functions/publishing/domain/publish-state.js";
import type { RetryPolicy } from "../../../functions/publishing/domain/retry-policy.js";
import type {
  PublishDeps,
  PublisherPort,
  PublishingDelivery,
  ResolvedTarget,
} from "../../../functions/publishing/use-cases/ports.js";
import {
  DeadLetterError,
  handlePublishRequested,
} from "../../../functions/publishing/use-cases/publish-delivery.js";
import type { DeliveryStatus } from "../../../schemas/api/deliveries.js";

const T0 = Date.parse("2026-11-26T12:00:00.000Z");
const TENANT = "acme";

const POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseMs: 1_000,
  capMs: 4_000,
  maxWindowWaits: 2,
  windowSpreadMs: 0,
  shortWaitMaxMs: 15 * 60_000,
};

function delivery(id: string, patch: Partial<PublishingDelivery> = {}): PublishingDelivery {
  return {
    tenantId: TENANT,
    id,
    postId: "pst_1",
    targetId: "tgt_fb",
    platform: "facebook",
    status: "SCHEDULED",
    version: 1,
    publishAt: new Date(T0).toISOString(),
    timeZone: "UTC",
    scheduleName: `dlv-${id}`,
    ledger: [],
    createdAt: new Date(T0 - 60_000).toISOString(),
    updatedAt: new Date(T0 - 60_000).toISOString(),
    ...patch,
  };
}

function post(deliveryIds: string[], status: Post["status"] = "SCHEDULED"): Post {
  return {
    tenantId: TENANT,
    id: "pst_1",
    status,
    version: 3,
    content: { text: "Hello" },
    targetIds: ["tgt_fb"],
    deliveryIds,
    history: [],
    createdAt: new Date(T0 - 120_000).toISOString(),
    createdBy: "u1",
    updatedAt: new Date(T0 - 120_000).toISOString(),
  };
}

const TARGET: ResolvedTarget = {
  targetId: "tgt_fb",
  platform: "facebook",
  kind: "facebook_page",
  externalId: "200",
  connectionId: "con_1",
  status: "ACTIVE",
  token: "page-token",
};

type Step = (state: PublishState) => Promise<StepOutcome> | StepOutcome;

/** A publisher that posts in one step (and records its calls). */
const publishesAt =
  (postId: string): Step =>
  (s) => ({
    next: "done",
    state: { ...s, phase: "done", postId, permalink: `https://fb.example/${postId}` },
    note: `published ${postId}`,
  });

function world(opts: {
  deliveries: PublishingDelivery[];
  post?: Post;
  step?: Step;
  target?: ResolvedTarget | undefined;
  breakerWait?: Date;
  now?: number;
}) {
  let now = opts.now ?? T0 + 1_000;
  const store = new Map(opts.deliveries.map((d) => [d.id, d]));
  let storedPost = opts.post ?? post(opts.deliveries.map((d) => d.id));
  const calls = {
    steps: [] as PublishState[],
    sent: [] as { version: number; delaySeconds: number }[],
    rescheduled: [] as Date[],
    published: [] as string[],
    failed: [] as { id: string; action: string }[],
    reauth: [] as string[],
    outcomes: [] as string[],
  };
  const publisher: PublisherPort = {
    async step(_provider, _input, state) {
      calls.steps.push(state);
      try {
        return { outcome: await (opts.step ?? publishesAt("200_1"))(state) };
      } catch (error) {
        return { error };
      }
    },
  };
  // Posts' items through the posts context's own port implementation (the aggregate rule is real).
  const items = postsForPublishing({
    deliveries: {
      async get(_t, id) {
        return store.get(id);
      },
      async replace(next, expectedVersion, from: readonly DeliveryStatus[]) {
        const cur = store.get(next.id);
        if (!cur || cur.version !== expectedVersion || !from.includes(cur.status)) {
          throw new WriteConflict(cur ? { version: cur.version, status: cur.status } : undefined);
        }
        store.set(next.id, next as PublishingDelivery);
      },
    },
    posts: {
      async get() {
        return storedPost;
      },
      async replace(next, expected) {
        if (storedPost.version !== expected) throw new WriteConflict();
        storedPost = next;
      },
    },
    now: () => new Date(now),
    log: { warn: () => undefined },
  });
  const deps: PublishDeps = {
    deliveries: items.deliveries,
    posts: items.posts,
    targets: {
      async resolve() {
        return "target" in opts ? opts.target : TARGET;
      },
      async markNeedsReauth(_t, connectionId) {
        calls.reauth.push(connectionId);
      },
    },
    publisher,
    breaker: {
      async admit() {
        return {
          admission: opts.breakerWait
            ? { kind: "wait", until: opts.breakerWait, reason: "open" }
            : { kind: "go", probe: false },
          transitions: [],
        };
      },
      async record() {
        return [];
      },
    },
    queue: {
      async send(input) {
        calls.sent.push({ version: input.version, delaySeconds: input.delaySeconds });
      },
    },
    rescheduler: {
      async at(_d, at) {
        calls.rescheduled.push(at);
      },
    },
    events: {
      async published(d) {
        calls.published.push(d.id);
      },
      async failed(d, error) {
        calls.failed.push({ id: d.id, action: error.action });
      },
    },
    metrics: {
      outcome: (_p, o, c) => calls.outcomes.push(c ? `${o}:${c}` : o),
      lag: () => undefined,
      attempts: () => undefined,
      breaker: () => undefined,
    },
    log: { info: () => undefined, warn: () => undefined },
    now: () => new Date(now),
    random: () => 0.5,
    policies: { meta: POLICY, linkedin: POLICY },
    leaseMs: 90_000,
  };
  return {
    deps,
    calls,
    get: (id: string) => store.get(id)!,
    post: () => storedPost,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const metaError = (code: number, subcode?: number) =>
  new MetaApiError(`Meta POST /200/feed: (#${code}) failed`, {
    provider: "meta",
    classification: "permanent",
    status: 400,
    code,
    ...(subcode ? { subcode } : {}),
  });

const msg = (id: string, version: number) => ({ tenantId: TENANT, deliveryId: id, version });
const info = (messageId = "m1", receiveCount = 1) => ({ messageId, correlationId: "c1", receiveCount });

describe("which messages the worker drops", () => {
  it("drops a stale message (the delivery was rescheduled) without calling the provider", async () => {
    const w = world({ deliveries: [delivery("d1", { version: 2 })] });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "dropped", reason: expect.stringMatching(/stale/) });
    expect(w.calls.steps).toHaveLength(0);
    expect(w.get("d1").version).toBe(2);
  });

  it.each(["CANCELLED", "PUBLISHED", "FAILED", "BLOCKED"] as const)(
    "drops a message for a %s delivery",
    async (status) => {
      const w = world({ deliveries: [delivery("d1", { status })] });
      expect((await handlePublishRequested(w.deps, msg("d1", 1), info())).kind).toBe("dropped");
      expect(w.calls.steps).toHaveLength(0);
    },
  );

  it("drops a copy that arrives before publishAt", async () => {
    const w = world({ deliveries: [delivery("d1")], now: T0 - 60_000 });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "dropped", reason: expect.stringMatching(/too early/) });
    expect(w.get("d1").status).toBe("SCHEDULED");
  });

  it("drops a second copy while another worker holds the lease, and takes over once it lapsed, checking first", async () => {
    const w = world({ deliveries: [delivery("d1")], step: () => new Promise(() => undefined) });
    // The first worker claims and then hangs in its provider call.
    void handlePublishRequested(w.deps, msg("d1", 1), info("m1"));
    await new Promise((r) => setTimeout(r, 0));
    expect(w.get("d1").status).toBe("PUBLISHING");
    const second = await handlePublishRequested(w.deps, msg("d1", 1), info("m2"));
    expect(second).toMatchObject({ kind: "dropped", reason: expect.stringMatching(/lease/) });

    w.advance(120_000);
    const w2 = {
      ...w.deps,
      publisher: {
        step: async (_p: unknown, _i: unknown, s: PublishState) => ({
          outcome: await publishesAt("200_9")(s),
        }),
      },
    } as PublishDeps;
    const third = await handlePublishRequested(w2, msg("d1", 1), info("m1", 2));
    expect(third.kind).toBe("published");
    const d = w.get("d1");
    expect(d.ledger.map((e) => e.event)).toContain("reclaimed");
    expect(d.publishing?.uncertain).toBe(true);
  });
});

describe("a publish that works", () => {
  it("claims, runs the steps, records provider id and permalink, emits DeliveryPublished and marks the post PUBLISHED", async () => {
    const w = world({ deliveries: [delivery("d1")] });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toEqual({ kind: "published", providerPostId: "200_1", permalink: "https://fb.example/200_1" });
    const d = w.get("d1");
    expect(d.status).toBe("PUBLISHED");
    expect(d.providerPostId).toBe("200_1");
    expect(d.lease).toBeUndefined();
    expect(d.ledger.map((e) => e.event)).toEqual(["claimed", "step:start", "published"]);
    expect(w.calls.published).toEqual(["d1"]);
    expect(w.post().status).toBe("PUBLISHED");
    expect(w.post().history.map((h) => h.to)).toEqual(["PUBLISHING", "PUBLISHED"]);
  });

  it("re-enqueues a processing wait with a delay and a new version, then resumes from the recorded state", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: (s) =>
        s.containerId
          ? publishesAt("ig_1")(s)
          : {
              next: "wait",
              state: { ...s, phase: "await", containerId: "c1" },
              waitMs: 2_000,
              reason: "processing",
              note: "IN_PROGRESS",
            },
    });
    const first = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(first).toMatchObject({ kind: "waiting", via: "queue" });
    const d = w.get("d1");
    expect(d.status).toBe("RETRYING");
    expect(w.calls.sent).toEqual([{ version: d.version, delaySeconds: 2 }]);
    w.advance(2_000);
    const second = await handlePublishRequested(w.deps, msg("d1", d.version), info("m2"));
    expect(second.kind).toBe("published");
    expect(w.calls.steps.at(-1)?.containerId).toBe("c1");
  });

  it("re-sends the next message when the handing-over message comes back after a crash, not for prompt copies", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: (s) => ({
        next: "wait",
        state: { ...s, phase: "await", containerId: "c1" },
        waitMs: 2_000,
        reason: "processing",
        note: "IN_PROGRESS",
      }),
    });
    await handlePublishRequested(w.deps, msg("d1", 1), info("m1"));
    expect(w.calls.sent).toHaveLength(1);
    // A prompt duplicate of the first message: stale, nothing sent.
    expect((await handlePublishRequested(w.deps, msg("d1", 1), info("copy"))).kind).toBe("dropped");
    expect(w.calls.sent).toHaveLength(1);
    // The worker died before its send reached SQS; the message returns after its visibility timeout.
    w.advance(6 * 60_000);
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info("m1", 2));
    expect(r).toMatchObject({ kind: "dropped", reason: expect.stringMatching(/sent again/) });
    expect(w.calls.sent).toHaveLength(2);
    expect(w.calls.sent[1]!.version).toBe(w.get("d1").version);
  });

  it("waits without calling the provider while the breaker is open", async () => {
    const w = world({ deliveries: [delivery("d1")], breakerWait: new Date(T0 + 31_000) });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "waiting", via: "queue" });
    expect(w.calls.steps).toHaveLength(0);
    expect(w.get("d1").publishing?.windowWaits).toBe(1);
  });
});

describe("failures", () => {
  it("an auth error flags the connection and fails the delivery with 'reconnect'", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(190, 463);
      },
    });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "failed", error: { class: "auth", action: "reconnect" } });
    expect(w.calls.reauth).toEqual(["con_1"]);
    expect(w.calls.failed).toEqual([{ id: "d1", action: "reconnect" }]);
    expect(w.get("d1").lastError?.code).toBe("meta 190/463");
    expect(w.post().status).toBe("FAILED");
  });

  it("a target that is not usable fails with 'reconnect' without a provider call", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      target: { ...TARGET, status: "NEEDS_REAUTH", token: undefined },
    });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "failed", error: { action: "reconnect" } });
    expect(w.calls.steps).toHaveLength(0);
  });

  it("a target whose token cannot be decrypted fails at once with the resolver's action, no retry, no provider call", async () => {
    for (const [action, errorClass] of [
      ["reconnect", "auth"],
      ["contact_support", "config"],
    ] as const) {
      const w = world({ deliveries: [delivery("d1")] });
      const targets = {
        resolve: async () => {
          throw new TargetUnusableError(
            "tgt_1",
            "con_1",
            action,
            `reason_${action}`,
            `Cannot use it: ${action}.`,
          );
        },
        markNeedsReauth: async () => undefined,
      };
      const r = await handlePublishRequested({ ...w.deps, targets }, msg("d1", 1), info());
      expect(r).toMatchObject({ kind: "failed", error: { class: errorClass, retry: "no", action } });
      expect(w.get("d1")).toMatchObject({
        status: "FAILED",
        lastError: { class: errorClass, code: `herald reason_${action}`, action },
      });
      expect(w.calls.steps).toHaveLength(0);
      expect(w.calls.sent).toHaveLength(0);
      expect(w.calls.rescheduled).toHaveLength(0);
    }
  });

  it("a network failure retries soon and marks the state uncertain (check before acting again)", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw new ProviderNetworkError("meta POST /200/feed: network error", {
          provider: "meta",
          classification: "transient",
        });
      },
    });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "waiting", via: "queue" });
    const d = w.get("d1");
    expect(d.status).toBe("RETRYING");
    expect(d.publishing).toMatchObject({ uncertain: true, attempts: 1 });
    expect(w.calls.sent[0]?.version).toBe(d.version);
  });

  it("a content error fails the delivery with the table's message", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(100);
      },
    });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "failed", error: { class: "content", action: "fix_content" } });
    expect(w.calls.reauth).toHaveLength(0);
  });

  it("a long throttle window goes to the Scheduler", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(368);
      },
    });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "waiting", via: "scheduler" });
    expect(w.calls.rescheduled[0]!.getTime()).toBeGreaterThan(T0 + 23 * 3_600_000);
    expect(w.get("d1").ledger.at(-1)?.event).toBe("rescheduled");
  });

  it("an unknown provider error retries, then goes to the DLQ; a replay of it resumes", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(987654);
      },
    });
    let version = 1;
    for (let attempt = 1; attempt < POLICY.maxAttempts; attempt++) {
      const r = await handlePublishRequested(w.deps, msg("d1", version), info(`m${attempt}`));
      expect(r.kind).toBe("waiting");
      version = w.get("d1").version;
      w.advance(10_000);
    }
    await expect(handlePublishRequested(w.deps, msg("d1", version), info("last"))).rejects.toBeInstanceOf(
      DeadLetterError,
    );
    expect(w.get("d1").ledger.at(-1)?.event).toBe("dead_lettered");
    // The same message keeps failing until the redrive moves it.
    await expect(handlePublishRequested(w.deps, msg("d1", version), info("last", 2))).rejects.toBeInstanceOf(
      DeadLetterError,
    );
    // Replayed from the DLQ (a new message id) after the fix: it is claimed again.
    const fixed = {
      ...w.deps,
      publisher: {
        step: async (_p: unknown, _i: unknown, s: PublishState) => ({
          outcome: await publishesAt("200_5")(s),
        }),
      },
    } as PublishDeps;
    const replay = await handlePublishRequested(fixed, msg("d1", version), info("replayed"));
    expect(replay.kind).toBe("published");
    expect(w.get("d1").ledger.map((e) => e.event)).toContain("replayed");
  });

  it("a late copy of the message before the dead-lettered one does not restart the delivery", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(987654);
      },
    });
    let version = 1;
    let before = version;
    for (let attempt = 1; attempt < POLICY.maxAttempts; attempt++) {
      before = version;
      await handlePublishRequested(w.deps, msg("d1", version), info(`m${attempt}`));
      version = w.get("d1").version;
      w.advance(10_000);
    }
    await expect(handlePublishRequested(w.deps, msg("d1", version), info("last"))).rejects.toBeInstanceOf(
      DeadLetterError,
    );
    const sent = w.calls.sent.length;
    // The message that handed over to the dead-lettered attempt returns after its visibility
    // timeout: the delivery waits for an operator's replay, so nothing is sent again.
    w.advance(6 * 60_000);
    const r = await handlePublishRequested(w.deps, msg("d1", before), info(`m${POLICY.maxAttempts - 1}`, 2));
    expect(r.kind).toBe("dropped");
    expect(w.calls.sent).toHaveLength(sent);
    expect(w.get("d1").ledger.at(-1)?.event).toBe("dead_lettered");
  });

  it("a DLQ replay after an admin rescheduled the dead-lettered delivery waits for the new time", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(987654);
      },
    });
    let version = 1;
    for (let attempt = 1; attempt < POLICY.maxAttempts; attempt++) {
      await handlePublishRequested(w.deps, msg("d1", version), info(`m${attempt}`));
      version = w.get("d1").version;
      w.advance(10_000);
    }
    await expect(handlePublishRequested(w.deps, msg("d1", version), info("last"))).rejects.toBeInstanceOf(
      DeadLetterError,
    );
    // An admin moves the delivery to tomorrow (the posts context: SCHEDULED, version + 1).
    const dead = w.get("d1");
    const later = new Date(T0 + 86_400_000).toISOString();
    await w.deps.deliveries.replace(
      { ...dead, status: "SCHEDULED", version: dead.version + 1, publishAt: later },
      dead.version,
      ["NEEDS_ATTENTION"],
    );
    // The operator replays the DLQ: the old message is stale now, not a replay.
    const steps = w.calls.steps.length;
    const r = await handlePublishRequested(w.deps, msg("d1", version), info("replayed"));
    expect(r.kind).toBe("dropped");
    expect(w.calls.steps).toHaveLength(steps);
    expect(w.get("d1")).toMatchObject({ status: "SCHEDULED", publishAt: later });
  });

  it("a claim lost to another worker is a drop", async () => {
    const w = world({ deliveries: [delivery("d1")] });
    const racing = {
      ...w.deps,
      deliveries: {
        get: w.deps.deliveries.get,
        appendLedger: w.deps.deliveries.appendLedger,
        async replace() {
          throw new WriteConflict({ version: 2, status: "PUBLISHING" });
        },
      },
    } as PublishDeps;
    const r = await handlePublishRequested(racing, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "dropped", reason: expect.stringMatching(/claim lost/) });
    expect(w.calls.steps).toHaveLength(0);
  });
});

describe("the post's aggregate status", () => {
  it("is PARTIALLY_PUBLISHED when one delivery published and another failed", async () => {
    const other = delivery("d2", { status: "FAILED", targetId: "tgt_li", platform: "linkedin" });
    const w = world({ deliveries: [delivery("d1"), other], post: post(["d1", "d2"], "PUBLISHING") });
    await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(w.post().status).toBe("PARTIALLY_PUBLISHED");
  });

  it("stays PUBLISHING while another delivery is still due", async () => {
    const w = world({ deliveries: [delivery("d1"), delivery("d2")], post: post(["d1", "d2"]) });
    await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(w.post().status).toBe("PUBLISHING");
  });
});

describe("what a delivery says about itself (issue #10)", () => {
  const deadLetter = async (w: ReturnType<typeof world>) => {
    let version = 1;
    for (let attempt = 1; attempt < POLICY.maxAttempts; attempt++) {
      await handlePublishRequested(w.deps, msg("d1", version), info(`m${attempt}`));
      version = w.get("d1").version;
      w.advance(10_000);
    }
    await expect(handlePublishRequested(w.deps, msg("d1", version), info("last"))).rejects.toBeInstanceOf(
      DeadLetterError,
    );
    return version;
  };

  it("a dead-lettered delivery is NEEDS_ATTENTION with its reason, and so is its post; a replay moves both back", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(987654);
      },
    });
    const version = await deadLetter(w);
    expect(w.get("d1")).toMatchObject({
      status: "NEEDS_ATTENTION",
      lastError: { class: "unknown", code: "meta 987654", action: expect.any(String) },
    });
    expect(w.get("d1").ledger.at(-1)).toMatchObject({ event: "dead_lettered", status: "NEEDS_ATTENTION" });
    expect(w.post().status).toBe("NEEDS_ATTENTION");
    expect(w.post().history.at(-1)).toMatchObject({ from: "PUBLISHING", to: "NEEDS_ATTENTION" });

    // The replay claims it: the post leaves NEEDS_ATTENTION while it publishes.
    let postDuringReplay: string | undefined;
    const fixed = {
      ...w.deps,
      publisher: {
        step: async (_p: unknown, _i: unknown, s: PublishState) => {
          postDuringReplay = w.post().status;
          return { outcome: await publishesAt("200_9")(s) };
        },
      },
    } as PublishDeps;
    const replay = await handlePublishRequested(fixed, msg("d1", version), info("replayed"));
    expect(replay.kind).toBe("published");
    expect(postDuringReplay).toBe("PUBLISHING");
    expect(w.get("d1").status).toBe("PUBLISHED");
    expect(w.post().status).toBe("PUBLISHED");
  });

  it("a message for a NEEDS_ATTENTION delivery other than its dead-lettered one is dropped", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(987654);
      },
    });
    await deadLetter(w);
    const r = await handlePublishRequested(w.deps, msg("d1", w.get("d1").version), info("other"));
    expect(r).toMatchObject({ kind: "dropped", reason: expect.stringMatching(/replay/) });
    expect(w.get("d1").status).toBe("NEEDS_ATTENTION");
  });

  it("a wait records when the next attempt really is (nextAttemptAt), e.g. Instagram's quota", async () => {
    const waitMs = 3 * 3_600_000;
    const w = world({
      deliveries: [delivery("d1", { platform: "instagram", targetId: "tgt_ig" })],
      step: (s) => ({
        next: "wait",
        state: { ...s, phase: "quota" },
        waitMs,
        reason: "quota",
        note: "at limit",
      }),
    });
    const r = await handlePublishRequested(w.deps, msg("d1", 1), info());
    expect(r).toMatchObject({ kind: "waiting", via: "scheduler" });
    const d = w.get("d1");
    expect(d.status).toBe("RETRYING");
    expect(d.nextAttemptAt).toBe(w.calls.rescheduled[0]!.toISOString());
    expect(Date.parse(d.nextAttemptAt!)).toBeGreaterThanOrEqual(T0 + 1_000 + waitMs);
    expect(d.publishAt).toBe(new Date(T0).toISOString());
  });

  it("a retry stores the classified error as lastError {class, code, message, action}", async () => {
    const w = world({
      deliveries: [delivery("d1")],
      step: () => {
        throw metaError(2);
      },
    });
    await handlePublishRequested(w.deps, msg("d1", 1), info());
    const d = w.get("d1");
    expect(d.status).toBe("RETRYING");
    expect(d.lastError).toMatchObject({ class: "transient", code: "meta 2", action: "retry" });
    expect(d.lastError?.message).toEqual(expect.any(String));
    expect(d.nextAttemptAt).toBeDefined();
  });

  it("an unclassified error from the target port is not a delivery failure: the message fails and is retried", async () => {
    const w = world({ deliveries: [delivery("d1")] });
    const deps = {
      ...w.deps,
      targets: {
        ...w.deps.targets,
        resolve: async () => {
          throw new Error("ProvisionedThroughputExceededException");
        },
      },
    } as PublishDeps;
    await expect(handlePublishRequested(deps, msg("d1", 1), info())).rejects.toThrow(/ProvisionedThroughput/);
    expect(w.get("d1").status).toBe("PUBLISHING");
  });

  it("a corrupt stored step state is one clear error naming the delivery and the field", async () => {
    const w = world({
      deliveries: [
        delivery("d1", { status: "RETRYING", publishing: { phase: "publish" } as unknown as PublishState }),
      ],
    });
    await expect(handlePublishRequested(w.deps, msg("d1", 1), info())).rejects.toThrow(
      /Corrupt publishing state on delivery d1: publishing\.attempts/,
    );
  });
});
