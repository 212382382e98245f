/**
 * What a running local stack publishes about itself (`.herald/local.json`), read by the
 * token and tail CLIs and by tests. Secrets never appear here.
 */

/** The directory for local state: `$HERALD_LOCAL_DIR` or `<repo>/.herald`. */
export const LOCAL_DIR_ENV = "HERALD_LOCAL_DIR";

export interface LocalStackInfo {
  readonly apiUrl: string;
  readonly identity: {
    readonly issuer: string;
    readonly jwksUrl: string;
    readonly clientId: string;
    readonly tokenUrl: string;
  };
  /** Provider sandbox base URL, when the sandbox module exists. */
  readonly sandboxUrl?: string;
  readonly aws: {
    readonly region: string;
    readonly accountId: string;
    readonly dynamodb: string;
    readonly sqs: string;
    readonly scheduler: string;
    readonly secretsmanager: string;
    readonly kms: string;
    readonly eventbridge: string;
  };
  readonly resources: {
    readonly stage: string;
    readonly table: string;
    /** Queue URLs: `publish`, `publishDlq`, `webhook`, `webhookDlq`, `schedulerDlq`, `eventsDlq`. */
    readonly queues: Readonly<Record<string, string>>;
    /** Queue ARNs, same keys. */
    readonly queueArns: Readonly<Record<string, string>>;
    readonly scheduleGroup: string;
    readonly schedulerRoleArn: string;
    readonly bus: string;
    /** Secret names by id (`appCredentials`). */
    readonly secrets: Readonly<Record<string, string>>;
    /** The token vault's KMS key: id, ARN (what functions get as `TOKEN_KEY_ID`) and alias. */
    readonly tokenKey: { readonly id: string; readonly arn: string; readonly alias: string };
  };
  /**
   * The handlers' minimum schedule lead (`HERALD_MIN_SCHEDULE_LEAD_SECONDS`): a post scheduled
   * sooner is refused. Tests derive their lead times from it.
   */
  readonly minScheduleLeadSeconds: number;
  /** Where the stack keeps its files (local.json, activity.jsonl, data/). */
  readonly dir: string;
  readonly activityLog: string;
  /** PID of the Node process running the stack. */
  readonly pid: number;
  /** PIDs of the child processes (DynamoDB Local's java and its watchdog). */
  readonly children: readonly number[];
  readonly startedAt: string;
  readonly startupMs: number;
}
