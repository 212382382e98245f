import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { httpRoutes, type QueueTrigger, routeKey } from "../../functions/manifest.js";
import {
  bindingEnvKeys,
  SCHEDULER_ACTIONS,
  TOKEN_VAULT_ACTIONS,
  TOKEN_VAULT_CONDITIONS,
} from "../../lib/bindings.js";
import { REPO_ROOT } from "../../lib/constructs/herald-function.js";
import { RUNBOOKS } from "../../lib/constructs/observability.js";
import { VISIBILITY_TO_TIMEOUT_RATIO } from "../../lib/stateless-stack.js";
import { ENV, QUEUE_DLQ_ENV } from "../../schemas/env.js";
import { API_SCOPE, names, QUEUES } from "../../schemas/resources.js";
import {
  asArray,
  functionLogicalId,
  logicalIdBy,
  policyStatements,
  resourcesOf,
  type SynthesizedStage,
  synthStage,
  templateOfFunction,
} from "../support/infra-app.js";

let s: SynthesizedStage;
const STAGE = "test";
/** Cross-stack references show up as Fn::ImportValue of an export named after the logical id. */
const refersTo = (value: unknown, logicalId: string) => JSON.stringify(value).includes(logicalId);

beforeAll(() => {
  s = synthStage(STAGE);
});

