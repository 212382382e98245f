/**
 * The one place where a function's manifest bindings become environment variables AND IAM
 * grants, together: a binding cannot set a variable without the permission, or the reverse.
 * Variable names come only from `schemas/env.ts`.
 */
import { ArnFormat, Stack, Token } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { Bindings, Trigger } from "../functions/manifest.js";
import { ENV, type EnvKey, QUEUE_DLQ_ENV } from "../schemas/env.js";
import { type QueueId, type SecretId, TABLE, TOKEN_KEY } from "../schemas/resources.js";
import { acknowledge } from "./nag.js";
import type { StageConfig } from "./stage-config.js";
import type { StatefulResources } from "./stateful-stack.js";

/** Env vars set for each queue a function sends to. */
export const QUEUE_ENV: Readonly<Record<QueueId, { url: EnvKey; arn?: EnvKey }>> = {
  publish: { url: "PUBLISH_QUEUE_URL", arn: "PUBLISH_QUEUE_ARN" },
  webhook: { url: "WEBHOOK_QUEUE_URL" },
};

/** Env var holding each secret's ARN. */
export const SECRET_ENV: Readonly<Record<SecretId, EnvKey>> = {
  appCredentials: "APP_CREDENTIALS_SECRET_ID",
};

/** The only KMS actions of the `tokenVault` binding (no Encrypt, no key management). */
export const TOKEN_VAULT_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/**
 * The `tokenVault` condition: the request's encryption context has exactly the keys
 * `tenant`, `connection` and `purpose`. `ForAllValues` refuses any other key (but alone would
 * pass a request with no context at all); the `Null` checks require each of the three.
 */
export const TOKEN_VAULT_CONDITIONS = {
  "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": [...TOKEN_KEY.encryptionContextKeys] },
  Null: Object.fromEntries(
    TOKEN_KEY.encryptionContextKeys.map((k) => [`kms:EncryptionContext:${k}`, "false"]),
  ),
};

/** DynamoDB data-plane actions of the `table: "read"` binding (no Scan: every access pattern is a key lookup or a Query). */
export const TABLE_READ_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DescribeTable",
] as const;

/** Added by `table: "readWrite"`. */
export const TABLE_WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
] as const;

/** Scheduler actions a function with the `scheduler` binding may call, on its group's schedules only. */
export const SCHEDULER_ACTIONS = [
  "scheduler:CreateSchedule",
  "scheduler:UpdateSchedule",
  "scheduler:DeleteSchedule",
  "scheduler:GetSchedule",
] as const;

export interface BindingContext {
  readonly resources: StatefulResources;
  readonly stage: StageConfig;
  /** Public base URL of the HTTP API (for OAuth redirect URIs). */
  readonly publicApiUrl: string;
}

/** Where an env var's value comes from, given the stage's resources. */
type EnvSource = (ctx: BindingContext) => string;

/** The queues a function consumes (its queue triggers). */
const consumedQueues = (triggers: readonly Trigger[]): QueueId[] => [
  ...new Set(triggers.flatMap((t) => (t.type === "queue" ? [t.queue] : []))),
];

/**
 * The env vars a function's bindings (and queue triggers) give it, each with its source: the
 * one list both `bindFunction` (CDK) and `bindingEnvKeys` (the bench) read.
 */
