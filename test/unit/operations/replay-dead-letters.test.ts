import { describe, expect, it } from "vitest";
import {
  type DeadLetter,
  type DeadLetterSource,
  planReplay,
  type ReplayEvent,
  type ReplayTargets,
  replayDeadLetters,
} from "../../../functions/operations/use-cases/replay-dead-letters.js";

const event = {
  version: "0",
  id: "e-1",
  "detail-type": "ConnectionDisconnected",
  source: "herald.connections",
  account: "000000000000",
  time: "2026-12-05T08:00:00Z",
  region: "us-east-1",
  resources: ["arn:x"],
  detail: { metadata: { version: 1, id: "m-1" }, data: { tenantId: "acme" } },
};

const letter = (id: string, body: unknown, attributes: DeadLetter["attributes"] = {}): DeadLetter => ({
  messageId: id,
  body: typeof body === "string" ? body : JSON.stringify(body),
  attributes,
});

describe("planReplay", () => {
  it("sends a scheduler DLQ message's body to the publish queue, without the Scheduler's error attributes", () => {
    const plan = planReplay(
      "scheduler",
      letter(
        "m1",
        { data: { deliveryId: "d1" } },
        {
          ERROR_CODE: { dataType: "String", value: "AccessDenied" },
          TARGET_ARN: { dataType: "String", value: "arn:aws:sqs:us-east-1:1:herald-dev-publish" },
          correlationId: { dataType: "String", value: "c-1" },
        },
      ),
    );
    expect(plan).toEqual({
      kind: "queue",
      queue: "publish",
      body: JSON.stringify({ data: { deliveryId: "d1" } }),
      attributes: { correlationId: { dataType: "String", value: "c-1" } },
    });
  });

  it("sends publish and webhook DLQ messages back to their source queue with their attributes", () => {
    const attrs = { correlationId: { dataType: "String", value: "c-2" } };
    expect(planReplay("publish", letter("m", "body", attrs))).toEqual({
      kind: "queue",
      queue: "publish",
      body: "body",
      attributes: attrs,
    });
    expect(planReplay("webhook", letter("m", "body"))).toMatchObject({ kind: "queue", queue: "webhook" });
  });

  it("puts an events DLQ message back on the bus, whether it is the event or Lambda's on-failure record", () => {
    const expected: ReplayEvent = {
      source: "herald.connections",
      detailType: "ConnectionDisconnected",
      detail: JSON.stringify(event.detail),
      resources: ["arn:x"],
      time: "2026-12-05T08:00:00Z",
    };
    expect(planReplay("events", letter("m", event))).toEqual({
      kind: "event",
      event: expected,
      from: "eventbridge",
    });
    const record = {
      version: "1.0",
      timestamp: "2026-12-05T08:01:00Z",
      requestContext: {
        requestId: "r",
        functionArn: "arn:fn",
        condition: "RetriesExhausted",
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: "Error", errorMessage: "boom" },
    };
    expect(planReplay("events", letter("m", record))).toEqual({
      kind: "event",
      event: expected,
      from: "lambda",
    });
  });

  it("refuses events DLQ messages it cannot read, saying why", () => {
    expect(planReplay("events", letter("m", "not json"))).toEqual({
      kind: "unrecognised",
      reason: "the body is not JSON",
    });
    expect(planReplay("events", letter("m", { ...event, source: undefined }))).toMatchObject({
      kind: "unrecognised",
      reason: "the event has no source",
    });
    expect(planReplay("events", letter("m", { requestContext: {}, requestPayload: "x" }))).toMatchObject({
      kind: "unrecognised",
      reason: expect.stringMatching(/^Lambda on-failure record/),
    });
  });
});

/** An in-memory DLQ: receive hides, release shows again, delete removes. */
function fakeDlq(letters: DeadLetter[]) {
  const visible = [...letters];
  const hidden: DeadLetter[] = [];
  const deleted: string[] = [];
  const source: DeadLetterSource = {
    async receive(max) {
      const out = visible.splice(0, max);
      hidden.push(...out);
      return out;
    },
    async delete(l) {
      deleted.push(l.messageId);
      hidden.splice(hidden.indexOf(l), 1);
    },
    async release(l) {
      hidden.splice(hidden.indexOf(l), 1);
      visible.push(l);
    },
  };
  return { source, visible, deleted };
}

function fakeTargets(failOn: (body: string) => boolean = () => false) {
  const sent: { queue: string; body: string }[] = [];
  const events: ReplayEvent[] = [];
  const targets: ReplayTargets = {
    async sendToQueue(queue, body) {
      if (failOn(body)) throw new Error("refused");
      sent.push({ queue, body });
    },
    async putEvent(e) {
      events.push(e);
    },
  };
  return { targets, sent, events };
}

describe("replayDeadLetters", () => {
  it("replays then deletes each message; a refused one stays in the DLQ and is reported", async () => {
    const dlq = fakeDlq([letter("a", "ok-1"), letter("b", "bad"), letter("c", "ok-2")]);
    const t = fakeTargets((b) => b === "bad");
    const report = await replayDeadLetters(
      { source: dlq.source, targets: t.targets },
      { queue: "scheduler" },
    );
    expect(t.sent).toEqual([
      { queue: "publish", body: "ok-1" },
      { queue: "publish", body: "ok-2" },
    ]);
    expect(dlq.deleted).toEqual(["a", "c"]);
    expect(dlq.visible.map((l) => l.messageId)).toEqual(["b"]);
    expect(report).toMatchObject({ examined: 3, replayed: 2, failed: 1 });
    expect(report.messages.find((m) => m.messageId === "b")).toMatchObject({
      outcome: "failed",
      reason: "Error: refused",
    });
  });

  it("a dry run replays and deletes nothing and leaves every message visible", async () => {
    const dlq = fakeDlq([letter("a", event), letter("b", event)]);
    const t = fakeTargets();
    const report = await replayDeadLetters(
      { source: dlq.source, targets: t.targets },
      { queue: "events", dryRun: true },
    );
    expect(t.events).toEqual([]);
    expect(dlq.deleted).toEqual([]);
    expect(dlq.visible).toHaveLength(2);
    expect(report.messages.map((m) => [m.outcome, m.to])).toEqual([
      ["would-replay", "event:herald.connections/ConnectionDisconnected"],
      ["would-replay", "event:herald.connections/ConnectionDisconnected"],
    ]);
  });

  it("stops after --max messages, across receive batches", async () => {
    const dlq = fakeDlq(Array.from({ length: 25 }, (_, i) => letter(`m${i}`, `b${i}`)));
    const t = fakeTargets();
    const report = await replayDeadLetters(
      { source: dlq.source, targets: t.targets },
      { queue: "publish", max: 12 },
    );
    expect(report.replayed).toBe(12);
    expect(dlq.visible).toHaveLength(13);
    await expect(
      replayDeadLetters({ source: dlq.source, targets: t.targets }, { queue: "publish", max: 0 }),
    ).rejects.toThrow(/max/);
  });
});