describe("functions", () => {
  it("builds every manifest entry as an arm64 Node.js 24 Lambda with its memory and timeout", () => {
    for (const spec of s.specs) {
      const template = templateOfFunction(s, spec);
      const id = functionLogicalId(template, STAGE, spec.name);
      const props = resourcesOf(template, "AWS::Lambda::Function")[id]!.Properties!;
      expect(props.Architectures, spec.name).toEqual(["arm64"]);
      expect(props.Runtime, spec.name).toBe("nodejs24.x");
      expect(props.MemorySize, spec.name).toBe(spec.memoryMb);
      expect(props.Timeout, spec.name).toBe(spec.timeoutSeconds);
    }
    const all = Object.values(resourcesOf(s.statelessTemplate, "AWS::Lambda::Function"));
    for (const fn of all) expect(fn.Properties?.Architectures).toEqual(["arm64"]);
  });

  it("sets only environment variables declared in schemas/env.ts", () => {
    const declared = new Set<string>(Object.values(ENV));
    for (const fn of Object.values(resourcesOf(s.statelessTemplate, "AWS::Lambda::Function"))) {
      const vars = Object.keys(
        (fn.Properties?.Environment as { Variables?: object } | undefined)?.Variables ?? {},
      );
      for (const v of vars) expect(declared.has(v), v).toBe(true);
    }
  });

  it("sets each binding's variables on the functions that have it, and not on the others", () => {
    const envOf = (name: string) => {
      const id = functionLogicalId(s.statelessTemplate, STAGE, name);
      const fn = resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[id]!;
      return (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    };
    const full = envOf("fixture-api");
    for (const key of [
      "TABLE_NAME",
      "PUBLISH_QUEUE_URL",
      "PUBLISH_QUEUE_ARN",
      "WEBHOOK_QUEUE_URL",
      "EVENT_BUS_NAME",
      "SCHEDULE_GROUP_NAME",
      "SCHEDULER_ROLE_ARN",
      "SCHEDULER_DLQ_ARN",
      "APP_CREDENTIALS_SECRET_ID",
      "TOKEN_KEY_ID",
      "META_GRAPH_URL",
      "LINKEDIN_API_URL",
      "PUBLIC_API_URL",
    ] as const) {
      expect(full[ENV[key]], key).toBeDefined();
    }
    expect(full[ENV.SCHEDULE_GROUP_NAME]).toBe(names.scheduleGroup(STAGE));
    expect(full[ENV.META_GRAPH_URL]).toBe(s.stage.providers.metaGraph);
    const bare = envOf("health");
    expect(Object.keys(bare).sort()).toEqual(
      [
        ENV.STAGE,
        ENV.POWERTOOLS_SERVICE_NAME,
        ENV.POWERTOOLS_METRICS_NAMESPACE,
        ENV.POWERTOOLS_LOG_LEVEL,
      ].sort(),
    );
    expect(bare[ENV.STAGE]).toBe(STAGE);
  });
});

describe("bindings", () => {
  it("sets exactly the variables bindingEnvKeys lists for each function (the bench relies on it)", () => {
    const base = [
      ENV.STAGE,
      ENV.POWERTOOLS_SERVICE_NAME,
      ENV.POWERTOOLS_METRICS_NAMESPACE,
      ENV.POWERTOOLS_LOG_LEVEL,
    ];
    for (const spec of s.specs) {
      const template = templateOfFunction(s, spec);
      const id = functionLogicalId(template, STAGE, spec.name);
      const fn = resourcesOf(template, "AWS::Lambda::Function")[id]!;
      const vars = Object.keys((fn.Properties!.Environment as { Variables: object }).Variables);
      const expected = [...base, ...bindingEnvKeys(spec.bindings, spec.triggers).map((k) => ENV[k])];
      expect(vars.sort(), spec.name).toEqual(expected.sort());
    }
  });
});

describe("HTTP API", () => {
  const routes = () =>
    Object.values(resourcesOf(s.statelessTemplate, "AWS::ApiGatewayV2::Route")).map((r) => r.Properties!);

  it("has one route per manifest HTTP trigger", () => {
    const keys = routes()
      .map((r) => r.RouteKey)
      .sort();
    expect(keys).toEqual(
      httpRoutes(s.specs)
        .map(({ route }) => routeKey(route))
        .sort(),
    );
  });

  it("puts the Cognito JWT authorizer on every protected route and none on public ones", () => {
    const authorizers = resourcesOf(s.statelessTemplate, "AWS::ApiGatewayV2::Authorizer");
    const jwtIds = Object.entries(authorizers)
      .filter(([, a]) => a.Properties?.AuthorizerType === "JWT")
      .map(([id]) => id);
    expect(jwtIds).toHaveLength(1);
    const byKey = new Map(routes().map((r) => [r.RouteKey as string, r]));
    let protectedCount = 0;
    for (const { route } of httpRoutes(s.specs)) {
      const r = byKey.get(routeKey(route))!;
      if ("public" in route.auth) {
        expect(r.AuthorizationType, routeKey(route)).toBe("NONE");
        expect(r.AuthorizerId, routeKey(route)).toBeUndefined();
      } else {
        protectedCount++;
        expect(r.AuthorizationType, routeKey(route)).toBe("JWT");
        expect(r.AuthorizerId, routeKey(route)).toEqual({ Ref: jwtIds[0] });
      }
    }
    expect(protectedCount).toBeGreaterThan(0);
  });

  it("checks issuer = the stage's user pool and audience = its app client (both in the stateful stack)", () => {
    const poolId = s.stateful.getLogicalId(s.stateful.userPool.node.defaultChild as never);
    const clientId = s.stateful.getLogicalId(s.stateful.userPoolClient.node.defaultChild as never);
    const [jwt] = Object.values(resourcesOf(s.statelessTemplate, "AWS::ApiGatewayV2::Authorizer"));
    const config = jwt!.Properties!.JwtConfiguration as { Audience: unknown[]; Issuer: unknown };
    expect(config.Audience).toHaveLength(1);
    expect(refersTo(config.Audience, clientId)).toBe(true);
    expect(JSON.stringify(config.Issuer)).toContain("https://cognito-idp.");
    expect(refersTo(config.Issuer, poolId)).toBe(true);
  });

  it("logs access to a log group and throttles the default stage", () => {
    s.statelessTemplate.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: s.stage.apiThrottle.rateLimit,
        ThrottlingBurstLimit: s.stage.apiThrottle.burstLimit,
      },
    });
    const [stage] = Object.values(resourcesOf(s.statelessTemplate, "AWS::ApiGatewayV2::Stage"));
    const settings = stage!.Properties!.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const logGroupId = Object.keys(resourcesOf(s.statelessTemplate, "AWS::Logs::LogGroup")).find((id) =>
      refersTo(settings.DestinationArn, id),
    );
    expect(logGroupId).toBeDefined();
    expect(JSON.parse(settings.Format)).toMatchObject({
      requestId: "$context.requestId",
      status: "$context.status",
    });
  });
});

