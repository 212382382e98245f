/**
 * The shape of Herald's stateful resources, declared once as data. The CDK stateful stack
 * (lib/) builds them from here and the local stack (local/) creates the same table, queues,
 * schedule group, bus and secrets from here, so the two cannot drift.
 */

import { METRICS_NAMESPACE } from "./env.js";

/**
 * The identity of every custom metric Herald emits (Powertools EMF): the namespace and the
 * `service` dimension Powertools adds to each metric. One value for every function, on
 * purpose: alarms and dashboards ask for `service=herald` and the functions emit exactly that
 * (the logger's service name stays per function, `POWERTOOLS_SERVICE_NAME`). CDK, the
 * functions (`functions/platform/observability.ts`) and the local stack read it from here;
 * `test/infra/emitted-metrics.test.ts` checks every alarm against what the handlers emit.
 */
export const METRICS = {
  namespace: METRICS_NAMESPACE,
  /** The value of the `service` dimension on every Herald metric. */
  service: "herald",
} as const;

/**
 * The publish worker's timing, derived from its Lambda timeout (the one declared value):
 * - the lease a claim holds lasts 1.5× the timeout, so a run that is still going is never
 *   taken over, and a run that died (timeout, crash) is taken over by the next receive;
 * - the publish queue's visibility is 6× the timeout (AWS guidance for SQS event sources),
 *   so a message in flight is not received again while its lease can still be live.
 * The manifest, the worker (`leaseMs`) and `QUEUES.publish` read these;
 * `test/infra/worker-timing.test.ts` checks the synthesized function and queue.
 */
export const PUBLISH_WORKER_TIMEOUT_SECONDS = 60;
export const PUBLISH_WORKER = {
  timeoutSeconds: PUBLISH_WORKER_TIMEOUT_SECONDS,
  leaseMs: PUBLISH_WORKER_TIMEOUT_SECONDS * 1_500,
  visibilityTimeoutSeconds: PUBLISH_WORKER_TIMEOUT_SECONDS * 6,
} as const;

