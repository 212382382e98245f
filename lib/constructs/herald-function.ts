import path from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { LogLevel, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { FunctionSpec } from "../../functions/manifest.js";
import { ENV } from "../../schemas/env.js";
import { METRICS, names } from "../../schemas/resources.js";
import { BUNDLE_FORMAT, BUNDLE_OPTIONS } from "../bundling.js";
import { acknowledge } from "../nag.js";
import type { StageConfig } from "../stage-config.js";

/** The repository root: entries in the manifest are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Every function's runtime: the newest Node.js Lambda offers (cdk-nag L1 checks it). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
/** Graviton: about 20% cheaper per GB-second, no native modules to worry about. */
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;

export interface HeraldFunctionProps {
  readonly spec: FunctionSpec;
  readonly stage: StageConfig;
}

/**
 * One manifest entry as a Lambda with the house defaults: arm64, Node.js 24, its own log
 * group with the stage's retention, Powertools env, X-Ray off (Powertools metrics and
 * correlation ids in logs cover tracing needs; the tracer costs ~22 ms of cold start).
 * Code is bundled by local esbuild with `lib/bundling.ts`, or a placeholder in infra tests.
 */
export class HeraldFunction extends Construct {
  public readonly fn: LambdaFunction;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HeraldFunctionProps) {
    super(scope, id);
    const { spec, stage } = props;
    this.logGroup = new LogGroup(this, "Logs", {
      logGroupName: names.functionLogGroup(stage.name, spec.name),
      retention: stage.logRetentionDays as RetentionDays,
      removalPolicy: stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const common = {
      functionName: names.function(stage.name, spec.name),
      description: spec.description,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      logGroup: this.logGroup,
      tracing: Tracing.DISABLED,
      environment: {
        [ENV.STAGE]: stage.name,
        // The logger's service is the function; metrics use METRICS (namespace, service=herald).
        [ENV.POWERTOOLS_SERVICE_NAME]: spec.name,
        [ENV.POWERTOOLS_METRICS_NAMESPACE]: METRICS.namespace,
        [ENV.POWERTOOLS_LOG_LEVEL]: "INFO",
      },
    };
    if (stage.code === "placeholder") {
      this.fn = new LambdaFunction(this, "Function", {
        ...common,
        handler: "index.handler",
        code: Code.fromInline("exports.handler = async () => { throw new Error('placeholder code'); };"),
      });
    } else {
      this.fn = new NodejsFunction(this, "Function", {
        ...common,
        entry: path.join(REPO_ROOT, spec.entry),
        handler: "handler",
        projectRoot: REPO_ROOT,
        depsLockFilePath: path.join(REPO_ROOT, "package-lock.json"),
        bundling: {
          ...BUNDLE_OPTIONS,
          mainFields: [...BUNDLE_OPTIONS.mainFields],
          externalModules: [...BUNDLE_OPTIONS.externalModules],
          bundleAwsSDK: true,
          format: BUNDLE_FORMAT === "esm" ? OutputFormat.ESM : OutputFormat.CJS,
          forceDockerBundling: false,
          logLevel: LogLevel.WARNING,
        },
      });
    }
    acknowledge(this.fn, {
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      reason: "AWS managed basic execution role: only lets the function write its own CloudWatch logs.",
    });
  }
}