describe("API security and operator outputs", () => {
  const routes = () =>
    Object.values(resourcesOf(s.statelessTemplate, "AWS::ApiGatewayV2::Route")).map((r) => r.Properties!);

  it(`requires the ${API_SCOPE} scope on every protected route (an ID token has no scope) and none on public ones`, () => {
    const byKey = new Map(routes().map((r) => [r.RouteKey as string, r]));
    for (const { route } of httpRoutes(s.specs)) {
      const r = byKey.get(routeKey(route))!;
      if ("public" in route.auth) expect(r.AuthorizationScopes, routeKey(route)).toBeUndefined();
      else expect(r.AuthorizationScopes, routeKey(route)).toEqual([API_SCOPE]);
    }
  });

  it("throttles every public route on its own, below the default stage limits", () => {
    const [stage] = Object.values(resourcesOf(s.statelessTemplate, "AWS::ApiGatewayV2::Stage"));
    const settings = stage!.Properties!.RouteSettings as Record<
      string,
      { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
    >;
    const publicKeys = httpRoutes(s.specs)
      .filter(({ route }) => "public" in route.auth)
      .map(({ route }) => routeKey(route));
    expect(publicKeys).toEqual(
      expect.arrayContaining(["GET /v1/oauth/{provider}/callback", "POST /v1/meta/deauthorize"]),
    );
    expect(Object.keys(settings).sort()).toEqual([...publicKeys].sort());
    for (const key of publicKeys) {
      expect(settings[key], key).toEqual({
        ThrottlingRateLimit: s.stage.publicRouteThrottle.rateLimit,
        ThrottlingBurstLimit: s.stage.publicRouteThrottle.burstLimit,
      });
      expect(settings[key]!.ThrottlingRateLimit).toBeLessThan(s.stage.apiThrottle.rateLimit);
    }
    // CloudFormation refuses route settings for a route it has not created yet.
    const stageResource = Object.values(
      s.statelessTemplate.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[] }>,
    ).find((r) => r.Type === "AWS::ApiGatewayV2::Stage")!;
    const routeIdByKey = new Map(
      Object.entries(resourcesOf(s.statelessTemplate, "AWS::ApiGatewayV2::Route")).map(([id, r]) => [
        r.Properties!.RouteKey as string,
        id,
      ]),
    );
    for (const key of publicKeys) expect(stageResource.DependsOn ?? [], key).toContain(routeIdByKey.get(key));
  });

  it("outputs the API URL, user pool and client ids, and the redirect/callback URLs to register with Meta and LinkedIn", () => {
    const outputs = s.statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    const text = (id: string) => JSON.stringify(outputs[id]?.Value);
    expect(text("ApiUrl")).toContain(".execute-api.");
    const poolId = s.stateful.getLogicalId(s.stateful.userPool.node.defaultChild as never);
    const clientId = s.stateful.getLogicalId(s.stateful.userPoolClient.node.defaultChild as never);
    expect(text("UserPoolId")).toContain(poolId);
    expect(text("UserPoolClientId")).toContain(clientId);
    expect(text("OAuthRedirectUriMeta")).toContain("/v1/oauth/meta/callback");
    expect(text("OAuthRedirectUriLinkedIn")).toContain("/v1/oauth/linkedin/callback");
    expect(text("MetaDeauthorizeCallbackUrl")).toContain("/v1/meta/deauthorize");
    expect(text("MetaDataDeletionCallbackUrl")).toContain("/v1/meta/data-deletion");
  });
});

