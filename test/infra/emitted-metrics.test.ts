/**
 * Every alarm and dashboard metric in Herald's namespace is one a function really emits.
 *
 * The handlers that emit the alarmed metrics — the publish worker and the token-refresh cron —
 * run here in-process with their real handler chain, the real Powertools Metrics instance of
 * `functions/platform/observability.ts` and the real publishing metrics adapter; only their
 * data ports are in-memory fakes (no network). Their EMF lines are captured from stdout and
 * turned into the set of (namespace, metric, dimensions) emitted; every Alarm (metric-math
 * alarms: each metric inside) and every dashboard metric in the synthesized template in that
 * namespace must match one of them, dimension names and values alike.
 */
import type { Context, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PublishRequestedV1 } from "../../events/publish-requested.v1.js";
import { appendLedger, type Post } from "../../functions/posts/domain/post.js";
import { MetaApiError } from "../../functions/providers/errors.js";
import type { PublishState, StepOutcome } from "../../functions/publishing/domain/publish-state.js";
import type {
  PublishDeps,
  PublishingDelivery,
  ResolvedTarget,
} from "../../functions/publishing/use-cases/ports.js";
import { ENV, type EnvKey } from "../../schemas/env.js";
import { METRICS } from "../../schemas/resources.js";
import { functionLogicalId, resourcesOf, type SynthesizedStage, synthStage } from "../support/infra-app.js";

/** The refresh cron's data ports: the in-memory world of the connections unit tests. */
const shared = vi.hoisted(() => ({ world: undefined as unknown }));
vi.mock("../../functions/connections/wiring.js", async (importOriginal) => {
  const original = await importOriginal<Record<string, unknown>>();
  const { world } = await import("../unit/connections/in-memory.js");
  const w = world();
  shared.world = w;
  return { ...original, grantDeps: () => w.deps };
});

type World = ReturnType<typeof import("../unit/connections/in-memory.js")["world"]>;

interface Emitted {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Record<string, string>;
}

/** (namespace, metric, dimensions) of every EMF document among the captured stdout lines. */
function emittedIn(lines: readonly string[]): Emitted[] {
  const out: Emitted[] = [];
  for (const line of lines) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const aws = doc._aws as
      | { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] }
      | undefined;
    if (!aws) continue;
    for (const directive of aws.CloudWatchMetrics) {
      for (const { Name } of directive.Metrics) {
        for (const set of directive.Dimensions) {
          out.push({
            namespace: directive.Namespace,
            metric: Name,
            dimensions: Object.fromEntries(set.map((d) => [d, String(doc[d])])),
          });
        }
      }
    }
  }
  return out;
}

const CONTEXT = {
  functionName: "herald-metrics-test",
  awsRequestId: "req-1",
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

const captured: string[] = [];
let emitted: Emitted[] = [];
let s: SynthesizedStage;
const saved = { ...process.env };

beforeAll(async () => {
  // Metrics on, as deployed (the unit tier turns them off); every env var a handler reads at
  // cold start set to an inert value (no request leaves the process: the ports are fakes).
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
  delete process.env.POWERTOOLS_DEV;

  process.env.AWS_REGION = "eu-west-1";
  for (const key of Object.keys(ENV) as EnvKey[]) {
    process.env[ENV[key]] = key.endsWith("_URL") ? "https://herald.invalid" : `test-${key.toLowerCase()}`;
  }
  // Powertools settings exactly as CDK deploys them on the publish worker (the logger's
  // service is the function's name there; the metrics must not follow it).
  s = synthStage("metrics");
  const fnId = functionLogicalId(s.statelessTemplate, "metrics", "publish");
  const deployed = (
    resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[fnId]!.Properties!.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;
  for (const [name, value] of Object.entries(deployed)) {
    if (name.startsWith("POWERTOOLS_") && typeof value === "string") process.env[name] = value;
  }
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  expect(process.env[ENV.POWERTOOLS_SERVICE_NAME]).toBe("publish");
  for (const key of [
    "META_GRAPH_VERSION",
    "LINKEDIN_VERSION",
    "LINKEDIN_PKCE",
    "MIN_SCHEDULE_LEAD_SECONDS",
    "SCHEDULE_HORIZON_DAYS",
    "MAX_BODY_BYTES",
  ] as EnvKey[]) {
    delete process.env[ENV[key]];
  }

  // The logger's lines (stderr/stdout) are not under test: keep them out of the test output.
  const quiet = vi
    .spyOn(process.stderr, "write")
    .mockImplementation((() => true) as typeof process.stderr.write);
  const spy = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => {
    captured.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  }) as typeof process.stdout.write);
  try {
    await runPublishWorker();
    await runRefreshCron();
  } finally {
    spy.mockRestore();
    quiet.mockRestore();
  }
  emitted = emittedIn(captured);
}, 120_000);

