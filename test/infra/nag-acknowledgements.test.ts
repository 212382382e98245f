/**
 * cdk-nag acknowledgements name rules that exist: every `acknowledge()` in lib/ (CDK's
 * `aws:cdk:acknowledged-rules` construct metadata) is checked against the rule ids of the
 * installed cdk-nag AwsSolutions pack, so a rule renamed or dropped by cdk-nag (or a typo)
 * fails here instead of silently acknowledging nothing. A reason that cites a document must
 * cite one that exists.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CfnResource, type Stack } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../lib/constructs/herald-function.js";
import { type SynthesizedStage, synthStage } from "../support/infra-app.js";

let s: SynthesizedStage;
beforeAll(() => {
  s = synthStage("test");
});

/** Every acknowledgement in a stack: rule id (with its finding, if any), where, and why. */
function acknowledgements(stack: Stack): { id: string; path: string; reason: string }[] {
  const out: { id: string; path: string; reason: string }[] = [];
  for (const construct of stack.node.findAll() as IConstruct[]) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== "aws:cdk:acknowledged-rules" || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
        out.push({ id, path: construct.node.path, reason });
    }
  }
  return out;
}

/** The rule ids the installed AwsSolutions pack applies (`AwsSolutions-IAM5`, …). */
function awsSolutionsRuleIds(anyResource: CfnResource): Set<string> {
  const pack = new AwsSolutionsChecks();
  const ids = new Set<string>();
  const spy = pack as unknown as {
    applyRule: (params: { ruleSuffixOverride?: string; rule: { name: string } }) => void;
    checkResource: (node: CfnResource) => void;
  };
  spy.applyRule = (params) => {
    ids.add(`AwsSolutions-${params.ruleSuffixOverride ?? params.rule.name}`);
  };
  spy.checkResource(anyResource);
  return ids;
}

/**
 * The rule id of an acknowledgement: CDK stores it with the kind of finding in front
 * (`Annotation::AwsSolutions-SQS3`) and cdk-nag's finding after it (`AwsSolutions-IAM5[Resource::*]`).
 */
const ruleOf = (id: string) => id.replace(/^\w+::(?=AwsSolutions-)/, "").replace(/\[.*$/, "");

describe("cdk-nag acknowledgements", () => {
  const all = () => [...acknowledgements(s.stateful), ...acknowledgements(s.stateless)];

  it("finds the acknowledgements made in lib/ (the check below has something to check)", () => {
    const ids = all().map((a) => ruleOf(a.id));
    expect(ids).toContain("AwsSolutions-IAM4");
    expect(ids).toContain("AwsSolutions-SQS3");
    expect(ids).toContain("AwsSolutions-SMG4");
  });

  it("reads the installed AwsSolutions pack's rule ids (and not a made-up one)", () => {
    const resource = s.stateful.node.findAll().find((c): c is CfnResource => c instanceof CfnResource)!;
    const rules = awsSolutionsRuleIds(resource);
    expect(rules.size).toBeGreaterThan(50);
    expect(rules.has("AwsSolutions-IAM5")).toBe(true);
    expect(rules.has("AwsSolutions-XYZ99")).toBe(false);
  });

  it("acknowledges only rules that exist in cdk-nag's AwsSolutions pack", () => {
    const resource = s.stateful.node.findAll().find((c): c is CfnResource => c instanceof CfnResource)!;
    const rules = awsSolutionsRuleIds(resource);
    const unknown = all()
      .filter((a) => !rules.has(ruleOf(a.id)))
      .map((a) => `${a.id} on ${a.path}`);
    expect(unknown, `acknowledged rules that cdk-nag does not have:\n  ${unknown.join("\n  ")}`).toEqual([]);
  });

  it("cites only documents that exist in the repository", () => {
    const missing = all().flatMap((a) =>
      [...a.reason.matchAll(/\bdocs\/[\w./-]+\.md\b/g)]
        .map((m) => m[0])
        .filter((doc) => !existsSync(join(REPO_ROOT, doc)))
        .map((doc) => `${a.id} on ${a.path} cites ${doc}`),
    );
    expect(missing).toEqual([]);
  });
});
