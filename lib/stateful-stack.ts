import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import {
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolOperation,
} from "aws-cdk-lib/aws-cognito";
import type { TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { EventBus } from "aws-cdk-lib/aws-events";
import {
  AccountRootPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { ScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { type FunctionSpec, ROLES } from "../functions/manifest.js";
import {
  CRONS_DLQ,
  EVENTS_DLQ,
  names,
  QUEUES,
  type QueueId,
  SCHEDULER_DLQ,
  SECRETS,
  type SecretId,
  TOKEN_KEY,
} from "../schemas/resources.js";
import { TOKEN_VAULT_ACTIONS, TOKEN_VAULT_CONDITIONS } from "./bindings.js";
import { HeraldFunction } from "./constructs/herald-function.js";
import { QueueWithDlq } from "./constructs/queue-with-dlq.js";
import { SingleTable } from "./constructs/single-table.js";
import { acknowledge } from "./nag.js";
import type { StageConfig } from "./stage-config.js";

export interface StatefulStackProps extends StackProps {
  readonly stage: StageConfig;
  /**
   * The manifest entries with a Cognito trigger (at most one). They are built here, next to
   * the user pool: the pool names its trigger's ARN, so a trigger in the stateless stack would
   * make the stacks depend on each other.
   */
  readonly identityFunctions?: readonly FunctionSpec[];
}

/** What the stateless stack needs from the stateful one: typed references, never string ARNs. */
export interface StatefulResources {
  readonly table: TableV2;
  readonly queues: Readonly<Record<QueueId, Queue>>;
  readonly deadLetterQueues: Readonly<Record<QueueId, Queue>>;
  readonly schedulerDlq: Queue;
  /** Dead-letter queue of the domain-event consumers (EventBridge rule targets and their Lambdas). */
  readonly eventsDlq: Queue;
  readonly scheduleGroup: ScheduleGroup;
  readonly bus: EventBus;
  readonly secrets: Readonly<Record<SecretId, Secret>>;
  /** Dead-letter queue of the cron functions' failed runs (their on-failure destination). */
  readonly cronsDlq: Queue;
  /** The token vault's KMS key (data keys for provider tokens). */
  readonly tokenKey: Key;
  /** The role EventBridge Scheduler assumes to deliver a schedule to the publish queue. */
  readonly schedulerRole: Role;
  /** Staff identities: a stateless redeploy never touches them. */
  readonly userPool: UserPool;
  /** The API's app client (SRP sign-in, no OAuth flows); the JWT authorizer's audience. */
  readonly userPoolClient: UserPoolClient;
  /** Lambdas built in this stack (the Cognito trigger), by manifest name. */
  readonly identityFunctions: ReadonlyMap<string, LambdaFunction>;
}

/**
 * Everything of a stage that holds data or identity across deployments: the table, the
 * queues and their DLQs, the schedule group, the event bus, the secrets, the token key and
 * the scheduler role. Built from `schemas/resources.ts`, named through `names`.
 */
export class StatefulStack extends Stack implements StatefulResources {
  public readonly table: TableV2;
  public readonly queues: Readonly<Record<QueueId, Queue>>;
  public readonly deadLetterQueues: Readonly<Record<QueueId, Queue>>;
  public readonly schedulerDlq: Queue;
  public readonly eventsDlq: Queue;
  public readonly cronsDlq: Queue;
  public readonly scheduleGroup: ScheduleGroup;
  public readonly bus: EventBus;
  public readonly secrets: Readonly<Record<SecretId, Secret>>;
  public readonly tokenKey: Key;
  public readonly schedulerRole: Role;
  public readonly userPool: UserPool;
  public readonly userPoolClient: UserPoolClient;
  public readonly identityFunctions: ReadonlyMap<string, LambdaFunction>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const retain = stage.retainData;

    this.table = new SingleTable(this, "Data", { tableName: names.table(stage.name), retain }).table;

    const queues = {} as Record<QueueId, Queue>;
    const dlqs = {} as Record<QueueId, Queue>;
    for (const definition of Object.values(QUEUES)) {
      const pair = new QueueWithDlq(this, `${pascal(definition.id)}Queue`, {
        definition,
        queueName: names.queue(stage.name, definition.id),
        dlqName: names.dlq(stage.name, definition.id),
        retainDlq: retain,
      });
      queues[definition.id] = pair.queue;
      dlqs[definition.id] = pair.deadLetterQueue;
      acknowledge(pair.deadLetterQueue, {
        id: "AwsSolutions-SQS3",
        reason:
          "This queue is itself the dead-letter queue of its work queue; a DLQ of a DLQ would only move the problem.",
      });
    }
    this.queues = queues;
    this.deadLetterQueues = dlqs;

    this.schedulerDlq = new Queue(this, "SchedulerDlq", {
      queueName: names.schedulerDlq(stage.name),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(SCHEDULER_DLQ.retentionDays),
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledge(this.schedulerDlq, {
      id: "AwsSolutions-SQS3",
      reason: "Dead-letter queue of EventBridge Scheduler deliveries; it has no DLQ of its own by design.",
    });

    this.scheduleGroup = new ScheduleGroup(this, "Schedules", {
      scheduleGroupName: names.scheduleGroup(stage.name),
      // Deleting a group deletes its schedules: every pending delivery of a prod-like stage.
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.bus = new EventBus(this, "Bus", { eventBusName: names.bus(stage.name) });

    this.eventsDlq = new Queue(this, "EventsDlq", {
      queueName: names.eventsDlq(stage.name),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(EVENTS_DLQ.retentionDays),
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledge(this.eventsDlq, {
      id: "AwsSolutions-SQS3",
      reason: "Dead-letter queue of the domain-event consumers; it has no DLQ of its own by design.",
    });
    // The rules live in the stateless stack; naming each rule's ARN here would make the two
    // stacks depend on each other, so the grant covers the rules of this stage's bus.
    this.eventsDlq.addToResourcePolicy(
      new PolicyStatement({
        sid: "EventRulesOfTheStageBus",
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["sqs:SendMessage"],
        resources: [this.eventsDlq.queueArn],
        conditions: {
          ArnLike: {
            "aws:SourceArn": this.formatArn({
              service: "events",
              resource: "rule",
              resourceName: `${names.bus(stage.name)}/*`,
            }),
          },
        },
      }),
    );

    this.cronsDlq = new Queue(this, "CronsDlq", {
      queueName: names.cronsDlq(stage.name),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(CRONS_DLQ.retentionDays),
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledge(this.cronsDlq, {
      id: "AwsSolutions-SQS3",
      reason:
        "On-failure destination of the cron functions' asynchronous invokes; it has no DLQ of its own by design.",
    });

    const secrets = {} as Record<SecretId, Secret>;
    for (const definition of Object.values(SECRETS)) {
      const secret = new Secret(this, `${pascal(definition.id)}Secret`, {
        secretName: names.secret(stage.name, definition.id),
        description: definition.description,
        // A JSON document the operator fills with `put-secret-value`; the random key only
        // makes sure no guessable placeholder ever sits in a deployed stage.
        generateSecretString: {
          secretStringTemplate: "{}",
          generateStringKey: "bootstrap",
          excludePunctuation: true,
        },
        removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      acknowledge(secret, {
        id: "AwsSolutions-SMG4",
        reason:
          "Provider app credentials are issued by Meta/LinkedIn and rotated by hand in their consoles; " +
          "there is no rotation Lambda that could create them.",
      });
      secrets[definition.id] = secret;
    }
    this.secrets = secrets;

    // The token vault's key: KMS rotates its material yearly (old blobs stay decryptable). Its
    // policy lets the account's IAM administer it and lets IAM grant only data-key use with the
    // tenant/connection/purpose context (the `tokenVault` binding, lib/bindings.ts): no `kms:*`.
    this.tokenKey = new Key(this, "TokenKey", {
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: "AccountAdministersKey",
            principals: [new AccountRootPrincipal()],
            actions: [...TOKEN_KEY_ADMIN_ACTIONS],
            resources: ["*"],
          }),
          new PolicyStatement({
            sid: "IamGrantsDataKeysWithContext",
            principals: [new AccountRootPrincipal()],
            actions: [...TOKEN_VAULT_ACTIONS],
            resources: ["*"],
            conditions: TOKEN_VAULT_CONDITIONS,
          }),
        ],
      }),
      alias: names.tokenKeyAlias(stage.name),
      description: TOKEN_KEY.description,
      enableKeyRotation: true,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(retain ? 30 : 7),
    });

    this.schedulerRole = new Role(this, "SchedulerRole", {
      description: "Assumed by EventBridge Scheduler to deliver publish schedules to the publish queue",
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    });
    queues.publish.grantSendMessages(this.schedulerRole);
    this.schedulerDlq.grantSendMessages(this.schedulerRole);

    // Identity: staff sign in; the tenant is an immutable attribute set by an admin.
    this.userPool = new UserPool(this, "Users", {
      userPoolName: names.userPool(stage.name),
      featurePlan: FeaturePlan.ESSENTIALS, // access-token customisation (V2_0 trigger) needs it
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      customAttributes: { tenant_id: new StringAttribute({ minLen: 1, maxLen: 63, mutable: false }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: stage.retainData ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      deletionProtection: stage.retainData,
      removalPolicy: stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const role of ROLES) {
      this.userPool.addGroup(`Group-${role}`, { groupName: role, description: `Herald ${role}s` });
    }
    this.userPoolClient = this.userPool.addClient("ApiClient", {
      userPoolClientName: names.userPoolClient(stage.name),
      authFlows: { userSrp: true },
      // Sign-in is SRP against the pool; no hosted UI, so no OAuth flows, scopes or callback
      // URLs (CDK's default would enable the code and implicit grants to https://example.com).
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // custom:tenant_id is immutable and, belt and braces, not writable through the client.
      writeAttributes: new ClientAttributes().withStandardAttributes({
        email: true,
        givenName: true,
        familyName: true,
      }),
    });
    acknowledge(this.userPool, {
      id: "AwsSolutions-COG8",
      reason:
        "Essentials plan: Plus (threat protection) is billed per MAU for every tenant stage; sign-in is for a " +
        "small staff population with strong password policy and TOTP MFA.",
    });
    if (!stage.retainData) {
      acknowledge(this.userPool, {
        id: "AwsSolutions-COG2",
        reason:
          "Non-production stage: TOTP MFA is offered (OPTIONAL) so test users can sign in; prod-like stages REQUIRE it.",
      });
    }

    const identityFunctions = new Map<string, LambdaFunction>();
    for (const spec of props.identityFunctions ?? []) {
      if (identityFunctions.size > 0) {
        throw new Error(
          `Two pre token generation triggers: ${[...identityFunctions.keys()][0]} and ${spec.name}`,
        );
      }
      if (Object.keys(spec.bindings).length > 0) {
        throw new Error(
          `${spec.name}: a Cognito trigger is built in the stateful stack and takes no bindings`,
        );
      }
      const { fn } = new HeraldFunction(this, `Fn-${spec.name}`, { spec, stage });
      this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn, LambdaVersion.V2_0);
      identityFunctions.set(spec.name, fn);
    }
    this.identityFunctions = identityFunctions;
  }
}

/** Key administration (no cryptographic use): what the account's IAM may delegate on the token key. */
const TOKEN_KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
] as const;

const pascal = (id: string) => id.replace(/(^|[-_])([a-z])/g, (_m, _sep, c: string) => c.toUpperCase());
