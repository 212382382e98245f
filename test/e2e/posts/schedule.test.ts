/**
 * Posts as an API client sees them, over HTTP against the local stack: create (with an
 * Idempotency-Key), validate with real media from the provider sandbox, schedule a few
 * seconds ahead, find the schedule in the Scheduler emulator and the PublishRequested v1
 * message on the publish queue at its time; cancel removes a schedule; the calendar shows
 * the deliveries. Targets are seeded straight into the table (the connect flow has its own tests).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PublishRequestedV1 } from "../../../events/publish-requested.v1.js";
import { FUNCTIONS } from "../../../functions/manifest.js";
import { api, eventually, scheduleLeadMs, stackInfo, tokenFor } from "../../support/stack.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const tenant = `e2e-${randomUUID().slice(0, 8)}`;
let doc: DynamoDBDocumentClient;
let scheduler: SchedulerClient;
let sqs: SQSClient;
let admin: string;
let editor: string;

/** When a publish worker consumes the queue, the message is observed through the delivery instead. */
const publishQueueHasConsumer = FUNCTIONS.some((f) =>
  f.triggers.some((t) => t.type === "queue" && t.queue === "publish"),
);

beforeAll(async () => {
  const { aws, resources } = stackInfo();
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: aws.region, endpoint: aws.dynamodb, credentials }),
  );
  scheduler = new SchedulerClient({ region: aws.region, endpoint: aws.scheduler, credentials });
  sqs = new SQSClient({ region: aws.region, endpoint: aws.sqs, credentials });
  admin = await tokenFor({ tenant, roles: ["admin"], sub: "e2e-admin" });
  editor = await tokenFor({ tenant, roles: ["editor"], sub: "e2e-editor" });
  for (const [id, platform] of [
    ["tgt_fb", "facebook"],
    ["tgt_li", "linkedin"],
    ["tgt_ig", "instagram"],
  ] as const) {
    await doc.send(
      new PutCommand({
        TableName: resources.table,
        Item: {
          PK: `TENANT#${tenant}#TARGET#${id}`,
          SK: "TARGET",
          tenantId: tenant,
          id,
          platform,
          status: "ACTIVE",
          name: id,
        },
      }),
    );
  }
});
afterAll(() => {
  for (const c of [doc, scheduler, sqs]) c?.destroy();
});

/** The fields these tests read from the API's answers. */
interface ApiBody {
  id: string;
  status: string;
  currentStatus: string;
  valid: boolean;
  issues: { path: string; code: string; severity: string }[];
  deliveries: { id: string; scheduleName: string; version: number; publishAt: string; localTime: string }[];
  days: { date: string; deliveries: { deliveryId: string; localTime: string }[] }[];
  ledger: { at: string; event: string; status?: string }[];
}

const json = async (res: Response) => ({
  status: res.status,
  headers: res.headers,
  body: (await res.json()) as ApiBody,
});

