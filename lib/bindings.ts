/**
 * The one place where a function's manifest bindings become environment variables AND IAM
 * grants, together: a binding cannot set a variable without the permission, or the reverse.
 * Variable names come only from `schemas/env.ts`.
 */
import { ArnFormat, Stack, Token } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { Bindings } from "../functions/manifest.js";
import { ENV, type EnvKey } from "../schemas/env.js";
import { type QueueId, type SecretId, TABLE } from "../schemas/resources.js";
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
  tokenKeys: "TOKEN_KEY_SECRET_ID",
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

/** Env var keys a function gets for its bindings (what `bindFunction` sets; the bench sets the same). */
export function bindingEnvKeys(bindings: Bindings): EnvKey[] {
  const keys = new Set<EnvKey>();
  if (bindings.table) keys.add("TABLE_NAME");
  for (const id of bindings.sendTo ?? []) {
    keys.add(QUEUE_ENV[id].url);
    const arn = QUEUE_ENV[id].arn;
    if (arn) keys.add(arn);
  }
  if (bindings.bus) keys.add("EVENT_BUS_NAME");
  if (bindings.scheduler) {
    for (const k of [
      "SCHEDULE_GROUP_NAME",
      "SCHEDULER_ROLE_ARN",
      "SCHEDULER_DLQ_ARN",
      "PUBLISH_QUEUE_ARN",
    ] as const) {
      keys.add(k);
    }
  }
  for (const id of bindings.secrets ?? []) keys.add(SECRET_ENV[id]);
  if (bindings.providers) {
    for (const k of [
      "META_GRAPH_URL",
      "META_WWW_URL",
      "LINKEDIN_API_URL",
      "LINKEDIN_WWW_URL",
      "PUBLIC_API_URL",
    ] as const) {
      keys.add(k);
    }
  }
  return [...keys];
}

export interface BindingContext {
  readonly resources: StatefulResources;
  readonly stage: StageConfig;
  /** Public base URL of the HTTP API (for OAuth redirect URIs). */
  readonly publicApiUrl: string;
}

/** Apply a function's bindings: env vars and least-privilege grants. */
export function bindFunction(fn: LambdaFunction, bindings: Bindings, ctx: BindingContext): void {
  const { resources, stage } = ctx;
  const setEnv = (key: EnvKey, value: string) => fn.addEnvironment(ENV[key], value);

  if (bindings.table) {
    setEnv("TABLE_NAME", resources.table.tableName);
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
    const queue = resources.queues[id];
    const env = QUEUE_ENV[id];
    setEnv(env.url, queue.queueUrl);
    if (env.arn) setEnv(env.arn, queue.queueArn);
    queue.grantSendMessages(fn);
  }

  if (bindings.bus) {
    setEnv("EVENT_BUS_NAME", resources.bus.eventBusName);
    resources.bus.grantPutEventsTo(fn);
  }

  if (bindings.scheduler) {
    setEnv("SCHEDULE_GROUP_NAME", resources.scheduleGroup.scheduleGroupName);
    setEnv("SCHEDULER_ROLE_ARN", resources.schedulerRole.roleArn);
    setEnv("SCHEDULER_DLQ_ARN", resources.schedulerDlq.queueArn);
    setEnv("PUBLISH_QUEUE_ARN", resources.queues.publish.queueArn);
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
    const secret = resources.secrets[id];
    setEnv(SECRET_ENV[id], secret.secretArn);
    secret.grantRead(fn);
  }

  if (bindings.providers) {
    setEnv("META_GRAPH_URL", stage.providers.metaGraph);
    setEnv("META_WWW_URL", stage.providers.metaWww);
    setEnv("LINKEDIN_API_URL", stage.providers.linkedinApi);
    setEnv("LINKEDIN_WWW_URL", stage.providers.linkedinWww);
    setEnv("PUBLIC_API_URL", ctx.publicApiUrl);
  }
}
