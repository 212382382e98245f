import { Duration } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription, UrlSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { FunctionSpec, Trigger } from "../../functions/manifest.js";
import { METRICS, names } from "../../schemas/resources.js";
import type { StageConfig } from "../stage-config.js";

/** Runbooks that exist in `docs/runbooks/`; an alarm can only link to one of these. */
export const RUNBOOKS = [
  "dlq-not-empty",
  "api-5xx",
  "token-refresh-failures",
  "publish-failures",
  "lambda-errors",
  "lambda-throttles",
  "cron-failures",
] as const;
export type Runbook = (typeof RUNBOOKS)[number];

export interface ObservabilityProps {
  readonly stage: StageConfig;
  readonly api: HttpApi;
  /** Work queues by name (depth and age on the dashboard). */
  readonly queues: Readonly<Record<string, Queue>>;
  /** Dead-letter queues by name: each gets a "not empty" alarm. */
  readonly deadLetterQueues: Readonly<Record<string, Queue>>;
  /** A DLQ's own runbook when `dlq-not-empty` does not fit it. */
  readonly dlqRunbooks?: Readonly<Record<string, Runbook>>;
  /** Every function of the stage (both stacks): Errors/Throttles alarms per function class. */
  readonly functions: readonly FunctionSpec[];
}

/** A function's class: how it is invoked (its first trigger's kind). */
export type FunctionClass = Trigger["type"];

export const functionClass = (spec: FunctionSpec): FunctionClass => spec.triggers[0]?.type ?? "http";

/** CloudWatch refuses a metric-math alarm over more than this many metrics. */
export const MAX_METRICS_PER_ALARM = 10;

/** `[a, b, c, d]`, 3 → `[[a, b, c], [d]]`. */
const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * The stage's alarm topic, its alarms (each description ends with a runbook link) and one
 * dashboard. No per-tenant dimensions: tenant ids go to logs, not metric series.
 */