afterAll(() => {
  process.env = saved;
});

// --- the publish worker --------------------------------------------------------------------

const T0 = Date.parse("2026-11-26T12:00:00.000Z");

async function runPublishWorker() {
  const { createPublishHandler } = await import("../../functions/publishing/handlers/publish.handler.js");
  const { powertoolsPublishMetrics } = await import("../../functions/publishing/adapters/metrics.js");
  const { metrics } = await import("../../functions/platform/observability.js");
  const { LinkedInApiError } = await import("../../functions/providers/errors.js");

  type Platform = "facebook" | "linkedin";
  const done = (state: PublishState): StepOutcome => ({
    next: "done",
    state: { ...state, phase: "done", postId: "p1", permalink: "https://example.test/p1" },
    note: "published",
  });
  const meta = (code: number) => () => {
    throw new MetaApiError(`Meta POST /200/feed: (#${code})`, {
      provider: "meta",
      classification: "permanent",
      status: 400,
      code,
    });
  };
  const linkedin = (status: number, subcode?: number) => () => {
    throw new LinkedInApiError(String(status), {
      provider: "linkedin",
      classification: "permanent",
      status,
      ...(subcode ? { subcode } : {}),
    });
  };
  // One delivery per outcome and provider; the post's text names its scenario.
  const scenarios: Record<string, { platform: Platform; step: (s: PublishState) => StepOutcome }> = {
    "meta-published": { platform: "facebook", step: done },
    "meta-failed": { platform: "facebook", step: meta(100) },
    "meta-unknown": { platform: "facebook", step: meta(987654) },
    "meta-throttled": { platform: "facebook", step: meta(368) },
    "linkedin-published": { platform: "linkedin", step: done },
    "linkedin-failed": { platform: "linkedin", step: linkedin(401, 65600) },
    "linkedin-unknown": { platform: "linkedin", step: linkedin(418) },
    "linkedin-throttled": { platform: "linkedin", step: linkedin(429) },
  };
  const ids = Object.keys(scenarios);

  let now = T0 + 1_000;
  const deliveries = new Map<string, PublishingDelivery>(
    ids.map((id) => [
      id,
      {
        tenantId: "acme",
        id,
        postId: `post-${id}`,
        targetId: `tgt-${scenarios[id]!.platform}`,
        platform: scenarios[id]!.platform,
        status: "SCHEDULED",
        version: 1,
        publishAt: new Date(T0).toISOString(),
        timeZone: "UTC",
        scheduleName: `dlv-${id}`,
        ledger: [],
        createdAt: new Date(T0 - 60_000).toISOString(),
        updatedAt: new Date(T0 - 60_000).toISOString(),
      },
    ]),
  );
  const posts = new Map<string, Post>(
    ids.map((id) => [
      `post-${id}`,
      {
        tenantId: "acme",
        id: `post-${id}`,
        status: "SCHEDULED",
        version: 1,
        content: { text: id },
        targetIds: [`tgt-${scenarios[id]!.platform}`],
        deliveryIds: [id],
        history: [],
        createdAt: new Date(T0 - 120_000).toISOString(),
        createdBy: "u1",
        updatedAt: new Date(T0 - 120_000).toISOString(),
      },
    ]),
  );
  const target = (platform: Platform): ResolvedTarget => ({
    targetId: `tgt-${platform}`,
    platform,
    kind: platform === "linkedin" ? "linkedin_organization" : "facebook_page",
    externalId: "200",
    connectionId: "con_1",
    status: "ACTIVE",
    token: "token",
  });
  // Two attempts: an unknown error is retried once, then handed to the dead-letter queue.
  const policy = {
    maxAttempts: 2,
    baseMs: 1_000,
    capMs: 1_000,
    maxWindowWaits: 2,
    windowSpreadMs: 0,
    shortWaitMaxMs: 15 * 60_000,
  };
  const sent: { deliveryId: string; version: number }[] = [];
  const deps: PublishDeps = {
    deliveries: {
      get: async (_t, id) => deliveries.get(id),
      replace: async (next) => {
        deliveries.set(next.id, next as PublishingDelivery);
      },
      appendLedger,
    },
    posts: {
      get: async (_t, id) => posts.get(id),
      // The post's aggregate status emits no metric: settling it is the posts context's business.
      settle: async () => undefined,
    },
    targets: {
      resolve: async (_t, targetId) => target(targetId === "tgt-linkedin" ? "linkedin" : "facebook"),
      markNeedsReauth: async () => undefined,
    },
    publisher: {
      async step(_provider, input, state) {
        try {
          return { outcome: scenarios[input.content.text ?? ""]!.step(state) };
        } catch (error) {
          return { error };
        }
      },
    },
    breaker: {
      admit: async () => ({ admission: { kind: "go", probe: false }, transitions: [] }),
      // A failure opens the breaker (the dashboard graphs `to=open`).
      record: async (_p, _scope, _id, outcome) =>
        outcome.kind === "success"
          ? []
          : [{ from: "closed", to: "open", at: new Date(now).toISOString(), reason: "test" }],
    },
    queue: {
      send: async (m) => {
        sent.push({ deliveryId: m.deliveryId, version: m.version });
      },
    },
    rescheduler: { at: async () => undefined },
    events: { published: async () => undefined, failed: async () => undefined },
    metrics: powertoolsPublishMetrics(metrics),
    log: { info: () => undefined, warn: () => undefined },
    now: () => new Date(now),
    random: () => 0.5,
    policies: { meta: policy, linkedin: policy },
    leaseMs: 90_000,
  };
  const handler = createPublishHandler(deps, { releaseNow: async () => undefined });
  const sqsEvent = (messages: { deliveryId: string; version: number }[]): SQSEvent => ({
    Records: messages.map((m, i) => ({
      messageId: `m-${m.deliveryId}-${m.version}`,
      receiptHandle: `rh-${i}`,
      body: JSON.stringify(
        PublishRequestedV1.create({ tenantId: "acme", ...m }, { correlationId: `c-${i}` }),
      ),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(T0),
        SenderId: "scheduler",
        ApproximateFirstReceiveTimestamp: String(T0),
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:herald-test-publish",
      awsRegion: "eu-west-1",
    })),
  });
  await handler(sqsEvent(ids.map((deliveryId) => ({ deliveryId, version: 1 }))), CONTEXT);
  // The retries the worker queued for itself, once their delay has passed.
  now += 60_000;
  await handler(sqsEvent(sent.splice(0)), CONTEXT);
}

