/**
 * cdk-nag (v3, CDK `Validations` API). The rule pack is added only in the app entry
 * (`bin/herald.ts`), never in tests: `Template.fromStack` re-runs validation. Acknowledgements
 * live next to the construct they concern, each with the reason a reviewer would ask for.
 */
import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

export interface NagAcknowledgement {
  /** Rule id, optionally with the finding: `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  /** Why this is acceptable here. Required, and must say something. */
  readonly reason: string;
}

/** Acknowledge cdk-nag findings on a construct (and its children), each with a real reason. */
export function acknowledge(scope: IConstruct, ...rules: NagAcknowledgement[]): void {
  for (const rule of rules) {
    if (rule.reason.trim().length < 20) {
      throw new Error(`cdk-nag acknowledgement ${rule.id} on ${scope.node.path} needs a real reason`);
    }
  }
  Validations.of(scope).acknowledge(...rules);
}