describe("log groups", () => {
  it("names each function's log group /aws/lambda/herald-<stage>-<function> and wires the function to it", () => {
    for (const spec of s.specs) {
      const template = templateOfFunction(s, spec);
      const groupId = logicalIdBy(
        template,
        "AWS::Logs::LogGroup",
        "LogGroupName",
        names.functionLogGroup(STAGE, spec.name),
      );
      const fnId = functionLogicalId(template, STAGE, spec.name);
      const fn = resourcesOf(template, "AWS::Lambda::Function")[fnId]!.Properties!;
      expect(refersTo(fn.LoggingConfig, groupId), spec.name).toBe(true);
    }
  });

  it("names the API access log group and sends the stage's access logs there", () => {
    const groupId = logicalIdBy(
      s.statelessTemplate,
      "AWS::Logs::LogGroup",
      "LogGroupName",
      names.apiAccessLogGroup(STAGE),
    );
    const [stage] = Object.values(resourcesOf(s.statelessTemplate, "AWS::ApiGatewayV2::Stage"));
    expect(refersTo(stage!.Properties!.AccessLogSettings, groupId)).toBe(true);
  });

  it("every log group a runbook or docs/infrastructure.md names is one that is deployed", () => {
    const docs = [
      path.join(REPO_ROOT, "docs/infrastructure.md"),
      ...readdirSync(path.join(REPO_ROOT, "docs/runbooks")).map((f) =>
        path.join(REPO_ROOT, "docs/runbooks", f),
      ),
    ];
    const deployed = new Set([
      ...s.specs.map((spec) => names.functionLogGroup("<stage>", spec.name)),
      names.functionLogGroup("<stage>", "<function>"),
      names.apiAccessLogGroup("<stage>"),
    ]);
    let mentioned = 0;
    for (const file of docs) {
      const text = readFileSync(file, "utf8");
      for (const [group] of text.matchAll(/\/aws\/(?:lambda|apigateway)\/[A-Za-z0-9<>/_-]*[A-Za-z0-9>]/g)) {
        mentioned++;
        expect(deployed.has(group), `${path.relative(REPO_ROOT, file)}: ${group}`).toBe(true);
      }
    }
    expect(mentioned).toBeGreaterThan(0);
  });
});

describe("identity", () => {
  it("keeps the user pool, its client and its trigger in the stateful stack (a stateless redeploy cannot orphan users)", () => {
    for (const type of [
      "AWS::Cognito::UserPool",
      "AWS::Cognito::UserPoolClient",
      "AWS::Cognito::UserPoolGroup",
    ]) {
      expect(Object.keys(resourcesOf(s.statelessTemplate, type)), type).toHaveLength(0);
      expect(Object.keys(resourcesOf(s.statefulTemplate, type)).length, type).toBeGreaterThan(0);
    }
  });

  it("gives the app client SRP sign-in only: no OAuth flows, scopes or callback URLs", () => {
    const [client] = Object.values(resourcesOf(s.statefulTemplate, "AWS::Cognito::UserPoolClient"));
    const props = client!.Properties!;
    expect(props.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(props.AllowedOAuthFlows).toBeUndefined();
    expect(props.AllowedOAuthScopes).toBeUndefined();
    expect(props.CallbackURLs).toBeUndefined();
    expect(props.ExplicitAuthFlows).toEqual(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
  });

  it("attaches the manifest's pre token generation function as a V2_0 trigger", () => {
    const spec = s.specs.find((f) => f.triggers.some((t) => t.type === "cognito"))!;
    const fnId = functionLogicalId(s.statefulTemplate, STAGE, spec.name);
    const [pool] = Object.values(resourcesOf(s.statefulTemplate, "AWS::Cognito::UserPool"));
    const config = (pool!.Properties!.LambdaConfig as { PreTokenGenerationConfig: Record<string, unknown> })
      .PreTokenGenerationConfig;
    expect(config.LambdaVersion).toBe("V2_0");
    expect(config.LambdaArn).toEqual({ "Fn::GetAtt": [fnId, "Arn"] });
  });

  it("has admin and editor groups, a password policy and an immutable tenant attribute", () => {
    for (const group of ["admin", "editor"]) {
      s.statefulTemplate.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: group });
    }
    const [pool] = Object.values(resourcesOf(s.statefulTemplate, "AWS::Cognito::UserPool"));
    const props = pool!.Properties!;
    expect(
      (props.Policies as { PasswordPolicy: { MinimumLength: number } }).PasswordPolicy.MinimumLength,
    ).toBeGreaterThanOrEqual(12);
    expect(props.Schema).toContainEqual(expect.objectContaining({ Name: "tenant_id", Mutable: false }));
    const [client] = Object.values(resourcesOf(s.statefulTemplate, "AWS::Cognito::UserPoolClient"));
    expect(client!.Properties!.WriteAttributes).not.toContain("custom:tenant_id");
  });
});

