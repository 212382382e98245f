/**
 * `startStack`: the whole of Herald on one machine, in one process tree.
 *
 *   DynamoDB Local (java child + watchdog) · SQS, Scheduler, EventBridge, Secrets Manager, KMS
 *   emulators (in-process) · identity provider · provider sandbox (when present) · resources
 *   created from schemas/resources.ts · process.env set for in-process handlers · API
 *   gateway · queue pollers · cron runner · activity log · .herald/local.json
 *
 * Used by `npm start` (bin/local.ts) and by the integration/e2e global setup.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { KMSClient } from "@aws-sdk/client-kms";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { EVENT_DELIVERY, FUNCTIONS, type FunctionSpec, type QueueTrigger } from "../../functions/manifest.js";
import { ENV, type EnvKey } from "../../schemas/env.js";
import { METRICS, QUEUES, type SecretId, TOKEN_KEY } from "../../schemas/resources.js";
import { startGateway } from "../gateway/index.js";
import { DEMO, LOCAL_CLIENT_ID, type RunningIdentity, startIdentity } from "../identity/index.js";
import { type AsyncInvoker, createAsyncInvoker } from "../runtime/async-invoke.js";
import { startCronRunner } from "../runtime/cron.js";
import { createEventRules } from "../runtime/event-rules.js";
import { createInvoker, REPO_ROOT } from "../runtime/invoker.js";
import { type RunningPoller, startQueuePoller } from "../runtime/poller.js";
import { type ActivityLog, createActivityLog } from "./activity.js";
import { startDynamoDbLocal } from "./dynamodb.js";
import { loadEmulators, type RunningEmulator } from "./emulators.js";
import { LOCAL_DIR_ENV, type LocalStackInfo } from "./info.js";
import { createResources } from "./resources.js";

export { JavaMissingError } from "./dynamodb.js";
export type { LocalStackInfo } from "./info.js";

export const REGION = "us-east-1";
export const ACCOUNT_ID = "000000000000";

export interface StackOptions {
  /** Keep DynamoDB data (and the local token key's material) in `<dir>/data`. */
  readonly persist?: boolean;
  /** Gateway port; 0 (the default here) = ephemeral. `npm start` passes 3000. */
  readonly apiPort?: number;
  readonly host?: string;
  /** No summary, handler logs silenced. */
  readonly quiet?: boolean;
  /** Default `local`. */
  readonly stage?: string;
  /** Where local.json, activity.jsonl and data/ go; default `$HERALD_LOCAL_DIR` or `<repo>/.herald`. */
  readonly dir?: string;
  /** Write `<dir>/local.json` (default true). */
  readonly writeInfo?: boolean;
  /** The functions to serve; default the manifest's. */
  readonly functions?: readonly FunctionSpec[];
  /** Extra or overriding handler environment values. */
  readonly env?: Partial<Record<EnvKey, string>>;
  /** Print progress lines (default: `!quiet`). */
  readonly log?: (line: string) => void;
}

export interface RunningStack {
  readonly info: LocalStackInfo;
  readonly activity: ActivityLog;
  readonly identity: RunningIdentity;
  /** Run a scheduled function now (same as `POST /_local/cron/<name>`). */
  triggerCron(name: string): Promise<unknown>;
  /** Stop everything this stack started; safe to call twice. */
  stop(): Promise<void>;
}

/** ENV keys the local stack leaves unset on purpose: the code's default is the local value. */
const CODE_DEFAULTS = new Set<EnvKey>([
  "META_GRAPH_VERSION",
  "LINKEDIN_VERSION",
  "LINKEDIN_PKCE",
  "SCHEDULE_HORIZON_DAYS",
] as EnvKey[]);

type Closer = { name: string; close: () => Promise<void> | void };

/** The default local directory. */
export const defaultLocalDir = () => process.env[LOCAL_DIR_ENV] ?? join(REPO_ROOT, ".herald");

interface SeedFile {
  tokenKey: { keyId: string; material: string };
}

/**
 * The token vault's KMS key (id and material), preloaded into the KMS emulator: generated once;
 * with --persist, kept next to the data so persisted sealed tokens stay readable.
 */