// --- the token-refresh cron ----------------------------------------------------------------

async function runRefreshCron() {
  const { handler } = await import("../../functions/connections/handlers/refresh-tokens.handler.js");
  const { startAuthorization } = await import("../../functions/connections/use-cases/authorize.js");
  const { completeAuthorization } = await import("../../functions/connections/use-cases/callback.js");
  const { REFRESH_AHEAD_MS } = await import("../../functions/connections/domain/connection.js");
  const { LinkedInApiError, ProviderNetworkError } = await import("../../functions/providers/errors.js");
  const w = shared.world as World;

  const connect = async () => {
    const out = await startAuthorization(w.deps, {
      auth: { tenantId: "acme", userId: "user-1", roles: ["admin"] },
      provider: "linkedin",
      preset: "publish",
      returnUrl: "https://app.acme.test/connections",
    });
    const state = new URL(out.authorizationUrl).searchParams.get("state")!;
    await completeAuthorization(w.deps, "linkedin", { code: "C", state });
  };
  const outcomes: [string, unknown][] = [
    [
      "refreshed",
      { kind: "renewed", accessToken: "AQ-new", accessTokenExpiresAt: "2027-03-26T10:00:00.000Z" },
    ],
    [
      "transient_failure",
      new ProviderNetworkError("down", { provider: "linkedin", classification: "transient" }),
    ],
    [
      "failed",
      new LinkedInApiError("400", { provider: "linkedin", classification: "permanent", status: 400 }),
    ],
    [
      "revoked",
      new LinkedInApiError("revoked", {
        provider: "linkedin",
        classification: "revoked",
        status: 401,
        code: 65601,
        subcode: "REVOKED_ACCESS_TOKEN",
      }),
    ],
  ];
  for (const [, renewResult] of outcomes) {
    // A fresh connection each round, stepped into its refresh window.
    for (const c of [...w.connections.items.values()]) w.connections.items.delete(`${c.tenantId}|${c.id}`);
    w.connections.accounts.clear();
    w.clock.t = Date.parse("2027-01-01T00:00:00.000Z");
    await connect();
    w.clock.t = Date.parse("2027-01-25T10:00:00.000Z") - REFRESH_AHEAD_MS + 60_000;
    w.linkedin.renewResult = renewResult as never;
    await handler({}, CONTEXT);
  }
}

