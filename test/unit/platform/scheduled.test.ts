/**
 * The scheduled (cron) chain: every log line of a run carries that run's correlation id (and
 * the next run gets another), the job's success or failure is counted with its name, and a
 * failure is logged and thrown so the Scheduler retries it and then dead-letters it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The logger reads its level at construction and goes back to it on every invocation.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
});

import { logger, metrics } from "../../../functions/platform/observability.js";
import { type ScheduledContext, scheduledHandler } from "../../../functions/platform/scheduled.js";
import { lambdaContext } from "../../support/events.js";
import { captureLogLines } from "../../support/log-lines.js";

/** The EventBridge "Scheduled Event" envelope (what the local cron runner sends). */
const scheduledEvent = (id: string) => ({
  version: "0",
  id,
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: "2026-12-05T08:00:00Z",
  region: "eu-west-1",
  resources: ["arn:aws:scheduler:eu-west-1:123456789012:schedule/default/refresh-tokens"],
  detail: {},
});

let lines: Record<string, unknown>[];
let recorded: { dimensions: Record<string, string>; name: string; value: number }[];
beforeEach(() => {
  lines = captureLogLines();
  recorded = [];
  vi.spyOn(metrics, "singleMetric").mockImplementation(() => {
    const dimensions: Record<string, string> = {};
    const single = {
      addDimension: (name: string, value: string) => {
        dimensions[name] = value;
      },
      addMetric: (name: string, _unit: unknown, value: number) => {
        recorded.push({ dimensions: { ...dimensions }, name, value });
      },
    };
    return single as unknown as ReturnType<typeof metrics.singleMetric>;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("scheduledHandler", () => {
  it("puts one correlation id and the job name on every line of a run, and a new id on the next run", async () => {
    const seen: ScheduledContext[] = [];
    const h = scheduledHandler("refresh-tokens", async (ctx) => {
      seen.push(ctx);
      logger.info("working");
      logger.debug("still working");
      return { processed: 1 };
    });
    await expect(h({}, lambdaContext())).resolves.toEqual({ processed: 1 });
    await h({}, lambdaContext());
    const working = lines.filter((l) => l.message === "working" || l.message === "still working");
    expect(working).toHaveLength(4);
    expect(working.slice(0, 2).map((l) => l.correlationId)).toEqual([
      seen[0]!.correlationId,
      seen[0]!.correlationId,
    ]);
    expect(working.slice(2).map((l) => l.correlationId)).toEqual([
      seen[1]!.correlationId,
      seen[1]!.correlationId,
    ]);
    expect(seen[0]!.correlationId).not.toBe(seen[1]!.correlationId);
    for (const line of working) expect(line.job).toBe("refresh-tokens");
  });

  it("uses the Scheduled Event's id as the correlation id when the payload is that envelope", async () => {
    const seen: ScheduledContext[] = [];
    const h = scheduledHandler("refresh-tokens", async (ctx) => {
      seen.push(ctx);
    });
    await h(scheduledEvent("5b1f0c2e-4d7a-4b5e-9f3a-0c1d2e3f4a5b"), lambdaContext());
    expect(seen[0]!.correlationId).toBe("5b1f0c2e-4d7a-4b5e-9f3a-0c1d2e3f4a5b");
  });

  it("does not leave the run's keys on the shared logger after the run", async () => {
    const h = scheduledHandler("refresh-tokens", async () => undefined);
    await h({}, lambdaContext());
    logger.info("after the run");
    const after = lines.find((l) => l.message === "after the run")!;
    expect(after.correlationId).toBeUndefined();
    expect(after.job).toBeUndefined();
  });

  it("counts a successful run with the job as its dimension", async () => {
    const h = scheduledHandler("refresh-tokens", async () => undefined);
    await h({}, lambdaContext());
    expect(recorded).toEqual([
      { dimensions: { job: "refresh-tokens" }, name: "ScheduledRunSucceeded", value: 1 },
    ]);
  });

  it("logs and rethrows a failure (so the Scheduler retries and dead-letters it), and counts it", async () => {
    const h = scheduledHandler("refresh-tokens", async () => {
      throw new Error("table unavailable");
    });
    await expect(h({}, lambdaContext())).rejects.toThrow("table unavailable");
    expect(recorded).toEqual([
      { dimensions: { job: "refresh-tokens" }, name: "ScheduledRunFailed", value: 1 },
    ]);
    const line = lines.find((l) => String(l.message).startsWith("scheduled run failed"))!;
    expect(line.level).toBe("ERROR");
    expect(line.job).toBe("refresh-tokens");
    expect(typeof line.correlationId).toBe("string");
    expect(JSON.stringify(line.error)).toContain("table unavailable");
  });
});
