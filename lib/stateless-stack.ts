import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpUserPoolAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
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
import { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction as LambdaTarget } from "aws-cdk-lib/aws-events-targets";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { CfnFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Schedule, ScheduleExpression } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Queue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { EVENT_DELIVERY, eventPattern, FUNCTIONS, type FunctionSpec, ROLES } from "../functions/manifest.js";
import { names, QUEUES } from "../schemas/resources.js";
import { bindFunction } from "./bindings.js";
import { HeraldFunction } from "./constructs/herald-function.js";
import { Observability } from "./constructs/observability.js";
import { acknowledge } from "./nag.js";
import type { StageConfig } from "./stage-config.js";
import type { StatefulResources } from "./stateful-stack.js";

export interface StatelessStackProps extends StackProps {
  readonly stage: StageConfig;
  /** The stage's stateful resources (typed references to the stateful stack). */
  readonly resources: StatefulResources;
  /** Functions to build. Default: every entry of `functions/manifest.ts`. */
  readonly functions?: readonly FunctionSpec[];
}

/** A queue's visibility timeout must be ≥ this many times its consumers' timeout (AWS guidance). */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/**
 * What can be replaced without losing data: the Cognito user pool client and trigger, the
 * HTTP API with its JWT authorizer, every manifest function with its triggers and grants, the
 * dashboard and alarms. (The user pool itself is RETAINed on prod-like stages.)
 */
