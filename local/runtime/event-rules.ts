/**
 * The stage's EventBridge rules on the local bus, from the manifest's event triggers, through
 * the real SDK (PutRule + PutTargets): the same names, patterns, retry policy and DLQ as the
 * CDK stateless stack, targets = the functions' local ARNs. The EventBridge emulator hands a
 * matching event to `invokeFunction`, which the stack routes to Lambda's asynchronous
 * invocation (`async-invoke.ts`). PutRule and PutTargets are upserts, so a restart with
 * `--persist` simply writes them again.
 */
import { type EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  EVENT_DELIVERY,
  type EventTrigger,
  eventPattern,
  type FunctionSpec,
} from "../../functions/manifest.js";
import { names } from "../../schemas/resources.js";

export interface LocalEventRule {
  readonly name: string;
  readonly arn: string;
  readonly function: string;
  readonly pattern: ReturnType<typeof eventPattern>;
}

export async function createEventRules(opts: {
  readonly eventbridge: EventBridgeClient;
  readonly functions: readonly FunctionSpec[];
  readonly stage: string;
  readonly bus: string;
  /** The function's ARN (the invoker's). */
  readonly functionArn: (fn: FunctionSpec) => string;
  readonly deadLetterArn: string;
}): Promise<LocalEventRule[]> {
  const out: LocalEventRule[] = [];
  for (const fn of opts.functions) {
    const triggers = fn.triggers.filter((t): t is EventTrigger => t.type === "event");
    for (const [index, trigger] of triggers.entries()) {
      const name = names.eventRule(opts.stage, fn.name, index);
      const pattern = eventPattern(trigger);
      const rule = await opts.eventbridge.send(
        new PutRuleCommand({
          Name: name,
          EventBusName: opts.bus,
          EventPattern: JSON.stringify(pattern),
          State: "ENABLED",
          Description: `${trigger.detailTypes.join(", ")} v${trigger.version} → ${fn.name}`,
        }),
      );
      const targets = await opts.eventbridge.send(
        new PutTargetsCommand({
          Rule: name,
          EventBusName: opts.bus,
          Targets: [
            {
              Id: "Target0",
              Arn: opts.functionArn(fn),
              RetryPolicy: {
                MaximumRetryAttempts: EVENT_DELIVERY.busRetryAttempts,
                MaximumEventAgeInSeconds: EVENT_DELIVERY.maxEventAgeSeconds,
              },
              DeadLetterConfig: { Arn: opts.deadLetterArn },
            },
          ],
        }),
      );
      if ((targets.FailedEntryCount ?? 0) > 0) {
        throw new Error(`PutTargets ${name}: ${targets.FailedEntries?.[0]?.ErrorMessage ?? "failed"}`);
      }
      out.push({ name, arn: rule.RuleArn ?? "", function: fn.name, pattern });
    }
  }
  return out;
}
