/**
 * Alarms that fire and reach someone: the alarm topic's subscribers, a not-empty alarm on
 * every dead-letter queue, Lambda Errors/Throttles alarms covering every function by class,
 * and an on-failure destination (into an alarmed DLQ) for every cron.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FunctionSpec } from "../../functions/manifest.js";
import { functionClass, MAX_METRICS_PER_ALARM } from "../../lib/constructs/observability.js";
import { CRON_DELIVERY, names } from "../../schemas/resources.js";
import {
  asArray,
  functionLogicalId,
  logicalIdBy,
  policyStatements,
  resourcesOf,
  type SynthesizedStage,
  synthStage,
} from "../support/infra-app.js";

const STAGE = "alarms";
let s: SynthesizedStage;
const json = (v: unknown) => JSON.stringify(v);

interface AlarmProps {
  AlarmName: string;
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: {
    Id: string;
    Expression?: string;
    MetricStat?: {
      Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
    };
  }[];
  AlarmActions?: unknown[];
}

const alarms = () =>
  Object.values(resourcesOf(s.statelessTemplate, "AWS::CloudWatch::Alarm")).map(
    (a) => a.Properties as unknown as AlarmProps,
  );

beforeAll(() => {
  s = synthStage(STAGE, undefined, {
    alarmTargets: {
      emails: ["ops@herald.test", "oncall@herald.test"],
      httpsEndpoints: ["https://hooks.herald.test/sns"],
    },
  });
});

describe("alarm topic", () => {
  it("subscribes every configured e-mail and HTTPS endpoint to the stage's alarm topic", () => {
    const topicId = logicalIdBy(s.statelessTemplate, "AWS::SNS::Topic", "TopicName", names.alarmTopic(STAGE));
    const subs = Object.values(resourcesOf(s.statelessTemplate, "AWS::SNS::Subscription")).map(
      (r) => r.Properties!,
    );
    const of = (protocol: string) =>
      subs
        .filter((p) => p.Protocol === protocol && json(p.TopicArn) === json({ Ref: topicId }))
        .map((p) => p.Endpoint);
    expect(of("email").sort()).toEqual(["oncall@herald.test", "ops@herald.test"]);
    expect(of("https")).toEqual(["https://hooks.herald.test/sns"]);
  });

  it("sends every alarm (and its recovery) to that topic", () => {
    const topicId = logicalIdBy(s.statelessTemplate, "AWS::SNS::Topic", "TopicName", names.alarmTopic(STAGE));
    for (const alarm of alarms()) expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: topicId }]);
  });
});

describe("dead-letter queues", () => {
  it("alarms when any dead-letter queue is not empty: work queues', scheduler's, events' and crons'", () => {
    const dlqs = Object.values(resourcesOf(s.statefulTemplate, "AWS::SQS::Queue"))
      .map((q) => q.Properties!.QueueName as string)
      .filter((n) => n.endsWith("-dlq"));
    expect(dlqs).toContain(names.cronsDlq(STAGE));
    expect(dlqs).toContain(names.eventsDlq(STAGE));
    for (const dlq of dlqs) {
      const id = logicalIdBy(s.statefulTemplate, "AWS::SQS::Queue", "QueueName", dlq);
      const matching = alarms().filter(
        (a) => a.MetricName === "ApproximateNumberOfMessagesVisible" && json(a.Dimensions).includes(id),
      );
      expect(matching, dlq).toHaveLength(1);
    }
  });
});

describe("Lambda Errors and Throttles", () => {
  /** FunctionName values of the AWS/Lambda metrics inside one metric-math alarm. */
  const functionsIn = (alarm: AlarmProps, metricName: string) =>
    (alarm.Metrics ?? [])
      .filter(
        (m) =>
          m.MetricStat?.Metric.Namespace === "AWS/Lambda" && m.MetricStat.Metric.MetricName === metricName,
      )
      .map((m) => m.MetricStat!.Metric.Dimensions?.find((d) => d.Name === "FunctionName")?.Value as string);

  it.each(["Errors", "Throttles"])(
    "alarms on %s of every function exactly once, grouped by function class",
    (metricName) => {
      const byClass = new Map<string, FunctionSpec[]>();
      for (const spec of s.specs)
        byClass.set(functionClass(spec), [...(byClass.get(functionClass(spec)) ?? []), spec]);
      expect([...byClass.keys()].sort()).toEqual(["cognito", "event", "http", "queue", "schedule"]);
      const seen: string[] = [];
      for (const [cls, specs] of byClass) {
        const prefix = names.alarm(STAGE, `lambda-${metricName.toLowerCase()}-${cls}`);
        const mine = alarms().filter((a) => a.AlarmName === prefix || a.AlarmName.startsWith(`${prefix}-`));
        expect(mine.length, cls).toBeGreaterThan(0);
        const covered = mine.flatMap((a) => functionsIn(a, metricName));
        expect(covered.sort(), cls).toEqual(specs.map((f) => names.function(STAGE, f.name)).sort());
        seen.push(...covered);
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(s.specs.length);
    },
  );

  it(`keeps every metric-math alarm within CloudWatch's ${MAX_METRICS_PER_ALARM} metrics`, () => {
    for (const alarm of alarms()) {
      const metrics = (alarm.Metrics ?? []).filter((m) => m.MetricStat);
      expect(metrics.length, alarm.AlarmName).toBeLessThanOrEqual(MAX_METRICS_PER_ALARM);
    }
  });
});

describe("cron failures", () => {
  it("gives every scheduled function an on-failure destination into the crons DLQ (and the grant to send)", () => {
    const crons = s.specs.filter((f) => f.triggers.some((t) => t.type === "schedule"));
    expect(crons.map((f) => f.name)).toContain("refresh-tokens");
    const dlqId = logicalIdBy(s.statefulTemplate, "AWS::SQS::Queue", "QueueName", names.cronsDlq(STAGE));
    const configs = Object.values(resourcesOf(s.statelessTemplate, "AWS::Lambda::EventInvokeConfig"));
    for (const spec of crons) {
      const fnId = functionLogicalId(s.statelessTemplate, STAGE, spec.name);
      const mine = configs.filter((c) => json(c.Properties?.FunctionName) === json({ Ref: fnId }));
      expect(mine, spec.name).toHaveLength(1);
      const props = mine[0]!.Properties!;
      expect(props.MaximumRetryAttempts).toBe(CRON_DELIVERY.functionRetryAttempts);
      expect(props.MaximumEventAgeInSeconds).toBe(CRON_DELIVERY.maxEventAgeSeconds);
      expect(json((props.DestinationConfig as { OnFailure: unknown }).OnFailure)).toContain(dlqId);

      const role = json(resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[fnId]!.Properties!.Role);
      const sends = policyStatements(s.statelessTemplate).filter(
        ({ policy, statement }) =>
          role.includes(policy.replace(/DefaultPolicy.*$/, "")) &&
          asArray(statement.Action as string | string[]).includes("sqs:SendMessage") &&
          json(statement.Resource).includes(dlqId),
      );
      expect(sends.length, spec.name).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("prod-like stages", () => {
  it("refuse to synthesize without an alarm subscriber", () => {
    expect(() => synthStage("acme-prod", [], { alarmTargets: { emails: [], httpsEndpoints: [] } })).toThrow(
      /alarmEmail/,
    );
  });
});
