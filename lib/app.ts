/**
 * Builds one stage of Herald into a CDK app: the stateful stack (data, queues, identity of
 * resources) and the stateless stack (API, functions, alarms) fed by typed references.
 */
import type { App } from "aws-cdk-lib";
import { FUNCTIONS, type FunctionSpec } from "../functions/manifest.js";
import type { StageConfig } from "./stage-config.js";
import { StatefulStack } from "./stateful-stack.js";
import { StatelessStack } from "./stateless-stack.js";

export interface HeraldStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/** CloudFormation stack names for a stage: `herald-<stage>-stateful`, `herald-<stage>-stateless`. */
export const stackNames = (stage: string) => ({
  stateful: `herald-${stage}-stateful`,
  stateless: `herald-${stage}-stateless`,
});

export function buildHerald(
  app: App,
  stage: StageConfig,
  functions: readonly FunctionSpec[] = FUNCTIONS,
): HeraldStacks {
  const ids = stackNames(stage.name);
  // The Cognito trigger is built next to the user pool it is attached to (stateful stack).
  const isIdentity = (spec: FunctionSpec) => spec.triggers.some((t) => t.type === "cognito");
  const identitySpecs = functions.filter(isIdentity);
  const env = stage.env ?? {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };
  const tags = { project: "herald", stage: stage.name };
  const stateful = new StatefulStack(app, ids.stateful, {
    stage,
    identityFunctions: identitySpecs,
    env,
    tags,
    description: `Herald ${stage.name}: table, queues, schedule group, bus, secrets, user pool`,
    terminationProtection: stage.retainData,
  });
  const stateless = new StatelessStack(app, ids.stateless, {
    stage,
    resources: stateful,
    functions: functions.filter((spec) => !isIdentity(spec)),
    identitySpecs,
    env,
    tags,
    description: `Herald ${stage.name}: API, functions, alarms`,
  });
  stateless.addStackDependency(stateful);
  return { stateful, stateless };
}