function tokenKeySeed(dataDir: string | undefined): SeedFile["tokenKey"] {
  const file = dataDir ? join(dataDir, "local-kms.json") : undefined;
  if (file && existsSync(file)) {
    try {
      const seed = JSON.parse(readFileSync(file, "utf8")) as SeedFile;
      if (typeof seed.tokenKey?.keyId === "string" && typeof seed.tokenKey.material === "string")
        return seed.tokenKey;
    } catch {
      // An unreadable seed file is replaced below.
    }
  }
  const tokenKey = { keyId: randomUUID(), material: randomBytes(32).toString("base64") };
  if (file) writeFileSync(file, `${JSON.stringify({ tokenKey } satisfies SeedFile)}\n`, { mode: 0o600 });
  return tokenKey;
}

type SandboxModule = typeof import("../sandbox/index.js");

async function loadSandbox(): Promise<SandboxModule | undefined> {
  if (!existsSync(join(REPO_ROOT, "local/sandbox/index.ts"))) return undefined;
  return (await import("../sandbox/index.js")) as SandboxModule;
}

function appCredentials(sandbox: SandboxModule | undefined): string {
  const apps = sandbox?.SANDBOX_APPS;
  const fake = (label: string) => `local-${label}-${randomBytes(8).toString("hex")}`;
  return JSON.stringify({
    meta: {
      appId: apps?.meta.appId ?? String(1e15 + Math.floor(Math.random() * 1e14)),
      appSecret: apps?.meta.appSecret ?? fake("meta-secret"),
      webhookVerifyToken: apps?.meta.webhookVerifyToken ?? fake("meta-verify"),
    },
    linkedin: {
      clientId: apps?.linkedin.clientId ?? fake("linkedin-client"),
      clientSecret: apps?.linkedin.clientSecret ?? fake("linkedin-secret"),
    },
  });
}