function bindingEnv(bindings: Bindings, triggers: readonly Trigger[]): [EnvKey, EnvSource][] {
  const env: [EnvKey, EnvSource][] = [];
  // A consumer sends malformed messages straight to its queue's DLQ (functions/platform/batch.ts).
  for (const id of consumedQueues(triggers))
    env.push([QUEUE_DLQ_ENV[id], (c) => c.resources.deadLetterQueues[id].queueUrl]);
  if (bindings.table) env.push(["TABLE_NAME", (c) => c.resources.table.tableName]);
  for (const id of bindings.sendTo ?? []) {
    const { url, arn } = QUEUE_ENV[id];
    env.push([url, (c) => c.resources.queues[id].queueUrl]);
    if (arn) env.push([arn, (c) => c.resources.queues[id].queueArn]);
  }
  if (bindings.bus) env.push(["EVENT_BUS_NAME", (c) => c.resources.bus.eventBusName]);
  if (bindings.scheduler) {
    env.push(
      ["SCHEDULE_GROUP_NAME", (c) => c.resources.scheduleGroup.scheduleGroupName],
      ["SCHEDULER_ROLE_ARN", (c) => c.resources.schedulerRole.roleArn],
      ["SCHEDULER_DLQ_ARN", (c) => c.resources.schedulerDlq.queueArn],
      ["PUBLISH_QUEUE_ARN", (c) => c.resources.queues.publish.queueArn],
    );
  }
  for (const id of bindings.secrets ?? [])
    env.push([SECRET_ENV[id], (c) => c.resources.secrets[id].secretArn]);
  if (bindings.tokenVault) env.push(["TOKEN_KEY_ID", (c) => c.resources.tokenKey.keyArn]);
  if (bindings.providers) {
    env.push(
      ["META_GRAPH_URL", (c) => c.stage.providers.metaGraph],
      ["META_WWW_URL", (c) => c.stage.providers.metaWww],
      ["LINKEDIN_API_URL", (c) => c.stage.providers.linkedinApi],
      ["LINKEDIN_WWW_URL", (c) => c.stage.providers.linkedinWww],
      ["PUBLIC_API_URL", (c) => c.publicApiUrl],
    );
  }
  return env;
}

/** Env var keys a function gets for its bindings (what `bindFunction` sets; the bench sets the same). */
export const bindingEnvKeys = (bindings: Bindings, triggers: readonly Trigger[] = []): EnvKey[] => [
  ...new Set(bindingEnv(bindings, triggers).map(([key]) => key)),
];

/** Apply a function's bindings: env vars and least-privilege grants. */
export function bindFunction(
  fn: LambdaFunction,
  bindings: Bindings,
  ctx: BindingContext,
  triggers: readonly Trigger[] = [],
): void {
  const { resources } = ctx;
  for (const [key, source] of bindingEnv(bindings, triggers)) fn.addEnvironment(ENV[key], source(ctx));

  for (const id of consumedQueues(triggers)) {
    resources.deadLetterQueues[id].grantSendMessages(fn);
  }

  if (bindings.table) {
    // Named index ARNs from TABLE instead of the `index/*` wildcard the L2 grants use.
    const tableArn = resources.table.tableArn;
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: bindings.table === "readWrite" ? "TableReadWrite" : "TableRead",
        actions:
          bindings.table === "readWrite"
            ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS]
            : [...TABLE_READ_ACTIONS],
        resources: [tableArn, ...TABLE.globalIndexes.map((index) => `${tableArn}/index/${index.name}`)],
      }),
    );
  }

  for (const id of bindings.sendTo ?? []) {
    resources.queues[id].grantSendMessages(fn);
  }

  if (bindings.bus) {
    resources.bus.grantPutEventsTo(fn);
  }

  if (bindings.scheduler) {
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: "ManageStageSchedules",
        actions: [...SCHEDULER_ACTIONS],
        resources: [
          Stack.of(fn).formatArn({
            service: "scheduler",
            resource: "schedule",
            resourceName: `${resources.scheduleGroup.scheduleGroupName}/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
    );
    // cdk-nag names the finding after the ARN as written: pseudo parameters for unresolved
    // parts (environment-agnostic synth), literals when the stage has a concrete env.
    const stack = Stack.of(fn);
    const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const scheduleArnText =
      `arn:${part(stack.partition, "Partition")}:scheduler:${part(stack.region, "Region")}:` +
      `${part(stack.account, "AccountId")}:schedule/${resources.scheduleGroup.scheduleGroupName}/*`;
    acknowledge(fn, {
      id: `AwsSolutions-IAM5[Resource::${scheduleArnText}]`,
      reason:
        "Schedule names are created at run time (one per delivery); the wildcard is limited to the stage's own schedule group.",
    });
    // The schedules it creates run as the scheduler role: pass that role, to Scheduler only.
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: "PassSchedulerRole",
        actions: ["iam:PassRole"],
        resources: [resources.schedulerRole.roleArn],
        conditions: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
      }),
    );
  }

  for (const id of bindings.secrets ?? []) {
    resources.secrets[id].grantRead(fn);
  }

  if (bindings.tokenVault) {
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: "TokenVaultDataKeys",
        actions: [...TOKEN_VAULT_ACTIONS],
        resources: [resources.tokenKey.keyArn],
        conditions: TOKEN_VAULT_CONDITIONS,
      }),
    );
  }
}