export class Observability extends Construct {
  public readonly topic: Topic;
  public readonly dashboard: Dashboard;
  public readonly alarms: Alarm[] = [];
  private readonly stage: StageConfig;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { stage } = props;
    this.stage = stage;
    this.topic = new Topic(this, "AlarmTopic", {
      topicName: names.alarmTopic(stage.name),
      displayName: `Herald ${stage.name} alarms`,
      enforceSSL: true,
    });
    // Not encrypted with KMS: alarm notifications carry only alarm names and states, and
    // CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key (a customer
    // managed key per stage would be needed). cdk-nag's AwsSolutions pack has no SNS encryption
    // rule (there is no SNS2 in the installed version), so there is nothing to acknowledge.
    for (const email of stage.alarmTargets.emails) this.topic.addSubscription(new EmailSubscription(email));
    for (const url of stage.alarmTargets.httpsEndpoints) this.topic.addSubscription(new UrlSubscription(url));

    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`${name}-dlq-not-empty`, props.dlqRunbooks?.[name] ?? "dlq-not-empty", {
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: "Maximum",
        }),
        threshold: 1,
        what: `Messages are waiting in the ${name} dead-letter queue (${dlq.node.path}).`,
      });
    }
    this.alarm("api-5xx", "api-5xx", {
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 5,
      what: "The HTTP API answered 5 or more 5xx responses in 5 minutes.",
    });
    // Token refresh (functions/connections): EMF metric `TokenRefresh` per connection, dimension `outcome`.
    const refreshOutcome = (outcome: string) =>
      new Metric({
        namespace: METRICS.namespace,
        metricName: "TokenRefresh",
        dimensionsMap: { service: METRICS.service, outcome },
        statistic: "Sum",
        period: Duration.hours(1),
      });
    this.alarm("token-refresh-failures", "token-refresh-failures", {
      metric: new MathExpression({
        expression: "FILL(t, 0) + FILL(f, 0) + FILL(r, 0)",
        usingMetrics: {
          t: refreshOutcome("transient_failure"),
          f: refreshOutcome("failed"),
          r: refreshOutcome("revoked"),
        },
        period: Duration.hours(1),
        label: "token refresh failures per hour",
      }),
      threshold: 10,
      what: "10 or more token refreshes failed or found a revoked grant within an hour.",
    });

    // Publishing (functions/publishing/adapters/metrics.ts): EMF metrics by provider.
    const PROVIDERS = ["meta", "linkedin"] as const;
    const publishMetric = (
      name: string,
      dims: Record<string, string>,
      statistic = "Sum",
      period = Duration.minutes(5),
    ) =>
      new Metric({
        namespace: METRICS.namespace,
        metricName: name,
        dimensionsMap: { service: METRICS.service, ...dims },
        statistic,
        period,
      });
    const outcomes = (outcome: string, period = Duration.minutes(5)) =>
      Object.fromEntries(
        PROVIDERS.map((p) => [
          `${outcome.replace("_", "")}${p}`,
          publishMetric("PublishOutcome", { provider: p, outcome }, "Sum", period),
        ]),
      );
    this.alarm("publish-failure-rate", "publish-failures", {
      metric: new MathExpression({
        // Failed + dead-lettered over finished, once at least 5 deliveries finished in 15 minutes.
        expression:
          "IF((FILL(publishedmeta,0)+FILL(publishedlinkedin,0)+FILL(failedmeta,0)+FILL(failedlinkedin,0)+FILL(deadlettermeta,0)+FILL(deadletterlinkedin,0)) >= 5, " +
          "100*(FILL(failedmeta,0)+FILL(failedlinkedin,0)+FILL(deadlettermeta,0)+FILL(deadletterlinkedin,0))/" +
          "(FILL(publishedmeta,0)+FILL(publishedlinkedin,0)+FILL(failedmeta,0)+FILL(failedlinkedin,0)+FILL(deadlettermeta,0)+FILL(deadletterlinkedin,0)), 0)",
        usingMetrics: {
          ...outcomes("published", Duration.minutes(15)),
          ...outcomes("failed", Duration.minutes(15)),
          ...outcomes("dead_letter", Duration.minutes(15)),
        },
        period: Duration.minutes(15),
        label: "publish failure rate (%)",
      }),
      threshold: 20,
      what: "20 % or more of the deliveries that finished in 15 minutes failed or went to the dead-letter queue.",
    });

    // Lambda's own Errors and Throttles, one alarm per function class (in chunks of at most
    // MAX_METRICS_PER_ALARM functions): a cron, a worker or a trigger that throws is seen even
    // when no custom metric is emitted.
    const lambdaMetric = (
      metricName: "Errors" | "Throttles" | "Duration",
      spec: FunctionSpec,
      statistic = "Sum",
    ) =>
      new Metric({
        namespace: "AWS/Lambda",
        metricName,
        dimensionsMap: { FunctionName: names.function(stage.name, spec.name) },
        statistic,
        period: Duration.minutes(5),
      });
    const classes = new Map<FunctionClass, FunctionSpec[]>();
    for (const spec of props.functions) {
      const list = classes.get(functionClass(spec)) ?? [];
      list.push(spec);
      classes.set(functionClass(spec), list);
    }
    for (const [cls, specs] of classes) {
      const parts = chunks(specs, MAX_METRICS_PER_ALARM);
      parts.forEach((part, i) => {
        const suffix = parts.length > 1 ? `-${i + 1}` : "";
        const listed = part.map((f) => f.name).join(", ");
        for (const [metricName, runbook] of [
          ["Errors", "lambda-errors"],
          ["Throttles", "lambda-throttles"],
        ] as const) {
          const usingMetrics = Object.fromEntries(part.map((f, j) => [`m${j}`, lambdaMetric(metricName, f)]));
          this.alarm(`lambda-${metricName.toLowerCase()}-${cls}${suffix}`, runbook, {
            metric: new MathExpression({
              expression: Object.keys(usingMetrics)
                .map((id) => `FILL(${id}, 0)`)
                .join(" + "),
              usingMetrics,
              period: Duration.minutes(5),
              label: `${metricName} of ${cls} functions`,
            }),
            threshold: 1,
            what: `${cls} functions reported Lambda ${metricName} in 5 minutes (${listed}).`,
          });
        }
      });
    }

    this.dashboard = new Dashboard(this, "Dashboard", { dashboardName: names.dashboard(stage.name) });
    const queueMetrics = (fn: (q: Queue) => Metric) =>
      Object.entries(props.queues).map(([name, q]) => fn(q).with({ label: name }));
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# Herald \`${stage.name}\``, width: 24, height: 1 }),
      new GraphWidget({
        title: "API responses",
        left: [
          props.api.metricCount({ label: "requests" }),
          props.api.metricClientError({ label: "4xx" }),
          props.api.metricServerError({ label: "5xx" }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: "API latency (p50, p99)",
        left: [
          props.api.metricLatency({ statistic: "p50", label: "p50" }),
          props.api.metricLatency({ statistic: "p99", label: "p99" }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: "Queue depth",
        left: queueMetrics((q) => q.metricApproximateNumberOfMessagesVisible()),
        width: 8,
      }),
      new GraphWidget({
        title: "Oldest message age (s)",
        left: queueMetrics((q) => q.metricApproximateAgeOfOldestMessage({ statistic: "Maximum" })),
        width: 8,
      }),
      new GraphWidget({
        title: "Dead-letter queue depth",
        left: Object.entries(props.deadLetterQueues).map(([name, q]) =>
          q.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum", label: name }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Publish outcomes by provider",
        left: PROVIDERS.flatMap((p) =>
          ["published", "failed", "retry", "rescheduled", "dead_letter"].map((o) =>
            publishMetric("PublishOutcome", { provider: p, outcome: o }).with({ label: `${p} ${o}` }),
          ),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Lag publishAt → published (ms, p50/p95)",
        left: PROVIDERS.flatMap((p) =>
          ["p50", "p95"].map((st) =>
            publishMetric("PublishLagMs", { provider: p }, st).with({ label: `${p} ${st}` }),
          ),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Breaker opens",
        left: PROVIDERS.map((p) =>
          publishMetric("BreakerTransition", { provider: p, to: "open" }).with({ label: p }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Function errors",
        left: props.functions.map((f) => lambdaMetric("Errors", f).with({ label: f.name })),
        width: 12,
      }),
      new GraphWidget({
        title: "Function duration p99 (ms)",
        left: props.functions.map((f) => lambdaMetric("Duration", f, "p99").with({ label: f.name })),
        width: 12,
      }),
    );
  }

  private alarm(
    name: string,
    runbook: Runbook,
    opts: { metric: IMetric; threshold: number; what: string },
  ): Alarm {
    const alarm = new Alarm(this, `Alarm-${name}`, {
      alarmName: names.alarm(this.stage.name, name),
      alarmDescription: `${opts.what} Runbook: ${runbookUrl(this.stage.runbookBaseUrl, runbook)}`,
      metric: opts.metric,
      threshold: opts.threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}

/** `<base>/<name>.md`: the runbook link put in alarm descriptions. */
export const runbookUrl = (base: string, runbook: Runbook) => `${base.replace(/\/$/, "")}/${runbook}.md`;