/** Start the local stack. Rejects (after cleaning up what started) if any part fails. */
export async function startStack(opts: StackOptions = {}): Promise<RunningStack> {
  const t0 = performance.now();
  const stage = opts.stage ?? "local";
  const host = opts.host ?? "127.0.0.1";
  const dir = resolve(opts.dir ?? defaultLocalDir());
  const dataDir = opts.persist ? join(dir, "data") : undefined;
  const functions = opts.functions ?? FUNCTIONS;
  const say = opts.log ?? (opts.quiet ? () => undefined : (line: string) => console.log(line));
  mkdirSync(dir, { recursive: true });
  const activityFile = join(dir, "activity.jsonl");
  const activity = createActivityLog(activityFile);
  const closers: Closer[] = [];
  const children: number[] = [];

  // If Node exits without stop() (an uncaught error in a test runner, process.exit), kill the
  // children synchronously; the watchdog covers SIGKILL.
  const killChildren = () => {
    for (const pid of children) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killChildren);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const c of [...closers].reverse()) {
      try {
        await c.close();
      } catch (error) {
        say(`  ! stopping ${c.name}: ${(error as Error).message}`);
      }
    }
    await activity.close();
    process.off("exit", killChildren);
  };

  try {
    const emulatorOpts = { host, region: REGION, accountId: ACCOUNT_ID, port: 0 };
    const emulators = await loadEmulators();
    const sandboxModule = await loadSandbox().catch((error: unknown) => {
      say(`  ! provider sandbox not started: ${(error as Error).message}`);
      return undefined;
    });

    // Independent parts start in parallel; java is the slow one.
    const dynamoP = startDynamoDbLocal({ dbPath: dataDir, host }).then((d) => {
      closers.push({ name: "DynamoDB Local", close: d.close });
      children.push(d.pid, d.watchdogPid);
      return d;
    });
    // Awaited below, after the emulators; mark it handled so an early failure is not "unhandled".
    dynamoP.catch(() => undefined);
    const track = async <T extends { close(): Promise<void> }>(name: string, p: Promise<T>) => {
      const v = await p;
      closers.push({ name, close: () => v.close() });
      return v;
    };
    const sqsEmu = await track("SQS emulator", emulators.startSqsEmulator(emulatorOpts));
    let invokerRef: ReturnType<typeof createInvoker> | undefined;
    let asyncRef: AsyncInvoker | undefined;
    const tokenKey = tokenKeySeed(dataDir);
    const [schedulerEmu, secretsEmu, kmsEmu, eventsEmu, identity, sandbox] = await Promise.all([
      track(
        "Scheduler emulator",
        emulators.startSchedulerEmulator({ ...emulatorOpts, sqsEndpoint: sqsEmu.url }),
      ),
      track("Secrets Manager emulator", emulators.startSecretsManagerEmulator(emulatorOpts)),
      track(
        "KMS emulator",
        emulators.startKmsEmulator({
          ...emulatorOpts,
          keys: [{ ...tokenKey, description: TOKEN_KEY.description }],
        }),
      ),
      track(
        "EventBridge emulator",
        emulators.startEventBridgeEmulator({
          ...emulatorOpts,
          sqsEndpoint: sqsEmu.url,
          // EventBridge invokes Lambda asynchronously: accepted at once, the handler's own
          // failures are Lambda's to retry (async-invoke.ts), not EventBridge's.
          invokeFunction: async (target, event) => {
            const fn = invokerRef?.find(target.arn);
            if (!fn || !asyncRef) throw new Error(`no local function for ${target.arn}`);
            asyncRef.accept(fn, event);
          },
        }),
      ),
      track("identity provider", startIdentity({ host })),
      sandboxModule
        ? track("provider sandbox", sandboxModule.startSandbox({ host, port: 0 }))
        : Promise.resolve(undefined),
    ]);
    const emus: [string, RunningEmulator][] = [
      ["sqs", sqsEmu],
      ["scheduler", schedulerEmu],
      ["secretsmanager", secretsEmu],
      ["kms", kmsEmu],
      ["eventbridge", eventsEmu],
    ];
    for (const [name, emu] of emus) activity.follow(emu.activity, name);
    const dynamo = await dynamoP;

    // Clients for provisioning: the same SDK v3 clients and endpoints the handlers use.
    const credentials = { accessKeyId: "local", secretAccessKey: "local" };
    const client = { region: REGION, credentials };
    const clients = {
      dynamodb: new DynamoDBClient({ ...client, endpoint: dynamo.endpoint }),
      sqs: new SQSClient({ ...client, endpoint: sqsEmu.url }),
      scheduler: new SchedulerClient({ ...client, endpoint: schedulerEmu.url }),
      secrets: new SecretsManagerClient({ ...client, endpoint: secretsEmu.url }),
      kms: new KMSClient({ ...client, endpoint: kmsEmu.url }),
      eventbridge: new EventBridgeClient({ ...client, endpoint: eventsEmu.url }),
    };
    closers.push({
      name: "SDK clients",
      close: () => {
        for (const c of Object.values(clients)) c.destroy();
      },
    });
    const secretValues: Record<SecretId, string> = {
      appCredentials: appCredentials(sandboxModule),
    };
    const resources = await createResources(clients, stage, secretValues, tokenKey.keyId);
    const schedulerRoleArn = `arn:aws:iam::${ACCOUNT_ID}:role/herald-${stage}-scheduler`;

    const invoker = createInvoker({ functions, stage, region: REGION, accountId: ACCOUNT_ID });
    invokerRef = invoker;
    const consumers = new Set(functions.filter((f) => f.triggers.some((t) => t.type === "event")));
    const asyncInvoker = createAsyncInvoker({
      invoker,
      sqs: clients.sqs,
      onFailure: (fn) => (consumers.has(fn) ? resources.queues.eventsDlq : undefined),
      retryAttempts: EVENT_DELIVERY.functionRetryAttempts,
      maxEventAgeSeconds: EVENT_DELIVERY.maxEventAgeSeconds,
      activity,
    });
    asyncRef = asyncInvoker;
    // Stops before the emulators and the SDK clients (closers run in reverse).
    closers.push({ name: "asynchronous invocations", close: () => asyncInvoker.stop() });
    const cron = startCronRunner({ functions, invoker, region: REGION, accountId: ACCOUNT_ID, activity });
    closers.push({ name: "cron runner", close: () => cron.stop() });

    const gateway = await track(
      "API gateway",
      startGateway({
        functions,
        invoker,
        host,
        port: opts.apiPort ?? 0,
        accountId: ACCOUNT_ID,
        activity,
        authorizer: { issuer: identity.issuer, jwksUrl: identity.jwksUrl, audience: [LOCAL_CLIENT_ID] },
        local: async (method, path) => {
          const m = /^\/_local\/cron\/([a-z0-9-]+)$/.exec(path);
          if (method !== "POST" || !m) return undefined;
          const run = await cron.trigger(m[1]!);
          return run
            ? { status: run.ok ? 200 : 500, body: run }
            : { status: 404, body: { message: `no scheduled function named ${m[1]}` } };
        },
      }),
    );

    // The handlers' environment: every ENV name, plus the SDK's standard endpoint variables.
    const providerUrl = sandbox?.url ?? "http://127.0.0.1:9";
    const env: Partial<Record<EnvKey, string>> = {
      STAGE: stage,
      TABLE_NAME: resources.table,
      PUBLISH_QUEUE_URL: resources.queues.publish!,
      PUBLISH_QUEUE_ARN: resources.queueArns.publish!,
      WEBHOOK_QUEUE_URL: resources.queues.webhook!,
      // Consumers send malformed messages straight to their queue's DLQ (functions/platform/batch.ts).
      PUBLISH_DLQ_URL: resources.queues.publishDlq!,
      WEBHOOK_DLQ_URL: resources.queues.webhookDlq!,
      EVENT_BUS_NAME: resources.bus,
      SCHEDULE_GROUP_NAME: resources.scheduleGroup,
      SCHEDULER_ROLE_ARN: schedulerRoleArn,
      SCHEDULER_DLQ_ARN: resources.queueArns.schedulerDlq!,
      APP_CREDENTIALS_SECRET_ID: resources.secrets.appCredentials,
      TOKEN_KEY_ID: resources.tokenKey.arn,
      META_GRAPH_URL: `${providerUrl}/meta/graph`,
      META_WWW_URL: `${providerUrl}/meta/www`,
      LINKEDIN_API_URL: `${providerUrl}/linkedin/api`,
      LINKEDIN_WWW_URL: `${providerUrl}/linkedin/www`,
      PUBLIC_API_URL: gateway.url,
      MEDIA_HOST_ALLOWLIST: new URL(providerUrl).host,
      OAUTH_RETURN_URL_DEFAULTS: "http://localhost,http://127.0.0.1",
      // Short lead time so a developer (and a test) can watch a post publish seconds later.
      MIN_SCHEDULE_LEAD_SECONDS: "5",
      MAX_BODY_BYTES: String(256 * 1024),
      // One process serves every function, so the logger's service is the metric identity's.
      POWERTOOLS_SERVICE_NAME: METRICS.service,
      POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? (opts.quiet ? "SILENT" : "WARN"),
      ...opts.env,
    };
    for (const [key, value] of Object.entries(env) as [EnvKey, string][]) process.env[ENV[key]] = value;
    const unset = (Object.keys(ENV) as EnvKey[]).filter((k) => env[k] === undefined && !CODE_DEFAULTS.has(k));
    if (unset.length)
      say(`  ! no local value for ${unset.map((k) => ENV[k]).join(", ")} (add one in local/stack/index.ts)`);
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEmu.url,
      AWS_ENDPOINT_URL_SCHEDULER: schedulerEmu.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEmu.url,
      AWS_ENDPOINT_URL_KMS: kmsEmu.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventsEmu.url,
      // EMF metrics would flood the console; CloudWatch is not emulated.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? "true",
      AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME ?? `herald-${stage}-local`,
    });
    delete process.env.AWS_PROFILE;

    await invoker.warm();
    const eventRules = await createEventRules({
      eventbridge: clients.eventbridge,
      functions,
      stage,
      bus: resources.bus,
      functionArn: invoker.functionArn,
      deadLetterArn: resources.queueArns.eventsDlq!,
    });

    const pollers: RunningPoller[] = [];
    for (const fn of functions) {
      for (const t of fn.triggers) {
        if (t.type !== "queue") continue;
        const trigger = t as QueueTrigger;
        if (!(trigger.queue in QUEUES)) continue;
        pollers.push(
          startQueuePoller({
            sqs: clients.sqs,
            fn,
            trigger,
            queueUrl: resources.queues[trigger.queue]!,
            queueArn: resources.queueArns[trigger.queue]!,
            region: REGION,
            invoker,
            activity,
          }),
        );
      }
    }
    // Pollers stop before the SQS emulator and the clients (closers run in reverse).
    closers.push({
      name: "queue pollers",
      close: async () => void (await Promise.all(pollers.map((p) => p.stop()))),
    });

    const startupMs = Math.round(performance.now() - t0);
    const info: LocalStackInfo = {
      apiUrl: gateway.url,
      identity: {
        issuer: identity.issuer,
        jwksUrl: identity.jwksUrl,
        clientId: identity.clientId,
        tokenUrl: identity.tokenUrl,
      },
      ...(sandbox ? { sandboxUrl: sandbox.url } : {}),
      aws: {
        region: REGION,
        accountId: ACCOUNT_ID,
        dynamodb: dynamo.endpoint,
        sqs: sqsEmu.url,
        scheduler: schedulerEmu.url,
        secretsmanager: secretsEmu.url,
        kms: kmsEmu.url,
        eventbridge: eventsEmu.url,
      },
      resources: { stage, ...resources, schedulerRoleArn },
      minScheduleLeadSeconds: Number(env.MIN_SCHEDULE_LEAD_SECONDS),
      dir,
      activityLog: activityFile,
      pid: process.pid,
      children: [...children],
      startedAt: new Date().toISOString(),
      startupMs,
    };
    const infoFile = join(dir, "local.json");
    if (opts.writeInfo !== false) {
      writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`);
      closers.unshift({
        name: "local.json",
        close: () => {
          // Remove it only if it is still ours (another stack may have started since).
          try {
            const current = JSON.parse(readFileSync(infoFile, "utf8")) as LocalStackInfo;
            if (current.pid === process.pid && current.apiUrl === info.apiUrl) writeFileSync(infoFile, "");
          } catch {
            // nothing to clean
          }
        },
      });
    }
    activity.record("stack", "ready", { startupMs, apiUrl: gateway.url, functions: functions.length });
    if (!opts.quiet) {
      say(summary(info, { routes: gateway.routes, pollers, cronJobs: cron.jobs, eventRules, startupMs }));
    }
    return {
      info,
      activity,
      identity,
      triggerCron: (name) => cron.trigger(name),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function summary(
  info: LocalStackInfo,
  s: {
    routes: number;
    pollers: RunningPoller[];
    cronJobs: readonly { function: string; expression: string; next?: string }[];
    eventRules: readonly { name: string; function: string }[];
    startupMs: number;
  },
): string {
  const row = (k: string, v: string) => `  ${k.padEnd(18)} ${v}`;
  const lines = [
    "",
    `Herald local stack (stage ${info.resources.stage}) ready in ${(s.startupMs / 1000).toFixed(1)} s`,
    "",
    row("API", `${info.apiUrl}  (${s.routes} routes)`),
    row("identity", info.identity.issuer),
    row("sandbox", info.sandboxUrl ?? "(not present)"),
    row("DynamoDB Local", `${info.aws.dynamodb}  table ${info.resources.table}`),
    row("SQS", `${info.aws.sqs}  ${Object.keys(info.resources.queues).join(", ")}`),
    row("Scheduler", `${info.aws.scheduler}  group ${info.resources.scheduleGroup}`),
    row("EventBridge", `${info.aws.eventbridge}  bus ${info.resources.bus}`),
    row("Secrets Manager", `${info.aws.secretsmanager}  ${Object.values(info.resources.secrets).join(", ")}`),
    row("KMS", `${info.aws.kms}  ${info.resources.tokenKey.alias}`),
    row("pollers", s.pollers.map((p) => p.functionName).join(", ") || "(no queue consumers yet)"),
    row(
      "crons",
      s.cronJobs.map((j) => `${j.function} ${j.expression}`).join(", ") || "(no scheduled functions yet)",
    ),
    row(
      "event rules",
      s.eventRules.map((r) => `${r.name} → ${r.function}`).join(", ") || "(no event consumers yet)",
    ),
    row("files", `${join(info.dir, "local.json")}, ${info.activityLog}`),
    "",
    `Demo tenant "${DEMO.tenant}": users ${DEMO.users.map((u) => u.sub).join(", ")}`,
    '  curl -H "authorization: Bearer $(npm run -s token -- --tenant demo --role admin)" ' +
      `${info.apiUrl}/v1/me`,
    "  npm run -s token -- --tenant demo --role editor",
    "  npm run tail          # follow what happens",
    "",
    "Ctrl-C stops everything.",
  ];
  return lines.join("\n");
}

/** A fresh id (exported for tools that tag their own requests). */
export const newId = () => randomUUID();