describe("queue consumers", () => {
  const consumers = () =>
    s.specs.flatMap((spec) =>
      spec.triggers
        .filter((t): t is QueueTrigger => t.type === "queue")
        .map((trigger) => ({ spec, trigger })),
    );

  it("has at least one consumer to check (fixture)", () => {
    expect(consumers().length).toBeGreaterThan(0);
  });

  it("maps each queue trigger with ReportBatchItemFailures, its batch size and max concurrency", () => {
    const mappings = Object.values(resourcesOf(s.statelessTemplate, "AWS::Lambda::EventSourceMapping"));
    for (const { spec, trigger } of consumers()) {
      const fnId = functionLogicalId(s.statelessTemplate, STAGE, spec.name);
      const queueId = logicalIdBy(
        s.statefulTemplate,
        "AWS::SQS::Queue",
        "QueueName",
        names.queue(STAGE, trigger.queue),
      );
      const mine = mappings.filter((m) => refersTo(m.Properties?.FunctionName, fnId));
      expect(mine, spec.name).toHaveLength(1);
      const props = mine[0]!.Properties!;
      expect(refersTo(props.EventSourceArn, queueId), `${spec.name} reads ${trigger.queue}`).toBe(true);
      expect(props.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
      expect(props.BatchSize).toBe(trigger.batchSize);
      expect(props.ScalingConfig).toEqual({ MaximumConcurrency: trigger.maxConcurrency });
    }
  });

  it(`gives every queue a visibility timeout ≥ ${VISIBILITY_TO_TIMEOUT_RATIO}× each consumer's timeout`, () => {
    for (const { spec, trigger } of consumers()) {
      const queueId = logicalIdBy(
        s.statefulTemplate,
        "AWS::SQS::Queue",
        "QueueName",
        names.queue(STAGE, trigger.queue),
      );
      const queue = resourcesOf(s.statefulTemplate, "AWS::SQS::Queue")[queueId]!;
      const fnId = functionLogicalId(s.statelessTemplate, STAGE, spec.name);
      const timeout = resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[fnId]!.Properties!
        .Timeout as number;
      expect(
        queue.Properties!.VisibilityTimeout as number,
        `${trigger.queue} vs ${spec.name}`,
      ).toBeGreaterThanOrEqual(VISIBILITY_TO_TIMEOUT_RATIO * timeout);
    }
  });

  it("lets each consumer send to its queue's DLQ and names that DLQ in its environment (malformed messages go there at once)", () => {
    for (const { spec, trigger } of consumers()) {
      const fnId = functionLogicalId(s.statelessTemplate, STAGE, spec.name);
      const dlqId = logicalIdBy(
        s.statefulTemplate,
        "AWS::SQS::Queue",
        "QueueName",
        names.dlq(STAGE, trigger.queue),
      );
      const fn = resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[fnId]!;
      const vars = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      const dlqVar = ENV[QUEUE_DLQ_ENV[trigger.queue]];
      expect(refersTo(vars[dlqVar], dlqId), `${spec.name}: ${dlqVar} is the ${trigger.queue} DLQ`).toBe(true);
      const role = JSON.stringify(fn.Properties!.Role);
      const sends = policyStatements(s.statelessTemplate).filter(
        ({ policy, statement }) =>
          role.includes(policy.replace(/DefaultPolicy.*$/, "")) &&
          asArray(statement.Action as string | string[]).includes("sqs:SendMessage") &&
          refersTo(statement.Resource, dlqId),
      );
      expect(sends.length, `${spec.name} may send to the ${trigger.queue} DLQ`).toBeGreaterThanOrEqual(1);
    }
    // Every other function of the stateless stack (the Cognito trigger lives with its user pool).
    const others = s.specs.filter(
      (spec) => !spec.triggers.some((t) => t.type === "queue" || t.type === "cognito"),
    );
    for (const spec of others) {
      const fnId = functionLogicalId(s.statelessTemplate, STAGE, spec.name);
      const fn = resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[fnId]!;
      const vars = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const key of Object.values(QUEUE_DLQ_ENV)) expect(vars[ENV[key]], spec.name).toBeUndefined();
    }
  });

  it("refuses to synthesize a consumer whose timeout breaks the 6× rule", () => {
    const tooSlow = {
      name: "too-slow",
      description: "breaks the rule",
      entry: "functions/system/handlers/health.handler.ts",
      triggers: [{ type: "queue", queue: "webhook", batchSize: 1, maxConcurrency: 2 }] as const,
      memoryMb: 128,
      timeoutSeconds: Math.floor(QUEUES.webhook.visibilityTimeoutSeconds / VISIBILITY_TO_TIMEOUT_RATIO) + 1,
      bindings: {},
    };
    expect(() => synthStage("slow", [tooSlow])).toThrow(/visibility/);
  });
});

