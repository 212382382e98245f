import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpUserPoolAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { UserPool, UserPoolClient } from "aws-cdk-lib/aws-cognito";
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
import {
  EVENT_DELIVERY,
  eventPattern,
  FUNCTIONS,
  type FunctionSpec,
  httpRoutes,
  routeKey,
} from "../functions/manifest.js";
import { API_SCOPE, CRON_DELIVERY, names, QUEUES } from "../schemas/resources.js";
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
  /** The Cognito-trigger entries the stateful stack built (for their alarms here). */
  readonly identitySpecs?: readonly FunctionSpec[];
}

/** The providers whose OAuth redirect URI an operator registers, and where. */
const OAUTH_PROVIDERS = [
  { id: "Meta", path: "meta", console: "Meta (Facebook Login → Valid OAuth Redirect URIs)" },
  { id: "LinkedIn", path: "linkedin", console: "LinkedIn (Auth → Authorized redirect URLs)" },
] as const;

/** A queue's visibility timeout must be ≥ this many times its consumers' timeout (AWS guidance). */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/**
 * What can be replaced without losing data: the HTTP API with its JWT authorizer (on the
 * stateful stack's user pool and client), every manifest function with its triggers and grants
 * (except the Cognito trigger, built next to the pool), the dashboard, the alarms and the
 * operator outputs.
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

    // Identity lives in the stateful stack (a redeploy here must not orphan users).
    this.userPool = resources.userPool;
    this.userPoolClient = resources.userPoolClient;

    // HTTP API with access logs and default-stage throttling.
    this.api = new HttpApi(this, "Api", {
      apiName: names.api(stage.name),
      createDefaultStage: false,
      description: `Herald ${stage.name} HTTP API`,
    });
    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      logGroupName: names.apiAccessLogGroup(stage.name),
      retention: stage.logRetentionDays as RetentionDays,
      removalPolicy: stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const defaultStage = new HttpStage(this, "DefaultStage", {
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
    const eventConsumers = new Set<string>();
    const cronFunctions = new Set<string>();
    const publicRouteKeys: string[] = [];
    const publicRoutes: Construct[] = [];
    const cronsDlq = Queue.fromQueueAttributes(this, "CronsDlqRef", {
      queueArn: resources.cronsDlq.queueArn,
      queueUrl: resources.cronsDlq.queueUrl,
      queueName: resources.cronsDlq.queueName,
    });
    for (const spec of specs) {
      if (spec.triggers.some((t) => t.type === "cognito")) {
        throw new Error(
          `${spec.name}: Cognito triggers are built in the stateful stack, next to the user pool (see buildHerald)`,
        );
      }
      const { fn } = new HeraldFunction(this, `Fn-${spec.name}`, { spec, stage });
      built.set(spec.name, fn);
      bindFunction(fn, spec.bindings, { resources, stage, publicApiUrl }, spec.triggers);

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
              ...("public" in trigger.auth ? {} : { authorizationScopes: [API_SCOPE] }),
            });
            if ("public" in trigger.auth) {
              publicRouteKeys.push(routeKey(trigger));
              publicRoutes.push(...routes);
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
            // The schedule's DLQ covers delivery failures; a run that throws is an asynchronous
            // invoke's failure: retried by Lambda, then recorded in the crons DLQ (it alarms).
            if (!cronFunctions.has(spec.name)) {
              cronFunctions.add(spec.name);
              fn.configureAsyncInvoke({
                retryAttempts: CRON_DELIVERY.functionRetryAttempts,
                maxEventAge: Duration.seconds(CRON_DELIVERY.maxEventAgeSeconds),
                onFailure: new SqsDestination(cronsDlq),
              });
            }
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
          case "cognito":
            break; // refused above
        }
      }
    }
    this.functions = built;

    // Public routes (OAuth callback, Meta callbacks, health) get their own, lower limits: a
    // flood there is refused at the gateway instead of spending the authenticated API's budget
    // (Lambda concurrency, table capacity).
    const cfnStage = defaultStage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      publicRouteKeys.map((key) => [
        key,
        // RouteSettings is a JSON map in the CloudFormation schema: its keys go through as written.
        {
          ThrottlingRateLimit: stage.publicRouteThrottle.rateLimit,
          ThrottlingBurstLimit: stage.publicRouteThrottle.burstLimit,
        },
      ]),
    );
    // CloudFormation refuses route settings for a route key that does not exist yet.
    for (const route of publicRoutes) cfnStage.node.addDependency(route);

    // What an operator needs after a deploy: where the API is, how to sign in, and the OAuth
    // redirect URIs to register in the Meta and LinkedIn developer consoles.
    new CfnOutput(this, "ApiUrl", { value: publicApiUrl, description: "Base URL of the HTTP API" });
    new CfnOutput(this, "UserPoolId", {
      value: this.userPool.userPoolId,
      description: "Cognito user pool id",
    });
    new CfnOutput(this, "UserPoolClientId", {
      value: this.userPoolClient.userPoolClientId,
      description: "Cognito app client id (SRP sign-in; the JWT authorizer's audience)",
    });
    const routePath = (operationId: string) =>
      httpRoutes(specs).find(({ route }) => route.operationId === operationId)?.route.path;
    const callbackPath = routePath("oauthCallback");
    if (callbackPath) {
      for (const provider of OAUTH_PROVIDERS) {
        new CfnOutput(this, `OAuthRedirectUri${provider.id}`, {
          value: `${publicApiUrl}${callbackPath.replace("{provider}", provider.path)}`,
          description: `OAuth redirect URI to register with ${provider.console}`,
        });
      }
    }
    for (const [id, operationId, what] of [
      ["MetaDeauthorizeCallbackUrl", "metaDeauthorize", "Deauthorize callback URL"],
      ["MetaDataDeletionCallbackUrl", "metaDataDeletion", "Data deletion request URL"],
    ] as const) {
      const path = routePath(operationId);
      if (path) {
        new CfnOutput(this, id, {
          value: `${publicApiUrl}${path}`,
          description: `Meta app settings: ${what}`,
        });
      }
    }

    this.observability = new Observability(this, "Observability", {
      stage,
      api: this.api,
      queues: resources.queues,
      deadLetterQueues: {
        ...Object.fromEntries(Object.entries(resources.deadLetterQueues)),
        scheduler: resources.schedulerDlq,
        events: resources.eventsDlq,
        crons: resources.cronsDlq,
      },
      dlqRunbooks: { crons: "cron-failures" },
      functions: [...specs.filter((spec) => built.has(spec.name)), ...(props.identitySpecs ?? [])],
    });
  }
}
