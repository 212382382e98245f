/**
 * The shape of Herald's stateful resources, declared once as data. The CDK stateful stack
 * (lib/) builds them from here and the local stack (local/) creates the same table, queues,
 * schedule group, bus and secrets from here, so the two cannot drift.
 */

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
    visibilityTimeoutSeconds: 6 * 60,
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
  /** The EventBridge rule of a function's event trigger (the index counts its event triggers). */
  eventRule: (stage: string, fn: string, index = 0) => `herald-${stage}-${fn}${index ? `-${index}` : ""}`,
  scheduleGroup: (stage: string) => `herald-${stage}`,
  bus: (stage: string) => `herald-${stage}`,
  secret: (stage: string, id: SecretId) => `herald/${stage}/${id}`,
  /** The token key's alias. */
  tokenKeyAlias: (stage: string) => `alias/herald-${stage}-${TOKEN_KEY.id}`,
} as const;