describe("least privilege", () => {
  const allStatements = () => [
    ...policyStatements(s.statefulTemplate),
    ...policyStatements(s.statelessTemplate),
  ];
  const actionsOf = (st: Record<string, unknown>) => asArray(st.Action as string | string[]);

  it("never allows iam:PassRole (or a wildcard action) on Resource *", () => {
    for (const { policy, statement } of allStatements()) {
      const passes = actionsOf(statement).some((a) => a === "iam:PassRole" || a === "iam:*" || a === "*");
      if (passes) expect(asArray(statement.Resource as unknown), policy).not.toContain("*");
    }
  });

  it("passes only the scheduler role, only to EventBridge Scheduler", () => {
    const roleId = s.stateful.getLogicalId(s.stateful.schedulerRole.node.defaultChild as never);
    const passRole = allStatements().filter(({ statement }) => actionsOf(statement).includes("iam:PassRole"));
    expect(passRole.length).toBeGreaterThan(0);
    for (const { policy, statement } of passRole) {
      const resources = asArray(statement.Resource as unknown);
      expect(resources, policy).toHaveLength(1);
      expect(refersTo(resources[0], roleId), policy).toBe(true);
      expect(statement.Condition).toEqual({
        StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" },
      });
    }
  });

  it("limits schedule management to the stage's group", () => {
    const managing = allStatements().filter(({ statement }) =>
      actionsOf(statement).includes("scheduler:CreateSchedule"),
    );
    expect(managing.length).toBeGreaterThan(0);
    for (const { statement } of managing) {
      expect(actionsOf(statement).sort()).toEqual([...SCHEDULER_ACTIONS].sort());
      const [resource] = asArray(statement.Resource as unknown);
      expect(JSON.stringify(resource)).toContain(`:schedule/${names.scheduleGroup(STAGE)}/*`);
    }
  });

  it("allows no kms:* (or any KMS action but GenerateDataKey/Decrypt) in any IAM policy", () => {
    for (const { policy, statement } of allStatements()) {
      const kms = actionsOf(statement).filter((a) => a.startsWith("kms:") || a === "*");
      for (const a of kms) expect([...TOKEN_VAULT_ACTIONS], `${policy}: ${a}`).toContain(a);
    }
  });

  it("grants token-vault functions data keys on the token key only, with the context condition", () => {
    const keyId = s.stateful.getLogicalId(s.stateful.tokenKey.node.defaultChild as never);
    const vault = allStatements().filter(({ statement }) => statement.Sid === "TokenVaultDataKeys");
    expect(vault.length).toBeGreaterThan(0);
    for (const { policy, statement } of vault) {
      expect(actionsOf(statement).sort(), policy).toEqual([...TOKEN_VAULT_ACTIONS].sort());
      const resources = asArray(statement.Resource as unknown);
      expect(resources, policy).toHaveLength(1);
      expect(refersTo(resources[0], keyId), policy).toBe(true);
      expect(statement.Condition, policy).toEqual(TOKEN_VAULT_CONDITIONS);
    }
    // Every KMS grant is that statement.
    const kmsGrants = allStatements().filter(({ statement }) =>
      actionsOf(statement).some((a) => a.startsWith("kms:")),
    );
    expect(kmsGrants.every(({ statement }) => statement.Sid === "TokenVaultDataKeys")).toBe(true);
  });

  it("gives TOKEN_KEY_ID (the key's ARN) only to functions with the tokenVault binding", () => {
    const keyId = s.stateful.getLogicalId(s.stateful.tokenKey.node.defaultChild as never);
    const envOf = (name: string) => {
      const id = functionLogicalId(s.statelessTemplate, STAGE, name);
      const fn = resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[id]!;
      return (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    };
    expect(refersTo(envOf("fixture-cron")[ENV.TOKEN_KEY_ID], keyId)).toBe(true);
    expect(envOf("fixture-public")[ENV.TOKEN_KEY_ID]).toBeUndefined();
  });

  it("grants table access on the table and its named indexes, never index/*", () => {
    const tableStatements = allStatements().filter(({ statement }) =>
      actionsOf(statement).some((a) => a.startsWith("dynamodb:")),
    );
    expect(tableStatements.length).toBeGreaterThan(0);
    for (const { statement } of tableStatements) {
      expect(JSON.stringify(statement.Resource)).not.toContain("index/*");
      expect(actionsOf(statement)).not.toContain("dynamodb:Scan");
    }
    const readOnly = tableStatements.filter(({ statement }) => statement.Sid === "TableRead");
    expect(readOnly.length).toBeGreaterThan(0);
    for (const { statement } of readOnly) expect(actionsOf(statement)).not.toContain("dynamodb:PutItem");
  });
});

describe("alarms", () => {
  const alarms = () =>
    Object.values(resourcesOf(s.statelessTemplate, "AWS::CloudWatch::Alarm")).map((a) => a.Properties!);

  it("alarms when any dead-letter queue (publish, webhook, scheduler) is not empty", () => {
    const dlqNames = [
      ...Object.keys(QUEUES).map((id) => names.dlq(STAGE, id as keyof typeof QUEUES)),
      names.schedulerDlq(STAGE),
    ];
    for (const dlqName of dlqNames) {
      const dlqId = logicalIdBy(s.statefulTemplate, "AWS::SQS::Queue", "QueueName", dlqName);
      const matching = alarms().filter(
        (a) =>
          a.MetricName === "ApproximateNumberOfMessagesVisible" &&
          refersTo(a.Dimensions, dlqId) &&
          a.Threshold === 1 &&
          a.ComparisonOperator === "GreaterThanOrEqualToThreshold",
      );
      expect(matching, dlqName).toHaveLength(1);
    }
  });

  it("alarms on API 5xx", () => {
    expect(alarms().some((a) => a.MetricName === "5xx" && a.Namespace === "AWS/ApiGateway")).toBe(true);
  });

  it("links every alarm to a runbook that exists and notifies the stage's topic", () => {
    const topicId = Object.keys(resourcesOf(s.statelessTemplate, "AWS::SNS::Topic"))[0]!;
    for (const alarm of alarms()) {
      const link = /Runbook: (\S+\.md)$/.exec(alarm.AlarmDescription as string)?.[1];
      expect(link, alarm.AlarmName as string).toBeDefined();
      expect(RUNBOOKS.some((r) => link!.endsWith(`/${r}.md`))).toBe(true);
      expect(existsSync(path.join(REPO_ROOT, link!)), link).toBe(true);
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });
});