describe("posts over HTTP", () => {
  it("creates a post once per Idempotency-Key and replays the answer", async () => {
    const key = randomUUID();
    const body = { content: { text: "Idempotent hello" }, targetIds: ["tgt_fb"] };
    const first = await json(
      await api("/v1/posts", {
        method: "POST",
        token: editor,
        json: body,
        headers: { "idempotency-key": key },
      }),
    );
    const again = await json(
      await api("/v1/posts", {
        method: "POST",
        token: editor,
        json: body,
        headers: { "idempotency-key": key },
      }),
    );
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotency-replayed")).toBe("true");
    const other = await api("/v1/posts", {
      method: "POST",
      token: editor,
      json: { ...body, targetIds: ["tgt_li"] },
      headers: { "idempotency-key": key },
    });
    expect(other.status).toBe(422);
  });

  it("validates Instagram media fetched from the sandbox: real type, size and aspect ratio", async () => {
    const media = `${stackInfo().sandboxUrl}/media`;
    const created = await json(
      await api("/v1/posts", {
        method: "POST",
        token: editor,
        json: {
          content: {
            text: "#one #two",
            media: [
              { url: `${media}/wide-2000x800.jpg` },
              { url: `${media}/large-9mb.jpg` },
              { url: `${media}/image-640x480.png` },
            ],
          },
          targetIds: ["tgt_ig"],
        },
      }),
    );
    const res = await json(
      await api(`/v1/posts/${created.body.id}/validate`, { method: "POST", token: editor }),
    );
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    const byPath = Object.fromEntries(
      (res.body.issues as { path: string; code: string; severity: string }[])
        .filter((i) => i.severity === "error")
        .map((i) => [i.path, i.code]),
    );
    expect(byPath).toEqual({
      "content.media.0.url": "aspect_ratio_out_of_range",
      "content.media.1.url": "media_too_large",
      "content.media.2.url": "media_type_unsupported",
    });
  });

  it("schedules a post a few seconds ahead: the schedule exists, then PublishRequested arrives on the publish queue", async () => {
    const { resources } = stackInfo();
    const created = await json(
      await api("/v1/posts", {
        method: "POST",
        token: editor,
        json: { content: { text: "Scheduled from e2e" }, targetIds: ["tgt_fb", "tgt_li"] },
      }),
    );
    expect(
      (
        await api(`/v1/posts/${created.body.id}/schedule`, {
          method: "POST",
          token: editor,
          json: { publishAt: new Date(Date.now() + 60_000).toISOString() },
        })
      ).status,
    ).toBe(403);
    const publishAt = new Date(Math.ceil((Date.now() + scheduleLeadMs()) / 1000) * 1000);
    const scheduled = await json(
      await api(`/v1/posts/${created.body.id}/schedule`, {
        method: "POST",
        token: admin,
        json: { publishAt: publishAt.toISOString() },
        headers: { "idempotency-key": randomUUID(), "x-correlation-id": "e2e-schedule-1" },
      }),
    );
    expect(scheduled.status).toBe(201);
    const deliveries = scheduled.body.deliveries as { id: string; scheduleName: string; version: number }[];
    expect(deliveries).toHaveLength(2);

    for (const d of deliveries) {
      const s = await scheduler.send(
        new GetScheduleCommand({ Name: d.scheduleName, GroupName: resources.scheduleGroup }),
      );
      expect(s.ScheduleExpression).toBe(`at(${publishAt.toISOString().slice(0, 19)})`);
      expect(s.ActionAfterCompletion).toBe("DELETE");
      expect(s.FlexibleTimeWindow?.Mode).toBe("OFF");
      expect(s.Target?.Arn).toBe(resources.queueArns.publish);
      expect(s.Target?.DeadLetterConfig?.Arn).toBe(resources.queueArns.schedulerDlq);
      const event = PublishRequestedV1.parse(JSON.parse(s.Target?.Input ?? "{}"));
      expect(event.data).toEqual({ tenantId: tenant, deliveryId: d.id, version: 1 });
      expect(event.metadata.correlationId).toBe("e2e-schedule-1");
    }

    const wanted = new Set(deliveries.map((d) => d.id));
    if (publishQueueHasConsumer) {
      // A worker consumes the queue: the message shows as the worker's claim in the ledger,
      // made with the version the schedule carried, and not before its time.
      for (const d of deliveries) {
        const claim = await eventually(
          async () => {
            const r = await json(await api(`/v1/deliveries/${d.id}`, { token: editor }));
            return r.body.ledger.find((l) => l.event === "claimed");
          },
          { timeoutMs: 60_000, what: `delivery ${d.id} to be claimed by the worker` },
        );
        expect(Date.parse(claim.at)).toBeGreaterThanOrEqual(publishAt.getTime());
      }
      // The stack's activity log shows what the Scheduler sent to the publish queue.
      // (The log is written asynchronously: wait until both firings are in it.)
      const fired = await eventually(
        async () => {
          const found = readFileSync(stackInfo().activityLog, "utf8")
            .split("\n")
            .filter((line) => line.includes('"schedule-fired"'))
            .map(
              (line) =>
                JSON.parse(line) as {
                  at: string;
                  detail: { name: string; target: string; payload: string; messageId: string };
                },
            )
            .filter((e) => deliveries.some((d) => d.scheduleName === e.detail.name));
          return found.length === deliveries.length ? found : undefined;
        },
        { timeoutMs: 10_000, what: "schedule-fired entries in the activity log" },
      );
      expect(fired).toHaveLength(deliveries.length);
      for (const e of fired) {
        expect(e.detail.target).toBe(resources.queueArns.publish);
        expect(e.detail.messageId).toBeTruthy();
        expect(Date.parse(e.at)).toBeGreaterThanOrEqual(publishAt.getTime());
        const event = PublishRequestedV1.parse(JSON.parse(e.detail.payload));
        expect(wanted.has(event.data.deliveryId)).toBe(true);
        expect(event.data.version).toBe(1);
      }
    } else {
      const got = new Map<string, Message>();
      await eventually(
        async () => {
          const out = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: resources.queues.publish,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
            }),
          );
          for (const m of out.Messages ?? []) {
            const event = PublishRequestedV1.parse(JSON.parse(m.Body ?? "{}"));
            if (wanted.has(event.data.deliveryId)) {
              got.set(event.data.deliveryId, m);
              await sqs.send(
                new DeleteMessageCommand({
                  QueueUrl: resources.queues.publish,
                  ReceiptHandle: m.ReceiptHandle,
                }),
              );
            } else {
              await sqs.send(
                new ChangeMessageVisibilityCommand({
                  QueueUrl: resources.queues.publish,
                  ReceiptHandle: m.ReceiptHandle,
                  VisibilityTimeout: 0,
                }),
              );
            }
          }
          return got.size === wanted.size ? got : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: "PublishRequested messages on the publish queue" },
      );
      // Not before its time (the emulator fires within a tick of publishAt).
      expect(Date.now()).toBeGreaterThanOrEqual(publishAt.getTime());
    }
    // ActionAfterCompletion DELETE: the fired schedules are gone.
    for (const d of deliveries) {
      await eventually(
        async () =>
          scheduler
            .send(new GetScheduleCommand({ Name: d.scheduleName, GroupName: resources.scheduleGroup }))
            .then(() => undefined)
            .catch((e) => (e instanceof ResourceNotFoundException ? true : undefined)),
        { timeoutMs: 15_000, what: `schedule ${d.scheduleName} to be deleted after firing` },
      );
    }
  });

  it("cancel deletes the schedule; the calendar shows the delivery on its local day", async () => {
    const { resources } = stackInfo();
    const created = await json(
      await api("/v1/posts", {
        method: "POST",
        token: editor,
        json: { content: { text: "To cancel" }, targetIds: ["tgt_fb"] },
      }),
    );
    const scheduled = await json(
      await api(`/v1/posts/${created.body.id}/schedule`, {
        method: "POST",
        token: admin,
        json: { localTime: "2026-12-24T09:30", timeZone: "America/New_York" },
      }),
    );
    expect(scheduled.status).toBe(201);
    const d = scheduled.body.deliveries[0] as {
      id: string;
      scheduleName: string;
      publishAt: string;
      localTime: string;
    };
    expect(d.publishAt).toBe("2026-12-24T14:30:00.000Z");
    expect(d.localTime).toBe("2026-12-24T09:30:00");
    const cal = await json(
      await api("/v1/calendar?from=2026-12-24&to=2026-12-25&timeZone=Pacific/Kiritimati", { token: editor }),
    );
    expect(cal.status).toBe(200);
    expect(
      cal.body.days.map((day: { date: string; deliveries: { deliveryId: string; localTime: string }[] }) => [
        day.date,
        day.deliveries.map((x) => `${x.deliveryId}@${x.localTime}`),
      ]),
    ).toEqual([
      ["2026-12-24", []],
      ["2026-12-25", [`${d.id}@04:30`]],
    ]);
    const cancelled = await json(
      await api(`/v1/deliveries/${d.id}/cancel`, { method: "POST", token: admin }),
    );
    expect(cancelled.body.status).toBe("CANCELLED");
    await expect(
      scheduler.send(new GetScheduleCommand({ Name: d.scheduleName, GroupName: resources.scheduleGroup })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const again = await json(await api(`/v1/deliveries/${d.id}/cancel`, { method: "POST", token: admin }));
    expect(again.status).toBe(409);
    expect(again.body.currentStatus).toBe("CANCELLED");
  });

  it("PATCH needs the current ETag over HTTP too", async () => {
    const created = await api("/v1/posts", {
      method: "POST",
      token: editor,
      json: { content: { text: "etag" }, targetIds: ["tgt_fb"] },
    });
    const etag = created.headers.get("etag") ?? "";
    const { id } = (await created.json()) as { id: string };
    expect(
      (await api(`/v1/posts/${id}`, { method: "PATCH", token: editor, json: { content: { text: "x" } } }))
        .status,
    ).toBe(428);
    expect(
      (
        await api(`/v1/posts/${id}`, {
          method: "PATCH",
          token: editor,
          json: { content: { text: "x" } },
          headers: { "if-match": etag },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(`/v1/posts/${id}`, {
          method: "PATCH",
          token: editor,
          json: { content: { text: "y" } },
          headers: { "if-match": etag },
        })
      ).status,
    ).toBe(412);
  });
});
