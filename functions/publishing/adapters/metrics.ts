/**
 * Publishing metrics (Powertools EMF, namespace Herald, default dimension `service`): outcomes by
 * provider, failures by provider and error class, lag from publishAt to published, attempts per
 * delivery, breaker transitions. No tenant dimension (tenants go in logs). The dashboard and the
 * publish-failure-rate alarm (lib/constructs/observability.ts) read these names.
 */
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { MetricUnit } from "../../platform/observability.js";
import type { PublishMetrics } from "../use-cases/ports.js";

/** Metric names, shared with the dashboard and alarms in lib/. */
export const PUBLISH_METRICS = {
  /** Dimensions provider, outcome (published, failed, retry, rescheduled, dead_letter). */
  outcome: "PublishOutcome",
  /** Dimensions provider, class (the error class of failed and dead-lettered deliveries). */
  failureClass: "PublishFailureClass",
  /** Dimension provider: publishAt → published, milliseconds. */
  lag: "PublishLagMs",
  /** Dimension provider: attempts a finished delivery took. */
  attempts: "PublishAttempts",
  /** Dimensions provider, to (open, half_open, closed). */
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
      single({ provider, outcome }).addMetric(PUBLISH_METRICS.outcome, MetricUnit.Count, 1);
      if (errorClass) {
        single({ provider, class: errorClass }).addMetric(PUBLISH_METRICS.failureClass, MetricUnit.Count, 1);
      }
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