/** Single-table design: generic key names, entity prefixes in the values. */
export const TABLE = {
  partitionKey: "PK",
  sortKey: "SK",
  /** Items with this attribute (epoch seconds) are expired by DynamoDB TTL. */
  ttlAttribute: "expiresAt",
  globalIndexes: [
    /** GSI1: alternate lookups inside a tenant (by status, by target, by date). */
    { name: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" },
    /** GSI2: cross-tenant work lists for crons (e.g. connections by expiry bucket). */
    { name: "GSI2", partitionKey: "GSI2PK", sortKey: "GSI2SK" },
  ],
} as const;

export type TableIndexName = (typeof TABLE.globalIndexes)[number]["name"];

export interface QueueDefinition {
  /** Logical id, also the local queue name suffix. */
  readonly id: QueueId;
  /** Seconds a received message stays hidden; ≥ 6× the consumer's timeout (asserted in tests). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
  /** How long messages are kept (the DLQ keeps them longer). */
  readonly retentionDays: number;
  readonly dlqRetentionDays: number;
}

export type QueueId = "publish" | "webhook";

export const QUEUES: Record<QueueId, QueueDefinition> = {
  publish: {
    id: "publish",
    visibilityTimeoutSeconds: PUBLISH_WORKER.visibilityTimeoutSeconds,
    maxReceiveCount: 5,
    retentionDays: 4,
    dlqRetentionDays: 14,
  },
  // Reserved for provider webhooks (a future issue): created with its DLQ and alarm, but no
  // function sends to it or consumes it yet.
  webhook: {
    id: "webhook",
    visibilityTimeoutSeconds: 6 * 30,
    maxReceiveCount: 5,
    retentionDays: 4,
    dlqRetentionDays: 14,
  },
};

/** Dead-letter queue for schedules the Scheduler could not deliver to the publish queue. */
export const SCHEDULER_DLQ = { id: "scheduler-dlq", retentionDays: 14 } as const;

/**
 * Dead-letter queue of the domain-event consumers: events EventBridge could not hand to a
 * consumer (the event itself) and events whose consumer kept failing (Lambda's on-failure
 * record, the event under `requestPayload`).
 */
export const EVENTS_DLQ = { id: "events-dlq", retentionDays: 14 } as const;

/**
 * Dead-letter queue of the functions EventBridge Scheduler invokes on a cron: a run whose
 * handler threw (after Lambda's own retries) leaves its on-failure record here, so a failing
 * cron is seen (the queue alarms when not empty) instead of lost.
 */
export const CRONS_DLQ = { id: "crons-dlq", retentionDays: 14 } as const;

/**
 * How a cron run that throws is handled (the function's asynchronous-invoke config): Lambda
 * retries it `functionRetryAttempts` times, then sends the on-failure record to the crons DLQ.
 * A run older than `maxEventAgeSeconds` (throttled that long) goes there too.
 */
export const CRON_DELIVERY = { functionRetryAttempts: 2, maxEventAgeSeconds: 60 * 60 } as const;

/**
 * The OAuth scope every protected route requires. The pre-token-generation trigger adds it to
 * access tokens only; ID tokens carry no `scope` claim, so the HTTP API's JWT authorizer (and
 * the local gateway) refuse them on every protected route.
 */
export const API_SCOPE = "herald/api";

export type SecretId = "appCredentials";

export interface SecretDefinition {
  readonly id: SecretId;
  readonly description: string;
}

export const SECRETS: Record<SecretId, SecretDefinition> = {
  appCredentials: {
    id: "appCredentials",
    description:
      "Provider app credentials: Meta app id/secret, LinkedIn client id/secret, webhook verify tokens",
  },
};

/**
 * The token vault's KMS key (one per stage): symmetric, rotated yearly by KMS; functions with
 * the `tokenVault` binding may only GenerateDataKey and Decrypt with it, and only with an
 * encryption context of exactly `tenant`, `connection` and `purpose`.
 */
export const TOKEN_KEY = {
  id: "tokens",
  description: "Herald token vault: data keys for envelope encryption of provider tokens",
  /** The encryption-context keys every use of the key must carry (and no others). */
  encryptionContextKeys: ["tenant", "connection", "purpose"],
} as const;

/** Physical names derived from the stage, shared by CDK and the local stack. */
export const names = {
  table: (stage: string) => `herald-${stage}`,
  queue: (stage: string, id: QueueId) => `herald-${stage}-${id}`,
  dlq: (stage: string, id: QueueId) => `herald-${stage}-${id}-dlq`,
  schedulerDlq: (stage: string) => `herald-${stage}-${SCHEDULER_DLQ.id}`,
  eventsDlq: (stage: string) => `herald-${stage}-${EVENTS_DLQ.id}`,
  cronsDlq: (stage: string) => `herald-${stage}-${CRONS_DLQ.id}`,
  /** A manifest function's Lambda name. */
  function: (stage: string, fn: string) => `herald-${stage}-${fn}`,
  /** Its log group, named explicitly (the Lambda default, made a promise the runbooks can rely on). */
  functionLogGroup: (stage: string, fn: string) => `/aws/lambda/herald-${stage}-${fn}`,
  /** The HTTP API's JSON access logs. */
  apiAccessLogGroup: (stage: string) => `/aws/apigateway/herald-${stage}/access`,
  api: (stage: string) => `herald-${stage}`,
  userPool: (stage: string) => `herald-${stage}`,
  userPoolClient: (stage: string) => `herald-${stage}-api`,
  alarmTopic: (stage: string) => `herald-${stage}-alarms`,
  dashboard: (stage: string) => `herald-${stage}`,
  /** A CloudWatch alarm of the stage (`herald-<stage>-<name>`). */
  alarm: (stage: string, name: string) => `herald-${stage}-${name}`,
  /** The EventBridge rule of a function's event trigger (the index counts its event triggers). */
  eventRule: (stage: string, fn: string, index = 0) => `herald-${stage}-${fn}${index ? `-${index}` : ""}`,
  scheduleGroup: (stage: string) => `herald-${stage}`,
  bus: (stage: string) => `herald-${stage}`,
  secret: (stage: string, id: SecretId) => `herald/${stage}/${id}`,
  /** The token key's alias. */
  tokenKeyAlias: (stage: string) => `alias/herald-${stage}-${TOKEN_KEY.id}`,
} as const;