// --- the checks ----------------------------------------------------------------------------

interface TemplateMetric {
  readonly where: string;
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Record<string, string>;
}

/** Metrics of every alarm (plain and metric-math) in the stateless template. */
function alarmMetrics(): TemplateMetric[] {
  const out: TemplateMetric[] = [];
  const dims = (list?: { Name: string; Value: unknown }[]) =>
    Object.fromEntries(
      (list ?? []).map((d) => [d.Name, typeof d.Value === "string" ? d.Value : JSON.stringify(d.Value)]),
    );
  for (const alarm of Object.values(resourcesOf(s.statelessTemplate, "AWS::CloudWatch::Alarm"))) {
    const p = alarm.Properties as {
      AlarmName: string;
      Namespace?: string;
      MetricName?: string;
      Dimensions?: { Name: string; Value: unknown }[];
      Metrics?: {
        MetricStat?: {
          Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
        };
      }[];
    };
    if (p.MetricName)
      out.push({
        where: p.AlarmName,
        namespace: p.Namespace!,
        metric: p.MetricName,
        dimensions: dims(p.Dimensions),
      });
    for (const m of p.Metrics ?? []) {
      if (!m.MetricStat) continue;
      const { Namespace, MetricName, Dimensions } = m.MetricStat.Metric;
      out.push({
        where: p.AlarmName,
        namespace: Namespace,
        metric: MetricName,
        dimensions: dims(Dimensions),
      });
    }
  }
  return out;
}

/**
 * Metrics of the dashboard's widgets (the body is a string joined with tokens). A token (a Ref,
 * GetAtt or ImportValue) stands in the result as its JSON, as alarm dimensions do.
 */
function dashboardMetrics(namespace: string | undefined = METRICS.namespace): TemplateMetric[] {
  const [dashboard] = Object.values(resourcesOf(s.statelessTemplate, "AWS::CloudWatch::Dashboard"));
  const raw = dashboard!.Properties!.DashboardBody as unknown;
  const tokens: unknown[] = [];
  const text =
    typeof raw === "string"
      ? raw
      : ((raw as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1] ?? [])
          .map((part) => (typeof part === "string" ? part : `@token${tokens.push(part) - 1}@`))
          .join("");
  const detoken = (v: string) => {
    const t = /^@token(\d+)@$/.exec(v);
    return t ? JSON.stringify(tokens[Number(t[1])]) : v;
  };
  const body = JSON.parse(text) as { widgets: { properties: { metrics?: unknown[][] } }[] };
  const out: TemplateMetric[] = [];
  for (const widget of body.widgets) {
    for (const row of widget.properties.metrics ?? []) {
      const parts = row.filter((p): p is string => typeof p === "string");
      const [ns, metric, ...rest] = parts;
      if (namespace !== undefined && ns !== namespace) continue;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i]!] = detoken(rest[i + 1]!);
      out.push({ where: "dashboard", namespace: ns!, metric: metric!, dimensions });
    }
  }
  return out;
}

