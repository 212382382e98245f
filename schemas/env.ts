import type { QueueId } from "./resources.js";

/**
 * Every environment variable Herald reads, declared once. CDK (lib/) sets them from the
 * function manifest's bindings, the local stack (local/) sets them to local endpoints, and
 * handlers read them through `loadConfig` (functions/platform/config.ts) at cold start.
 */
export const ENV = {
  /** Stage name, e.g. `dev`, `acme-prod`. */
  STAGE: "HERALD_STAGE",
  /** The single DynamoDB table. */
  TABLE_NAME: "HERALD_TABLE_NAME",
  /** Publish queue URL and ARN (the Scheduler targets the ARN). */
  PUBLISH_QUEUE_URL: "HERALD_PUBLISH_QUEUE_URL",
  PUBLISH_QUEUE_ARN: "HERALD_PUBLISH_QUEUE_ARN",
  /** Webhook queue URL (the `sendTo: ["webhook"]` binding; no function reads it until webhooks are built). */
  WEBHOOK_QUEUE_URL: "HERALD_WEBHOOK_QUEUE_URL",
  /**
   * Dead-letter queue URLs, set for the consumers of each queue (a queue trigger): the SQS chain
   * (functions/platform/batch.ts) sends a malformed message straight there with its reason.
   */
  PUBLISH_DLQ_URL: "HERALD_PUBLISH_DLQ_URL",
  WEBHOOK_DLQ_URL: "HERALD_WEBHOOK_DLQ_URL",
  /** The stage's EventBridge bus for domain events. */
  EVENT_BUS_NAME: "HERALD_EVENT_BUS_NAME",
  /** EventBridge Scheduler group and the role it assumes to send to the publish queue. */
  SCHEDULE_GROUP_NAME: "HERALD_SCHEDULE_GROUP_NAME",
  SCHEDULER_ROLE_ARN: "HERALD_SCHEDULER_ROLE_ARN",
  /** Dead-letter queue for schedules the Scheduler could not deliver. */
  SCHEDULER_DLQ_ARN: "HERALD_SCHEDULER_DLQ_ARN",
  /** Secrets Manager secret holding provider app credentials (Meta, LinkedIn). */
  APP_CREDENTIALS_SECRET_ID: "HERALD_APP_CREDENTIALS_SECRET_ID",
  /** The KMS key (id, ARN or alias) whose data keys seal provider tokens (the token vault). */
  TOKEN_KEY_ID: "HERALD_TOKEN_KEY_ID",
  /**
   * Provider base URLs, each replacing one real host (real paths follow): in AWS the real
   * hosts, locally the sandbox's prefixes (`<sandbox>/meta/graph`, …).
   */
  /** Replaces `https://graph.facebook.com`. */
  META_GRAPH_URL: "HERALD_META_GRAPH_URL",
  /** Replaces `https://www.facebook.com` (login dialog). */
  META_WWW_URL: "HERALD_META_WWW_URL",
  /** Replaces `https://api.linkedin.com`. */
  LINKEDIN_API_URL: "HERALD_LINKEDIN_API_URL",
  /** Replaces `https://www.linkedin.com` (OAuth, upload URLs). */
  LINKEDIN_WWW_URL: "HERALD_LINKEDIN_WWW_URL",
  /** Public base URL of the HTTP API (OAuth redirect URIs are built from it). */
  PUBLIC_API_URL: "HERALD_PUBLIC_API_URL",
  /** Graph API version used in paths, e.g. `v25.0` (default in functions/providers/meta). */
  META_GRAPH_VERSION: "HERALD_META_GRAPH_VERSION",
  /** `LinkedIn-Version` header for `/rest` calls, e.g. `202601` (default in functions/providers/linkedin). */
  LINKEDIN_VERSION: "HERALD_LINKEDIN_VERSION",
  /** `true` sends a PKCE S256 challenge on LinkedIn authorization (only for apps where LinkedIn enables PKCE). */
  LINKEDIN_PKCE: "HERALD_LINKEDIN_PKCE",
  /**
   * Comma-separated OAuth return-URL prefixes accepted for every tenant in this stage, on top of
   * each tenant's `oauthReturnUrls`; the local stack sets `http://localhost,http://127.0.0.1`.
   */
  OAUTH_RETURN_URL_DEFAULTS: "HERALD_OAUTH_RETURN_URL_DEFAULTS",
  /** Hosts whose media URLs may resolve to loopback (the local sandbox only). */
  MEDIA_HOST_ALLOWLIST: "HERALD_MEDIA_HOST_ALLOWLIST",
  /** Earliest a post may be scheduled, seconds ahead (default 60; the local stack may lower it for tests). */
  MIN_SCHEDULE_LEAD_SECONDS: "HERALD_MIN_SCHEDULE_LEAD_SECONDS",
  /** Latest a post may be scheduled, days ahead (default 365). */
  SCHEDULE_HORIZON_DAYS: "HERALD_SCHEDULE_HORIZON_DAYS",
  /** Request body limit for HTTP handlers, bytes. */
  MAX_BODY_BYTES: "HERALD_MAX_BODY_BYTES",
  /** Powertools. */
  POWERTOOLS_SERVICE_NAME: "POWERTOOLS_SERVICE_NAME",
  POWERTOOLS_METRICS_NAMESPACE: "POWERTOOLS_METRICS_NAMESPACE",
  POWERTOOLS_LOG_LEVEL: "POWERTOOLS_LOG_LEVEL",
} as const;

export type EnvKey = keyof typeof ENV;

/** The variable holding the dead-letter queue URL of each queue, for that queue's consumers. */
export const QUEUE_DLQ_ENV = {
  publish: "PUBLISH_DLQ_URL",
  webhook: "WEBHOOK_DLQ_URL",
} as const satisfies Readonly<Record<QueueId, EnvKey>>;
export type EnvName = (typeof ENV)[EnvKey];

/** Metrics namespace shared by every function. */
export const METRICS_NAMESPACE = "Herald";
