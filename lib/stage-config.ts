/**
 * Typed stage configuration. A stage is one isolated copy of Herald (its own table, queues,
 * user pool, API): `dev`, `ci`, `prod`, or one per tenant silo (`acme`, `acme-prod`).
 * `cdk synth -c stage=<name>` and `tsx bin/herald.ts --stage <name>` both resolve here.
 */

/** 2–24 chars, lower-case letters, digits and single hyphens, starting with a letter. */
export const STAGE_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,23}$/;

export class StageConfigError extends Error {}

/** Where each provider's real host lives (the local stack swaps these for the sandbox). */
export interface ProviderUrls {
  readonly metaGraph: string;
  readonly metaWww: string;
  readonly linkedinApi: string;
  readonly linkedinWww: string;
}

export interface StageConfig {
  /** Validated stage name; every physical name derives from it (`schemas/resources.ts` `names`). */
  readonly name: string;
  /** Target account/region; unset = environment-agnostic synth (CDK_DEFAULT_* when deploying). */
  readonly env?: { readonly account?: string; readonly region?: string };
  /**
   * Prod-like stages keep their data: RETAIN on table, queues' DLQs, secrets and user pool,
   * DynamoDB deletion protection on. Default: true when the name is `prod` or ends in `-prod`.
   */
  readonly retainData: boolean;
  /** CloudWatch Logs retention for function and API access logs, days. Default 30 (prod-like 365). */
  readonly logRetentionDays: 30 | 90 | 365;
  /** HTTP API default-stage throttling. Default 50 req/s, burst 100. */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Throttling of each public route (OAuth callback, Meta callbacks, health), lower than the
   * default so a flood there cannot spend the authenticated API's budget. Default 10 req/s,
   * burst 20 (prod-like 20, burst 40).
   */
  readonly publicRouteThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Who the stage's alarm topic notifies: e-mail addresses and HTTPS endpoints (a chat
   * webhook or an incident tool's SNS integration URL; each must confirm the subscription).
   * From `-c alarmEmail=a@x,b@y` and `-c alarmWebhook=https://…`. Prod-like stages refuse to
   * synthesize without at least one. Default: none.
   */
  readonly alarmTargets: AlarmTargets;
  /** Prefix for the runbook link in alarm descriptions. Default: the repository path `docs/runbooks`. */
  readonly runbookBaseUrl: string;
  /** Provider base URLs. Default: the real hosts. */
  readonly providers: ProviderUrls;
  /**
   * How function code is produced. `bundle` (default): esbuild through `NodejsFunction`.
   * `placeholder`: a tiny inline handler, for infra tests that assert wiring and must not
   * bundle every function (the real bundling runs in `synth:nag` and `npm run bench`).
   */
  readonly code: "bundle" | "placeholder";
}

export interface AlarmTargets {
  readonly emails: readonly string[];
  readonly httpsEndpoints: readonly string[];
}

/** CDK context keys read by `stageOverridesFromContext` (`-c <key>=<value>`). */
export const STAGE_CONTEXT = { alarmEmail: "alarmEmail", alarmWebhook: "alarmWebhook" } as const;

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

const list = (value: unknown): string[] =>
  typeof value === "string"
    ? value
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
    : [];

/**
 * Stage overrides from CDK context (or the direct runner's flags): `alarmEmail` and
 * `alarmWebhook`, each one value or a comma-separated list. Throws `StageConfigError` for an
 * address that is not an e-mail or an endpoint that is not an `https://` URL.
 */
export function stageOverridesFromContext(get: (key: string) => unknown): Partial<Omit<StageConfig, "name">> {
  const emails = list(get(STAGE_CONTEXT.alarmEmail));
  const httpsEndpoints = list(get(STAGE_CONTEXT.alarmWebhook));
  for (const email of emails) {
    if (!EMAIL.test(email)) {
      throw new StageConfigError(
        `-c ${STAGE_CONTEXT.alarmEmail}: ${JSON.stringify(email)} is not an e-mail address.`,
      );
    }
  }
  for (const endpoint of httpsEndpoints) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== "https:") {
      throw new StageConfigError(
        `-c ${STAGE_CONTEXT.alarmWebhook}: ${JSON.stringify(endpoint)} is not an https:// URL (SNS delivers alarms to HTTPS endpoints only).`,
      );
    }
  }
  return emails.length || httpsEndpoints.length ? { alarmTargets: { emails, httpsEndpoints } } : {};
}

export const REAL_PROVIDER_URLS: ProviderUrls = {
  metaGraph: "https://graph.facebook.com",
  metaWww: "https://www.facebook.com",
  linkedinApi: "https://api.linkedin.com",
  linkedinWww: "https://www.linkedin.com",
};

const isProdLike = (name: string) => name === "prod" || name.endsWith("-prod");

/**
 * Resolve a stage name (plus optional overrides) into a full config.
 * Throws `StageConfigError` with a readable message for an invalid name.
 */
export function resolveStage(name: unknown, overrides: Partial<Omit<StageConfig, "name">> = {}): StageConfig {
  if (typeof name !== "string" || !STAGE_NAME.test(name)) {
    throw new StageConfigError(
      `Invalid stage name ${JSON.stringify(name)}: use 2–24 lower-case letters, digits and single hyphens, ` +
        `starting with a letter (e.g. dev, ci, acme-prod). Pass it as -c stage=<name> or --stage <name>.`,
    );
  }
  const prodLike = isProdLike(name);
  const config: StageConfig = {
    name,
    retainData: prodLike,
    logRetentionDays: prodLike ? 365 : 30,
    apiThrottle: prodLike ? { rateLimit: 200, burstLimit: 400 } : { rateLimit: 50, burstLimit: 100 },
    publicRouteThrottle: prodLike ? { rateLimit: 20, burstLimit: 40 } : { rateLimit: 10, burstLimit: 20 },
    runbookBaseUrl: "docs/runbooks",
    providers: REAL_PROVIDER_URLS,
    code: "bundle",
    alarmTargets: { emails: [], httpsEndpoints: [] },
    ...overrides,
  };
  const { emails, httpsEndpoints } = config.alarmTargets;
  if (prodLike && emails.length + httpsEndpoints.length === 0) {
    throw new StageConfigError(
      `Stage ${name} is prod-like: its alarms must reach someone. Pass -c ${STAGE_CONTEXT.alarmEmail}=ops@example.com ` +
        `(comma-separated for several) and/or -c ${STAGE_CONTEXT.alarmWebhook}=https://… ` +
        `(tsx bin/herald.ts: --alarm-email / --alarm-webhook).`,
    );
  }
  return config;
}
