import { afterEach, describe, expect, it } from "vitest";
import type { FunctionSpec } from "../../../../functions/manifest.js";
import { startCronRunner } from "../../../../local/runtime/cron.js";
import { createInvoker } from "../../../../local/runtime/invoker.js";
import { createActivityLog } from "../../../../local/stack/activity.js";

const fn: FunctionSpec = {
  name: "nightly",
  description: "fixture",
  entry: "test/unit/local/runtime/fixtures/scheduled.handler.ts",
  triggers: [{ type: "schedule", expression: "cron(0 3 * * ? *)" }],
  memoryMb: 128,
  timeoutSeconds: 5,
  bindings: {},
};

describe("cron runner", () => {
  afterEach(() => {
    delete process.env.FIXTURE_CRON_FAIL;
  });

  it("lists the next fire time and runs a scheduled function on demand with a Scheduled Event", async () => {
    const activity = createActivityLog(undefined);
    const seen: unknown[] = [];
    activity.events.on("activity", (e) => seen.push(e));
    const invoker = createInvoker({
      functions: [fn],
      stage: "t",
      region: "us-east-1",
      accountId: "000000000000",
    });
    const cron = startCronRunner({
      functions: [fn],
      invoker,
      region: "us-east-1",
      accountId: "000000000000",
      activity,
    });
    try {
      expect(cron.jobs[0]?.next).toMatch(/T03:00:00\.000Z$/);
      const run = await cron.trigger("nightly");
      if (!run) throw new Error("no run");
      expect(run.ok).toBe(true);
      expect((run.result as { got: Record<string, unknown> }).got).toMatchObject({
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: "000000000000",
        region: "us-east-1",
        detail: {},
      });
      expect(seen).toContainEqual(expect.objectContaining({ source: "cron", type: "run" }));
      expect(await cron.trigger("no-such-function")).toBeUndefined();
    } finally {
      cron.stop();
      await activity.close();
    }
  });

  it("reports a failing run without throwing", async () => {
    process.env.FIXTURE_CRON_FAIL = "1";
    const invoker = createInvoker({
      functions: [fn],
      stage: "t",
      region: "us-east-1",
      accountId: "000000000000",
    });
    const cron = startCronRunner({
      functions: [fn],
      invoker,
      region: "us-east-1",
      accountId: "000000000000",
    });
    try {
      const run = await cron.trigger("herald-t-nightly");
      expect(run).toMatchObject({ ok: false, error: "fixture cron failure" });
    } finally {
      cron.stop();
    }
  });
});
