/**
 * The scheduled (cron) chain: EventBridge Scheduler → Lambda, a manifest `schedule` trigger.
 *
 *   Powertools logger context → Powertools metrics → a correlation id for the run on every
 *   log line → the job → `ScheduledRunSucceeded` / `ScheduledRunFailed` (dimension `job`)
 *
 * A run is one invocation with no caller to carry a correlation id, so each run gets its own
 * (the event's `id` when the payload is an EventBridge "Scheduled Event" with a usable one,
 * otherwise a new UUID): every line of one run can be found together. A failure is logged and
 * thrown, so the Scheduler retries it (the manifest's retry policy) and then sends it to the
 * stage's scheduler dead-letter queue. The payload is not read beyond that id: a Scheduler
 * target without `Input` and the local cron runner's Scheduled Event are both accepted.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { correlationIdFrom, logger, MetricUnit, metrics } from "./observability.js";

export interface ScheduledContext {
  /** This run's correlation id (also on every log line of the run). */
  readonly correlationId: string;
  /** The job's name, as given to `scheduledHandler`. */
  readonly job: string;
}

/** The event's `id` when it has one (EventBridge envelopes do). */
const eventId = (event: unknown): string | undefined => {
  const id = (event as { id?: unknown } | null | undefined)?.id;
  return typeof id === "string" ? id : undefined;
};

/**
 * Build the handler of a scheduled job: `run` is called once per invocation; what it returns
 * is the invocation's result, what it throws fails the invocation.
 */
export function scheduledHandler<R>(job: string, run: (ctx: ScheduledContext) => Promise<R>) {
  const invoke = async (event: unknown): Promise<R> => {
    const correlationId = correlationIdFrom(eventId(event));
    // One run per invocation (no concurrent records), so the shared logger can carry the keys.
    logger.appendKeys({ correlationId, job });
    const recordRun = (metric: "ScheduledRunSucceeded" | "ScheduledRunFailed") => {
      const m = metrics.singleMetric();
      m.addDimension("job", job);
      m.addMetric(metric, MetricUnit.Count, 1);
    };
    try {
      const result = await run({ correlationId, job });
      recordRun("ScheduledRunSucceeded");
      return result;
    } catch (error) {
      recordRun("ScheduledRunFailed");
      logger.error(
        "scheduled run failed; the Scheduler retries it, then it goes to the scheduler dead-letter queue",
        error as Error,
      );
      throw error;
    } finally {
      logger.removeKeys(["correlationId", "job"]);
    }
  };

  return middy<unknown, R>(async (event: unknown, _context: Context) => invoke(event))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