/**
 * The metrics AWS services publish that Herald alarms on or charts, with the dimension set each
 * is published under (Lambda: per FunctionName; SQS: per QueueName; HTTP APIs: per ApiId) and
 * the deployed resource a dimension value must name. Sources: the Lambda, SQS and API Gateway
 * HTTP API metric pages of the AWS documentation (docs/infrastructure.md).
 */
const AWS_PUBLISHED: Record<
  string,
  { readonly metrics: readonly string[]; readonly dimension: string; readonly resourceType: string }
> = {
  "AWS/Lambda": {
    metrics: ["Errors", "Throttles", "Invocations", "Duration", "ConcurrentExecutions"],
    dimension: "FunctionName",
    resourceType: "AWS::Lambda::Function",
  },
  "AWS/SQS": {
    metrics: [
      "ApproximateNumberOfMessagesVisible",
      "ApproximateAgeOfOldestMessage",
      "NumberOfMessagesSent",
      "NumberOfMessagesReceived",
    ],
    dimension: "QueueName",
    resourceType: "AWS::SQS::Queue",
  },
  "AWS/ApiGateway": {
    metrics: ["4xx", "5xx", "Count", "Latency", "IntegrationLatency", "DataProcessed"],
    dimension: "ApiId",
    resourceType: "AWS::ApiGatewayV2::Api",
  },
};

/**
 * The deployed resource a dimension value names, as `<type> <logical id>`: a function by its
 * FunctionName, a Ref, a GetAtt, or an ImportValue of the stateful stack's export of one.
 */
function resourceNamed(value: string): string | undefined {
  const templates = [s.statelessTemplate, s.statefulTemplate];
  const typeOf = (id: string) =>
    templates.map((t) => (t.toJSON().Resources as Record<string, { Type: string }>)[id]?.Type).find(Boolean);
  const token = value.startsWith("{") ? (JSON.parse(value) as Record<string, unknown>) : undefined;
  if (!token) {
    for (const t of templates) {
      for (const [id, fn] of Object.entries(resourcesOf(t, "AWS::Lambda::Function")))
        if (fn.Properties?.FunctionName === value) return `AWS::Lambda::Function ${id}`;
    }
    return undefined;
  }
  let ref = token;
  if ("Fn::ImportValue" in ref) {
    const outputs = s.statefulTemplate.toJSON().Outputs as Record<
      string,
      { Value: Record<string, unknown>; Export?: { Name: string } }
    >;
    const exported = Object.values(outputs).find((o) => o.Export?.Name === ref["Fn::ImportValue"]);
    if (!exported) return undefined;
    ref = exported.Value;
  }
  const id = "Ref" in ref ? (ref.Ref as string) : ((ref["Fn::GetAtt"] as string[] | undefined)?.[0] ?? "");
  const type = typeOf(id);
  return type ? `${type} ${id}` : undefined;
}
const matches = (m: TemplateMetric) =>
  emitted.some(
    (e) =>
      e.namespace === m.namespace &&
      e.metric === m.metric &&
      JSON.stringify(Object.entries(e.dimensions).sort()) ===
        JSON.stringify(Object.entries(m.dimensions).sort()),
  );

const describeEmitted = () =>
  [...new Set(emitted.map((e) => `${e.namespace}/${e.metric} ${JSON.stringify(e.dimensions)}`))]
    .sort()
    .join("\n");