export class StatelessStack extends Stack {
  public readonly userPool: UserPool;
  public readonly userPoolClient: UserPoolClient;
  public readonly api: HttpApi;
  public readonly functions: ReadonlyMap<string, LambdaFunction>;
  public readonly observability: Observability;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stage, resources } = props;
    const specs = props.functions ?? FUNCTIONS;

    // Identity: staff sign in; the tenant is an immutable attribute set by an admin.
    this.userPool = new UserPool(this, "Users", {
      userPoolName: `herald-${stage.name}`,
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
      userPoolClientName: `herald-${stage.name}-api`,
      authFlows: { userSrp: true },
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

    // HTTP API with access logs and default-stage throttling.
    this.api = new HttpApi(this, "Api", {
      apiName: `herald-${stage.name}`,
      createDefaultStage: false,
      description: `Herald ${stage.name} HTTP API`,
    });
    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: stage.logRetentionDays as RetentionDays,
      removalPolicy: stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: stage.apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            ip: "$context.identity.sourceIp",
            requestTime: "$context.requestTime",
            routeKey: "$context.routeKey",
            status: "$context.status",
            latencyMs: "$context.responseLatency",
            integrationError: "$context.integrationErrorMessage",
            authorizerError: "$context.authorizer.error",
            sub: "$context.authorizer.claims.sub",
          }),
        ),
      },
    });
    const authorizer = new HttpUserPoolAuthorizer("Cognito", this.userPool, {
      userPoolClients: [this.userPoolClient],
      authorizerName: "cognito-jwt",
    });
    const none = new HttpNoneAuthorizer();

    const publicApiUrl = `https://${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
    // Referenced, not owned: the stateful stack's queue policy lets the stage bus's rules send
    // to it (a per-rule statement there would make the stacks depend on each other).
    const eventsDlq = Queue.fromQueueAttributes(this, "EventsDlqRef", {
      queueArn: resources.eventsDlq.queueArn,
      queueUrl: resources.eventsDlq.queueUrl,
      queueName: resources.eventsDlq.queueName,
    });
    const built = new Map<string, LambdaFunction>();
    let tokenTrigger: string | undefined;
    const eventConsumers = new Set<string>();
    for (const spec of specs) {
      const { fn } = new HeraldFunction(this, `Fn-${spec.name}`, { spec, stage });
      built.set(spec.name, fn);
      bindFunction(fn, spec.bindings, { resources, stage, publicApiUrl }, spec.triggers);
      acknowledge(fn, {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason: "AWS managed basic execution role: only lets the function write its own CloudWatch logs.",
      });

      for (const trigger of spec.triggers) {
        switch (trigger.type) {
          case "http": {
            const integration = new HttpLambdaIntegration(`Int-${spec.name}-${trigger.operationId}`, fn);
            const routeAuthorizer: IHttpRouteAuthorizer = "public" in trigger.auth ? none : authorizer;
            const routes = this.api.addRoutes({
              path: trigger.path,
              methods: [HttpMethod[trigger.method]],
              integration,
              authorizer: routeAuthorizer,
            });
            if ("public" in trigger.auth) {
              for (const route of routes) {
                acknowledge(route, {
                  id: "AwsSolutions-APIG4",
                  reason: `Declared public in the function manifest (${trigger.method} ${trigger.path}); every other route has the Cognito JWT authorizer.`,
                });
              }
            }
            break;
          }
          case "queue": {
            const definition = QUEUES[trigger.queue];
            if (definition.visibilityTimeoutSeconds < VISIBILITY_TO_TIMEOUT_RATIO * spec.timeoutSeconds) {
              throw new Error(
                `Queue ${trigger.queue}: visibility ${definition.visibilityTimeoutSeconds}s is less than ` +
                  `${VISIBILITY_TO_TIMEOUT_RATIO}× the ${spec.timeoutSeconds}s timeout of ${spec.name}`,
              );
            }
            fn.addEventSource(
              new SqsEventSource(resources.queues[trigger.queue], {
                batchSize: trigger.batchSize,
                maxConcurrency: trigger.maxConcurrency,
                reportBatchItemFailures: true,
              }),
            );
            break;
          }
          case "schedule": {
            const cronRole = new Role(this, `Cron-${spec.name}-Role`, {
              description: `Lets EventBridge Scheduler invoke ${spec.name} on its cron`,
              assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
                conditions: { StringEquals: { "aws:SourceAccount": this.account } },
              }),
            });
            const fnLogicalId = this.getLogicalId(fn.node.defaultChild as CfnFunction);
            acknowledge(cronRole, {
              id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
              reason:
                "The Scheduler Lambda target grants lambda:InvokeFunction on the function and its versions " +
                "(`<arn>:*`); this role invokes that single function only.",
            });
            new Schedule(this, `Cron-${spec.name}`, {
              description: `${spec.name}: ${trigger.expression}`,
              schedule: ScheduleExpression.expression(trigger.expression),
              target: new LambdaInvoke(fn, {
                role: cronRole,
                deadLetterQueue: resources.schedulerDlq,
                retryAttempts: 2,
                maxEventAge: Duration.hours(1),
              }),
            });
            break;
          }
          case "event": {
            const index = spec.triggers.filter((t) => t.type === "event").indexOf(trigger);
            const rule = new Rule(this, `Events-${spec.name}${index ? `-${index}` : ""}`, {
              ruleName: names.eventRule(stage.name, spec.name, index),
              description: `${trigger.detailTypes.join(", ")} v${trigger.version} → ${spec.name}`,
              eventBus: resources.bus,
              eventPattern: eventPattern(trigger),
            });
            // EventBridge's hand-over to Lambda (an asynchronous invoke): retried, then the DLQ.
            rule.addTarget(
              new LambdaTarget(fn, {
                deadLetterQueue: eventsDlq,
                retryAttempts: EVENT_DELIVERY.busRetryAttempts,
                maxEventAge: Duration.seconds(EVENT_DELIVERY.maxEventAgeSeconds),
              }),
            );
            // The handler's own failures: Lambda retries, then records the event in the same DLQ.
            if (!eventConsumers.has(spec.name)) {
              eventConsumers.add(spec.name);
              fn.configureAsyncInvoke({
                retryAttempts: EVENT_DELIVERY.functionRetryAttempts,
                maxEventAge: Duration.seconds(EVENT_DELIVERY.maxEventAgeSeconds),
                onFailure: new SqsDestination(eventsDlq),
              });
            }
            break;
          }
          case "cognito": {
            if (tokenTrigger) {
              throw new Error(`Two pre token generation triggers: ${tokenTrigger} and ${spec.name}`);
            }
            tokenTrigger = spec.name;
            this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn, LambdaVersion.V2_0);
            break;
          }
        }
      }
    }
    this.functions = built;

    this.observability = new Observability(this, "Observability", {
      stage,
      api: this.api,
      queues: resources.queues,
      deadLetterQueues: {
        ...Object.fromEntries(Object.entries(resources.deadLetterQueues)),
        scheduler: resources.schedulerDlq,
        events: resources.eventsDlq,
      },
      functions: [...built.values()],
    });
  }
}
