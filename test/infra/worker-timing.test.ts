/**
 * The publish worker's timing invariant (issue #11), checked where it is deployed: the Lambda
 * timeout, the lease a claim holds and the publish queue's visibility all derive from
 * `PUBLISH_WORKER` (schemas/resources.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../functions/manifest.js";
import { PUBLISH_LEASE_MS, PUBLISH_TIMEOUT_SECONDS } from "../../functions/publishing/wiring.js";
import { VISIBILITY_TO_TIMEOUT_RATIO } from "../../lib/stateless-stack.js";
import { names, PUBLISH_WORKER, QUEUES } from "../../schemas/resources.js";
import {
  functionLogicalId,
  logicalIdBy,
  resourcesOf,
  type SynthesizedStage,
  synthStage,
} from "../support/infra-app.js";

const STAGE = "timing";
const worker = FUNCTIONS.find((f) => f.triggers.some((t) => t.type === "queue" && t.queue === "publish"))!;
let s: SynthesizedStage;

beforeAll(() => {
  s = synthStage(STAGE, [worker]);
});

describe("publish worker timing", () => {
  it("is declared once: the manifest, the worker and the queue definition read PUBLISH_WORKER", () => {
    expect(worker.name).toBe("publish");
    expect(worker.timeoutSeconds).toBe(PUBLISH_WORKER.timeoutSeconds);
    expect(PUBLISH_TIMEOUT_SECONDS).toBe(PUBLISH_WORKER.timeoutSeconds);
    expect(PUBLISH_LEASE_MS).toBe(PUBLISH_WORKER.leaseMs);
    expect(QUEUES.publish.visibilityTimeoutSeconds).toBe(PUBLISH_WORKER.visibilityTimeoutSeconds);
  });

  it("deploys the worker with that timeout and the publish queue with the derived visibility", () => {
    const fnId = functionLogicalId(s.statelessTemplate, STAGE, worker.name);
    const fn = resourcesOf(s.statelessTemplate, "AWS::Lambda::Function")[fnId]!.Properties!;
    const queueId = logicalIdBy(
      s.statefulTemplate,
      "AWS::SQS::Queue",
      "QueueName",
      names.queue(STAGE, "publish"),
    );
    const queue = resourcesOf(s.statefulTemplate, "AWS::SQS::Queue")[queueId]!.Properties!;
    expect(fn.Timeout).toBe(PUBLISH_WORKER.timeoutSeconds);
    expect(queue.VisibilityTimeout).toBe(PUBLISH_WORKER.visibilityTimeoutSeconds);
  });

  it("orders the three: a run ends before its lease, the lease before the message comes back", () => {
    const timeoutMs = PUBLISH_WORKER.timeoutSeconds * 1000;
    const visibilityMs = PUBLISH_WORKER.visibilityTimeoutSeconds * 1000;
    expect(PUBLISH_WORKER.leaseMs).toBeGreaterThan(timeoutMs);
    expect(PUBLISH_WORKER.leaseMs).toBeLessThan(visibilityMs);
    expect(PUBLISH_WORKER.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      VISIBILITY_TO_TIMEOUT_RATIO * PUBLISH_WORKER.timeoutSeconds,
    );
  });
});