describe("metric identity", () => {
  it("the handlers emit in Herald's namespace with service=herald (not the function name)", () => {
    const herald = emitted.filter((e) => e.namespace === METRICS.namespace);
    expect(herald.map((e) => e.metric)).toEqual(expect.arrayContaining(["PublishOutcome", "TokenRefresh"]));
    for (const e of herald) expect(e.dimensions.service, `${e.metric}`).toBe(METRICS.service);
  });

  it("every function deploys the Powertools settings the handlers ran under here (only the logger's service differs)", () => {
    // The handlers above ran with the publish worker's deployed POWERTOOLS_* values; that stands
    // for every function only if no function deploys other ones (e.g. metrics disabled).
    const powertools = (id: string) => {
      const vars = (
        resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[id]!.Properties!.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      return Object.fromEntries(
        Object.entries(vars).filter(
          ([k]) => k.startsWith("POWERTOOLS_") && k !== ENV.POWERTOOLS_SERVICE_NAME,
        ),
      );
    };
    const ids = Object.keys(resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")).filter(
      (id) => !id.startsWith("LogRetention") && !id.startsWith("AWS"),
    );
    const reference = powertools(functionLogicalId(s.statelessTemplate, "metrics", "publish"));
    expect(reference[ENV.POWERTOOLS_METRICS_NAMESPACE]).toBe(METRICS.namespace);
    expect(Object.keys(reference)).not.toContain("POWERTOOLS_METRICS_DISABLED");
    expect(Object.keys(reference)).not.toContain("POWERTOOLS_DEV");
    expect(ids.length).toBeGreaterThan(30);
    for (const id of ids) expect(powertools(id), id).toEqual(reference);
  });

  it("every alarm metric in Herald's namespace is one a handler emitted", () => {
    const custom = alarmMetrics().filter((m) => m.namespace === METRICS.namespace);
    expect(custom.map((m) => m.where)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/publish-failure-rate$/),
        expect.stringMatching(/token-refresh-failures$/),
      ]),
    );
    for (const m of custom) {
      expect(
        matches(m),
        `${m.where}: ${m.metric} ${JSON.stringify(m.dimensions)}\nemitted:\n${describeEmitted()}`,
      ).toBe(true);
    }
  });

  it("every alarm and dashboard metric outside Herald's namespace is one an AWS service publishes, per a resource the stage deploys", () => {
    const outside = [...alarmMetrics(), ...dashboardMetrics(undefined)].filter(
      (x) => x.namespace !== METRICS.namespace,
    );
    expect(new Set(outside.map((m) => m.namespace))).toEqual(
      new Set(["AWS/Lambda", "AWS/SQS", "AWS/ApiGateway"]),
    );
    for (const m of outside) {
      const what = `${m.where}: ${m.namespace}/${m.metric} ${JSON.stringify(m.dimensions)}`;
      const published = AWS_PUBLISHED[m.namespace];
      expect(published, what).toBeDefined();
      expect(published!.metrics, what).toContain(m.metric);
      expect(Object.keys(m.dimensions), what).toEqual([published!.dimension]);
      expect(resourceNamed(m.dimensions[published!.dimension]!), what).toMatch(
        new RegExp(`^${published!.resourceType} `),
      );
    }
  });

  it("resolves a dimension value to a deployed resource only when one is named", () => {
    expect(resourceNamed("herald-metrics-publish")).toMatch(/^AWS::Lambda::Function /);
    expect(resourceNamed("herald-metrics-no-such-function")).toBeUndefined();
    expect(
      resourceNamed(JSON.stringify({ "Fn::ImportValue": "herald-metrics-stateful:NoSuchExport" })),
    ).toBeUndefined();
    expect(resourceNamed(JSON.stringify({ Ref: "NoSuchResource" }))).toBeUndefined();
  });

  it("every dashboard metric in Herald's namespace is one a handler emitted", () => {
    const onDashboard = dashboardMetrics();
    expect(onDashboard.map((m) => m.metric)).toEqual(
      expect.arrayContaining(["PublishOutcome", "PublishLagMs", "BreakerTransition"]),
    );
    for (const m of onDashboard) {
      expect(
        matches(m),
        `${m.where}: ${m.metric} ${JSON.stringify(m.dimensions)}\nemitted:\n${describeEmitted()}`,
      ).toBe(true);
    }
  });
});
