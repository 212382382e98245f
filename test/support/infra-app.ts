/**
 * Synthesizes one stage for the infra tests: the real manifest plus the kitchen-sink fixture,
 * with placeholder code (no esbuild; `synth:nag` and the bench exercise the real bundling).
 * No cdk-nag plugin here: `Template.fromStack` would re-run validation.
 */
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { FUNCTIONS, type FunctionSpec } from "../../functions/manifest.js";
import { buildHerald, type HeraldStacks } from "../../lib/app.js";
import { resolveStage, type StageConfig } from "../../lib/stage-config.js";
import { KITCHEN_SINK } from "./infra-fixtures.js";

export interface SynthesizedStage extends HeraldStacks {
  readonly stage: StageConfig;
  readonly specs: readonly FunctionSpec[];
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/** What a prod-like stage needs to synthesize at all (an alarm subscriber). */
export const TEST_ALARM_TARGETS = { emails: ["ops@herald.test"], httpsEndpoints: [] } as const;

export function synthStage(
  name = "test",
  specs: readonly FunctionSpec[] = [...FUNCTIONS, ...KITCHEN_SINK],
  overrides: Partial<Omit<StageConfig, "name">> = {},
) {
  const stage = resolveStage(name, { code: "placeholder", alarmTargets: TEST_ALARM_TARGETS, ...overrides });
  const app = new App({ context: { "@aws-cdk/core:defaultCrossStackReferences": "strong" } });
  const stacks = buildHerald(app, stage, specs);
  return {
    ...stacks,
    stage,
    specs,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  } satisfies SynthesizedStage;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** All resources of one CloudFormation type, by logical id. */
export const resourcesOf = (template: Template, type: string) => template.findResources(type) as Resources;

/** The logical id of the Lambda built for a manifest entry. */
export function functionLogicalId(template: Template, stage: string, name: string): string {
  const found = Object.entries(resourcesOf(template, "AWS::Lambda::Function")).filter(
    ([, r]) => r.Properties?.FunctionName === `herald-${stage}-${name}`,
  );
  if (found.length !== 1)
    throw new Error(`expected one function herald-${stage}-${name}, found ${found.length}`);
  return found[0]![0];
}

/** A manifest function's template: Cognito triggers live in the stateful stack, the rest in the stateless one. */
export const templateOfFunction = (s: SynthesizedStage, spec: FunctionSpec): Template =>
  spec.triggers.some((t) => t.type === "cognito") ? s.statefulTemplate : s.statelessTemplate;

/** The logical id of a resource in the stateful stack by a property value (e.g. QueueName). */
export function logicalIdBy(template: Template, type: string, key: string, value: unknown): string {
  const found = Object.entries(resourcesOf(template, type)).filter(([, r]) => r.Properties?.[key] === value);
  if (found.length !== 1)
    throw new Error(`expected one ${type} with ${key}=${String(value)}, found ${found.length}`);
  return found[0]![0];
}

/** Statements of every IAM policy (inline policies and roles' inline policies) in a template. */
export function policyStatements(
  template: Template,
): { policy: string; statement: Record<string, unknown> }[] {
  const out: { policy: string; statement: Record<string, unknown> }[] = [];
  for (const [id, r] of Object.entries(resourcesOf(template, "AWS::IAM::Policy"))) {
    const doc = r.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
    for (const statement of doc.Statement) out.push({ policy: id, statement });
  }
  for (const [id, r] of Object.entries(resourcesOf(template, "AWS::IAM::Role"))) {
    const policies = (r.Properties?.Policies ?? []) as {
      PolicyDocument: { Statement: Record<string, unknown>[] };
    }[];
    for (const p of policies)
      for (const statement of p.PolicyDocument.Statement) out.push({ policy: id, statement });
  }
  return out;
}

export const asArray = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
