/**
 * Publishing metrics (Powertools EMF, namespace Herald): outcomes by provider and error class,
 * lag from publishAt to published, attempts per delivery, breaker transitions. No tenant
 * dimension (tenants go in logs).
 */
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { MetricUnit } from "../../platform/observability.js";
import type { PublishMetrics } from "../use-cases/ports.js";

/** Metric names, shared with the dashboard and alarms in lib/. */
export const PUBLISH_METRICS = {
  outcome: "PublishOutcome",
  lag: "PublishLagMs",
  attempts: "PublishAttempts",
  breaker: "BreakerTransition",
} as const;

export function powertoolsPublishMetrics(metrics: Metrics): PublishMetrics {
  const single = (dims: Record<string, string>) => {
    const m = metrics.singleMetric();
    for (const [k, v] of Object.entries(dims)) m.addDimension(k, v);
    return m;
  };
  return {
    outcome(provider, outcome, errorClass) {
      single({ provider, outcome, class: errorClass ?? "none" }).addMetric(
        PUBLISH_METRICS.outcome,
        MetricUnit.Count,
        1,
      );
    },
    lag(provider, ms) {
      single({ provider }).addMetric(PUBLISH_METRICS.lag, MetricUnit.Milliseconds, Math.max(0, ms));
    },
    attempts(provider, n) {
      single({ provider }).addMetric(PUBLISH_METRICS.attempts, MetricUnit.Count, n);
    },
    breaker(provider, t) {
      single({ provider, to: t.to }).addMetric(PUBLISH_METRICS.breaker, MetricUnit.Count, 1);
    },
  };
}
