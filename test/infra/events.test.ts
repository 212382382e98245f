/**
 * Domain-event consumers: each manifest event trigger becomes a rule on the stage bus whose
 * pattern comes from the event contracts, targeting the function with a retry policy and the
 * events DLQ; the function's own failures go to the same DLQ after Lambda's retries.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ConnectionDisconnectedV1 } from "../../events/connection-disconnected.v1.js";
import { DeliveryFailedV1 } from "../../events/delivery-failed.v1.js";
import { DeliveryPublishedV1 } from "../../events/delivery-published.v1.js";
import { EVENT_DELIVERY, type EventTrigger, FUNCTIONS, onEvents } from "../../functions/manifest.js";
import { names } from "../../schemas/resources.js";
import {
  asArray,
  functionLogicalId,
  logicalIdBy,
  policyStatements,
  resourcesOf,
  type SynthesizedStage,
  synthStage,
} from "../support/infra-app.js";

let s: SynthesizedStage;
const STAGE = "test";
const json = (v: unknown) => JSON.stringify(v);

beforeAll(() => {
  s = synthStage(STAGE);
});

const rules = () => resourcesOf(s.statelessTemplate, "AWS::Events::Rule");
const ruleNamed = (name: string) => {
  const found = Object.entries(rules()).filter(([, r]) => r.Properties?.Name === name);
  expect(found, name).toHaveLength(1);
  return { id: found[0]![0], props: found[0]![1].Properties! };
};
const eventsDlqId = () =>
  logicalIdBy(s.statefulTemplate, "AWS::SQS::Queue", "QueueName", names.eventsDlq(STAGE));
const busId = () => logicalIdBy(s.statefulTemplate, "AWS::Events::EventBus", "Name", names.bus(STAGE));

describe("manifest event triggers", () => {
  it("derive source, detail types and version from the contracts", () => {
    expect(onEvents(DeliveryPublishedV1, DeliveryFailedV1)).toEqual({
      type: "event",
      source: "herald.publishing",
      detailTypes: ["DeliveryPublished", "DeliveryFailed"],
      version: 1,
    });
  });

  it("refuse contracts of different sources in one trigger", () => {
    expect(() => onEvents(ConnectionDisconnectedV1, DeliveryFailedV1)).toThrow(/use one trigger each/);
  });

  it("the ConnectionDisconnected v1 consumer is in the manifest", () => {
    const fn = FUNCTIONS.find((f) => f.name === "on-connection-disconnected");
    expect(fn?.triggers).toEqual([onEvents(ConnectionDisconnectedV1)]);
  });
});

describe("event rules", () => {
  it("one rule per event trigger, on the stage bus, matching the contracts' source, names and version", () => {
    let expected = 0;
    for (const spec of s.specs) {
      const triggers = spec.triggers.filter((t): t is EventTrigger => t.type === "event");
      triggers.forEach((t, i) => {
        expected++;
        const { props } = ruleNamed(names.eventRule(STAGE, spec.name, i));
        expect(json(props.EventBusName), spec.name).toContain(busId());
        expect(props.EventPattern, spec.name).toEqual({
          source: [t.source],
          "detail-type": [...t.detailTypes],
          detail: { metadata: { version: [t.version] } },
        });
        expect(props.State).toBe("ENABLED");
      });
    }
    expect(Object.keys(rules())).toHaveLength(expected);
  });

  it("the disconnect rule matches exactly ConnectionDisconnected v1 from the connections context", () => {
    const { props } = ruleNamed(names.eventRule(STAGE, "on-connection-disconnected"));
    expect(props.EventPattern).toEqual({
      source: ["herald.connections"],
      "detail-type": ["ConnectionDisconnected"],
      detail: { metadata: { version: [1] } },
    });
  });

  it("targets the consumer with a retry policy and the events DLQ, and lets only that rule invoke it", () => {
    for (const spec of s.specs.filter((f) => f.triggers.some((t) => t.type === "event"))) {
      const count = spec.triggers.filter((t) => t.type === "event").length;
      const fnId = functionLogicalId(s.statelessTemplate, STAGE, spec.name);
      for (let i = 0; i < count; i++) {
        const { id: ruleId, props } = ruleNamed(names.eventRule(STAGE, spec.name, i));
        const targets = props.Targets as Record<string, unknown>[];
        expect(targets, spec.name).toHaveLength(1);
        const [target] = targets as [Record<string, unknown>];
        expect(target.Arn).toEqual({ "Fn::GetAtt": [fnId, "Arn"] });
        expect(target.RetryPolicy).toEqual({
          MaximumRetryAttempts: EVENT_DELIVERY.busRetryAttempts,
          MaximumEventAgeInSeconds: EVENT_DELIVERY.maxEventAgeSeconds,
        });
        expect(json(target.DeadLetterConfig)).toContain(eventsDlqId());
        const permissions = Object.values(resourcesOf(s.statelessTemplate, "AWS::Lambda::Permission")).filter(
          (p) =>
            p.Properties?.Principal === "events.amazonaws.com" &&
            json(p.Properties?.SourceArn).includes(ruleId),
        );
        expect(permissions, spec.name).toHaveLength(1);
        expect(permissions[0]!.Properties?.FunctionName).toEqual({ "Fn::GetAtt": [fnId, "Arn"] });
      }
    }
  });

  it("sends a consumer's failed runs to the events DLQ after Lambda's retries (and grants it the send)", () => {
    const consumers = s.specs.filter((f) => f.triggers.some((t) => t.type === "event"));
    expect(consumers.length).toBeGreaterThanOrEqual(2);
    const configs = Object.values(resourcesOf(s.statelessTemplate, "AWS::Lambda::EventInvokeConfig"));
    for (const spec of consumers) {
      const fnId = functionLogicalId(s.statelessTemplate, STAGE, spec.name);
      const mine = configs.filter((c) => json(c.Properties?.FunctionName) === json({ Ref: fnId }));
      expect(mine, spec.name).toHaveLength(1);
      const props = mine[0]!.Properties!;
      expect(props.MaximumRetryAttempts).toBe(EVENT_DELIVERY.functionRetryAttempts);
      expect(props.MaximumEventAgeInSeconds).toBe(EVENT_DELIVERY.maxEventAgeSeconds);
      expect(json(props.DestinationConfig)).toContain(eventsDlqId());

      const role = json(resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[fnId]!.Properties!.Role);
      const sends = policyStatements(s.statelessTemplate).filter(
        ({ policy, statement }) =>
          role.includes(policy.replace(/DefaultPolicy.*$/, "")) &&
          asArray(statement.Action as string | string[]).includes("sqs:SendMessage") &&
          json(statement.Resource).includes(eventsDlqId()),
      );
      expect(sends.length, spec.name).toBeGreaterThanOrEqual(1);
    }
  });

  it("no other function gets an asynchronous-invoke config than event consumers and crons (test/infra/async-failures.test.ts)", () => {
    const asyncInvoked = new Set(
      s.specs
        .filter((f) => f.triggers.some((t) => t.type === "event" || t.type === "schedule"))
        .map((f) => f.name),
    );
    expect(Object.keys(resourcesOf(s.statelessTemplate, "AWS::Lambda::EventInvokeConfig"))).toHaveLength(
      asyncInvoked.size,
    );
  });
});

describe("events DLQ (stateful)", () => {
  it("is an encrypted queue that only the stage bus's rules may send to", () => {
    const id = eventsDlqId();
    const queue = resourcesOf(s.statefulTemplate, "AWS::SQS::Queue")[id]!;
    expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(resourcesOf(s.statefulTemplate, "AWS::SQS::QueuePolicy")).filter((p) =>
      json(p.Properties?.Queues).includes(id),
    );
    const statements = policies.flatMap(
      (p) => (p.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const allow = statements.filter((st) => st.Effect === "Allow");
    expect(allow).toHaveLength(1);
    expect(allow[0]!.Principal).toEqual({ Service: "events.amazonaws.com" });
    expect(allow[0]!.Action).toBe("sqs:SendMessage");
    const sourceArn = json(
      (allow[0]!.Condition as { ArnLike: Record<string, unknown> }).ArnLike["aws:SourceArn"],
    );
    expect(sourceArn).toContain(`:rule/${names.bus(STAGE)}/*`);
    expect(
      statements.some((st) => st.Effect === "Deny" && json(st.Condition).includes("SecureTransport")),
    ).toBe(true);
  });

  it("has a not-empty alarm like the other DLQs", () => {
    const alarms = Object.values(resourcesOf(s.statelessTemplate, "AWS::CloudWatch::Alarm"));
    const id = eventsDlqId();
    expect(alarms.some((a) => json(a.Properties?.Dimensions).includes(id))).toBe(true);
  });
});
