/**
 * The Herald CDK app.
 *
 *   npx cdk synth -c stage=dev            (CDK CLI; cdk.json runs this file)
 *   npx cdk deploy -c stage=acme --all    (one isolated copy per tenant or environment)
 *   npx cdk deploy -c stage=prod -c alarmEmail=ops@example.com --all
 *                                         (prod-like stages need an alarm e-mail and/or
 *                                          -c alarmWebhook=https://…)
 *   npx tsx bin/herald.ts --stage ci      (direct: synth into a temp dir, run cdk-nag, exit 1 on
 *                                          any unacknowledged finding, print a summary;
 *                                          --alarm-email / --alarm-webhook as above)
 *
 * cdk-nag (AwsSolutions) runs on every synth through CDK's `Validations` API.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { buildHerald } from "../lib/app.js";
import {
  resolveStage,
  STAGE_CONTEXT,
  StageConfigError,
  stageOverridesFromContext,
} from "../lib/stage-config.js";

/** The value of `--<flag> v` or `--<flag>=v` in argv. */
function flagFromArgv(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${flag}`) return argv[i + 1] ?? "";
    if (arg.startsWith(`--${flag}=`)) return arg.slice(`--${flag}=`.length);
  }
  return undefined;
}

/** Direct-runner flags for the stage context keys (`-c alarmEmail=…` ↔ `--alarm-email …`). */
const DIRECT_FLAGS: Record<string, string> = {
  [STAGE_CONTEXT.alarmEmail]: "alarm-email",
  [STAGE_CONTEXT.alarmWebhook]: "alarm-webhook",
};

interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly description: string;
}

/** Read the violations out of whatever validation report(s) the synth wrote. */
function findingsIn(outdir: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of readdirSync(outdir).filter((f) => f.endsWith("validation-report.json"))) {
    const report = JSON.parse(readFileSync(path.join(outdir, file), "utf8")) as {
      pluginReports?: {
        violations?: {
          ruleName: string;
          description?: string;
          violatingConstructs?: { constructPath?: string; resourceLogicalId?: string }[];
        }[];
      }[];
    };
    for (const plugin of report.pluginReports ?? []) {
      for (const v of plugin.violations ?? []) {
        for (const c of v.violatingConstructs ?? [{}]) {
          findings.push({
            rule: v.ruleName,
            path: c.constructPath ?? c.resourceLogicalId ?? "?",
            description: (v.description ?? "").split("\n")[0] ?? "",
          });
        }
      }
    }
  }
  return findings;
}

function main(): number {
  const argv = process.argv.slice(2);
  const argvStage = flagFromArgv(argv, "stage");
  const direct = argvStage !== undefined;
  const outdir = direct ? mkdtempSync(path.join(tmpdir(), "herald-synth-")) : undefined;
  const app = new App({
    ...(outdir ? { outdir } : {}),
    // Strong (export/import) references: CloudFormation refuses to delete a stateful resource
    // the stateless stack still uses. cdk.json or -c may override.
    context: { "@aws-cdk/core:defaultCrossStackReferences": "strong" },
  });
  const stageName = argvStage ?? app.node.tryGetContext("stage");
  if (stageName === undefined) {
    console.error("No stage: pass -c stage=<name> (cdk) or --stage <name> (tsx bin/herald.ts).");
    return 2;
  }
  let stage: ReturnType<typeof resolveStage>;
  try {
    const fromContext = (key: string) =>
      direct ? flagFromArgv(argv, DIRECT_FLAGS[key] ?? key) : app.node.tryGetContext(key);
    stage = resolveStage(stageName, stageOverridesFromContext(fromContext));
  } catch (error) {
    if (error instanceof StageConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }

  const stacks = buildHerald(app, stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  if (!direct) {
    app.synth();
    return 0;
  }
  const started = performance.now();
  try {
    app.synth();
  } catch (error) {
    const findings = outdir ? findingsIn(outdir) : [];
    console.error(`\ncdk-nag: ${findings.length} unacknowledged finding(s) in stage "${stage.name}":`);
    for (const f of findings) console.error(`  ${f.rule}  ${f.path}\n      ${f.description}`);
    if (findings.length === 0) console.error(error instanceof Error ? error.message : String(error));
    console.error(`\nCloud assembly and validation report kept in ${outdir}`);
    return 1;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `cdk-nag AwsSolutions: 0 unacknowledged findings for stage "${stage.name}" ` +
      `(${stacks.stateless.functions.size + stacks.stateful.identityFunctions.size} functions, stacks ${stacks.stateful.stackName} + ` +
      `${stacks.stateless.stackName}, synth ${seconds}s)`,
  );
  if (outdir) rmSync(outdir, { recursive: true, force: true });
  return 0;
}

process.exitCode = main();
