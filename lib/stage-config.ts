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
  /** Optional e-mail subscribed to the stage's alarm topic. Default: none. */
  readonly alarmEmail?: string;
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
  return {
    name,
    retainData: prodLike,
    logRetentionDays: prodLike ? 365 : 30,
    apiThrottle: prodLike ? { rateLimit: 200, burstLimit: 400 } : { rateLimit: 50, burstLimit: 100 },
    runbookBaseUrl: "docs/runbooks",
    providers: REAL_PROVIDER_URLS,
    code: "bundle",
    ...overrides,
  };
}
