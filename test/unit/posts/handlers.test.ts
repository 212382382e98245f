/**
 * Posts handlers through the real HTTP chain (auth, parsing, problems) with the AWS SDK mocked:
 * DynamoDB by an in-memory table with our condition expressions, the Scheduler by
 * aws-sdk-client-mock. Covers Idempotency-Key, ETags (428/412), roles, the schedule's exact
 * shape and payload, compensation, and cancel.
 */
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  SchedulerClient,
  ServiceQuotaExceededException,
} from "@aws-sdk/client-scheduler";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

await vi.hoisted(async () => {
  const { POSTS_TEST_ENV } = await import("./env.js");
  Object.assign(process.env, POSTS_TEST_ENV);
});

import { PublishRequestedV1 } from "../../../events/publish-requested.v1.js";
import { deliveryItem } from "../../../functions/posts/adapters/delivery-repository.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import { handler as cancelDelivery } from "../../../functions/posts/handlers/cancel-delivery.handler.js";
import { handler as createPost } from "../../../functions/posts/handlers/create-post.handler.js";
import { handler as getDelivery } from "../../../functions/posts/handlers/get-delivery.handler.js";
import { handler as getPost } from "../../../functions/posts/handlers/get-post.handler.js";
import { handler as listPosts } from "../../../functions/posts/handlers/list-posts.handler.js";
import { handler as schedulePost } from "../../../functions/posts/handlers/schedule-post.handler.js";
import { handler as updatePost } from "../../../functions/posts/handlers/update-post.handler.js";
import { DeliveryResponseSchema } from "../../../schemas/api/deliveries.js";
import { claimsFor, httpEvent, lambdaContext } from "../../support/events.js";
import { FakeTable } from "./fake-table.js";

type Handler = typeof getPost;
const table = new FakeTable();
const scheduler = mockClient(SchedulerClient);

async function call(
  h: Handler,
  input: {
    method: string;
    path: string;
    route: string;
    roles?: string[];
    tenant?: string;
    body?: unknown;
    headers?: Record<string, string>;
    id?: string;
    query?: Record<string, string>;
  },
) {
  const res = await h(
    httpEvent({
      method: input.method,
      path: input.path,
      route: input.route,
      claims: claimsFor(input.tenant ?? "acme", input.roles ?? ["admin"]),
      body: input.body,
      headers: input.headers,
      query: input.query,
      pathParameters: input.id ? { id: input.id } : undefined,
    }),
    lambdaContext(),
  );
  return {
    status: res.statusCode,
    headers: res.headers ?? {},
    json: res.body ? JSON.parse(res.body) : undefined,
  };
}

const create = (body: unknown, headers: Record<string, string> = {}, roles = ["editor"]) =>
  call(createPost, { method: "POST", path: "/v1/posts", route: "/v1/posts", body, headers, roles });
const get = (id: string) =>
  call(getPost, { method: "GET", path: `/v1/posts/${id}`, route: "/v1/posts/{id}", id });
const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  call(updatePost, {
    method: "PATCH",
    path: `/v1/posts/${id}`,
    route: "/v1/posts/{id}",
    id,
    body,
    headers,
    roles: ["editor"],
  });
const schedule = (id: string, body: unknown, headers: Record<string, string> = {}, roles = ["admin"]) =>
  call(schedulePost, {
    method: "POST",
    path: `/v1/posts/${id}/schedule`,
    route: "/v1/posts/{id}/schedule",
    id,
    body,
    headers,
    roles,
  });

const TEXT_POST = { content: { text: "Hello from Herald" }, targetIds: ["tgt_fb", "tgt_li"] };
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

beforeEach(() => {
  table.items.clear();
  table.install();
  scheduler.reset();
  scheduler
    .on(CreateScheduleCommand)
    .resolves({ ScheduleArn: "arn:aws:scheduler:eu-west-1:123456789012:schedule/herald-test/x" });
  scheduler.on(DeleteScheduleCommand).resolves({});
  for (const [id, platform] of [
    ["tgt_fb", "facebook"],
    ["tgt_li", "linkedin"],
  ] as const) {
    table.put({
      PK: `TENANT#acme#TARGET#${id}`,
      SK: "TARGET",
      tenantId: "acme",
      id,
      platform,
      status: "ACTIVE",
      name: id,
    });
  }
});
afterAll(() => {
  table.mock.restore();
  scheduler.restore();
});

describe("create and read", () => {
  it("creates a draft (201, ETag, Location) that GET returns with the same ETag", async () => {
    const res = await create(TEXT_POST);
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/v1/posts/${res.json.id}`);
    expect(res.json).toMatchObject({
      status: "DRAFT",
      version: 1,
      targetIds: ["tgt_fb", "tgt_li"],
      createdBy: "user-1",
    });
    const read = await get(res.json.id);
    expect(read.status).toBe(200);
    expect(read.json).toEqual(res.json);
    expect(read.headers.etag).toBe('"1"');
  });

  it("refuses unknown fields (strict bodies) with the path of each", async () => {
    const res = await create({ ...TEXT_POST, content: { text: "x", colour: "red" }, extra: 1 });
    expect(res.status).toBe(400);
    expect(res.json.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "body.content.colour",
      "body.extra",
    ]);
    expect(table.withPrefix("TENANT#acme#POST#")).toHaveLength(0);
  });

  it("answers 404 for another tenant's post, exactly like a missing one", async () => {
    const mine = await create(TEXT_POST);
    const theirs = await call(getPost, {
      method: "GET",
      path: "/x",
      route: "/v1/posts/{id}",
      id: mine.json.id,
      tenant: "globex",
    });
    const missing = await get("pst_missing");
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.json.detail).toBe(missing.json.detail.replace("pst_missing", mine.json.id));
  });
});

describe("Idempotency-Key", () => {
  it("replays the stored answer for the same key and body, without creating a second post", async () => {
    const first = await create(TEXT_POST, { "idempotency-key": "k-1" });
    const again = await create(TEXT_POST, { "idempotency-key": "k-1" });
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers["idempotency-replayed"]).toBe("true");
    expect(table.withPrefix("TENANT#acme#POST#")).toHaveLength(1);
    const record = table.withPrefix("TENANT#acme#IDEMPOTENCY#")[0];
    expect(record?.status).toBe("COMPLETE");
    expect(Number(record?.expiresAt) - Date.now() / 1000).toBeGreaterThan(23 * 3600);
  });

  it("answers 422 for the same key with a different body", async () => {
    await create(TEXT_POST, { "idempotency-key": "k-2" });
    const other = await create(
      { ...TEXT_POST, content: { text: "different" } },
      { "idempotency-key": "k-2" },
    );
    expect(other.status).toBe(422);
    expect(other.json.code).toBe("idempotency_key_reused");
    expect(table.withPrefix("TENANT#acme#POST#")).toHaveLength(1);
  });

  it("scopes keys by tenant: the same key in another tenant is a new request", async () => {
    await create(TEXT_POST, { "idempotency-key": "k-3" });
    const res = await call(createPost, {
      method: "POST",
      path: "/v1/posts",
      route: "/v1/posts",
      body: TEXT_POST,
      headers: { "idempotency-key": "k-3" },
      roles: ["editor"],
      tenant: "globex",
    });
    expect(res.status).toBe(201);
    expect(res.headers["idempotency-replayed"]).toBeUndefined();
  });

  it("without a key, two identical requests make two posts; a malformed key is 400", async () => {
    await create(TEXT_POST);
    await create(TEXT_POST);
    expect(table.withPrefix("TENANT#acme#POST#")).toHaveLength(2);
    const bad = await create(TEXT_POST, { "idempotency-key": "has space" });
    expect(bad.status).toBe(400);
  });
});

describe("PATCH with ETags", () => {
  it("428 without If-Match, 412 with a stale one, 200 with the current one", async () => {
    const { json } = await create(TEXT_POST);
    expect((await patch(json.id, { targetIds: ["tgt_fb"] })).status).toBe(428);
    const ok = await patch(json.id, { targetIds: ["tgt_fb"] }, { "if-match": '"1"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    const stale = await patch(json.id, { targetIds: ["tgt_li"] }, { "if-match": '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.json.currentEtag).toBe('"2"');
    expect((await get(json.id)).json.targetIds).toEqual(["tgt_fb"]);
    expect((await patch(json.id, { targetIds: ["tgt_li"] }, { "if-match": "*" })).status).toBe(412);
  });
});

describe("schedule", () => {
  it("is admin-only (403 for an editor)", async () => {
    const { json } = await create(TEXT_POST);
    const res = await schedule(json.id, { publishAt: inAnHour() }, {}, ["editor"]);
    expect(res.status).toBe(403);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it("creates one at() schedule per delivery with the stage's group, queue, role, DLQ and a PublishRequested v1 payload", async () => {
    const { json } = await create(TEXT_POST);
    const publishAt = new Date(Date.now() + 3600_000);
    publishAt.setUTCMilliseconds(0);
    const res = await schedule(
      json.id,
      { publishAt: publishAt.toISOString() },
      { "x-correlation-id": "corr-42" },
    );
    expect(res.status).toBe(201);
    expect(res.json.status).toBe("SCHEDULED");
    expect(res.json.deliveries).toHaveLength(2);
    const calls = scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    for (const [i, input] of calls.entries()) {
      const d = res.json.deliveries[i];
      expect(input).toMatchObject({
        Name: d.scheduleName,
        GroupName: "herald-test",
        ScheduleExpression: `at(${publishAt.toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: "UTC",
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        Target: {
          Arn: "arn:aws:sqs:eu-west-1:123456789012:herald-test-publish",
          RoleArn: "arn:aws:iam::123456789012:role/herald-test-scheduler",
          DeadLetterConfig: { Arn: "arn:aws:sqs:eu-west-1:123456789012:herald-test-scheduler-dlq" },
          RetryPolicy: {
            MaximumEventAgeInSeconds: expect.any(Number),
            MaximumRetryAttempts: expect.any(Number),
          },
        },
      });
      expect(input.Name?.length).toBeLessThanOrEqual(64);
      expect(input.Name).toMatch(/^[0-9a-zA-Z\-_.]+$/);
      const event = PublishRequestedV1.parse(JSON.parse(input.Target?.Input ?? ""));
      expect(event.data).toEqual({ tenantId: "acme", deliveryId: d.id, version: 1 });
      expect(event.metadata.correlationId).toBe("corr-42");
    }
    const stored = table.withPrefix("TENANT#acme#DELIVERY#");
    expect(stored.map((s) => [s.status, s.GSI1PK, s.publishAt])).toEqual([
      ["SCHEDULED", "TENANT#acme#DELIVERIES", publishAt.toISOString()],
      ["SCHEDULED", "TENANT#acme#DELIVERIES", publishAt.toISOString()],
    ]);
  });

  it("when the Scheduler refuses: 500, deliveries cancelled, post back to DRAFT, and the same key may be retried", async () => {
    const { json } = await create(TEXT_POST);
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(new ServiceQuotaExceededException({ message: "quota", Message: "quota", $metadata: {} }));
    const body = { publishAt: inAnHour() };
    const failed = await schedule(json.id, body, { "idempotency-key": "s-1" });
    expect(failed.status).toBe(500);
    expect(table.withPrefix("TENANT#acme#DELIVERY#").map((d) => d.status)).toEqual([
      "CANCELLED",
      "CANCELLED",
    ]);
    expect((await get(json.id)).json.status).toBe("DRAFT");
    expect(table.withPrefix("TENANT#acme#IDEMPOTENCY#")).toHaveLength(0);
    const retried = await schedule(json.id, body, { "idempotency-key": "s-1" });
    expect(retried.status).toBe(201);
  });

  it("refuses a time under a minute ahead (400) and writes nothing", async () => {
    const { json } = await create(TEXT_POST);
    const res = await schedule(json.id, { publishAt: new Date(Date.now() + 30_000).toISOString() });
    expect(res.status).toBe(400);
    expect(res.json.issues[0].code).toBe("too_soon");
    expect(table.withPrefix("TENANT#acme#DELIVERY#")).toHaveLength(0);
  });
});

describe("deliveries", () => {
  it("cancel deletes the schedule, records the step in the ledger, and a repeat is 409 naming CANCELLED", async () => {
    const { json } = await create(TEXT_POST);
    const s = await schedule(json.id, { publishAt: inAnHour() });
    const d = s.json.deliveries[0];
    const cancel = () =>
      call(cancelDelivery, {
        method: "POST",
        path: `/v1/deliveries/${d.id}/cancel`,
        route: "/v1/deliveries/{id}/cancel",
        id: d.id,
      });
    const res = await cancel();
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "CANCELLED", version: 2 });
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: d.scheduleName,
      GroupName: "herald-test",
    });
    const again = await cancel();
    expect(again.status).toBe(409);
    expect(again.json.currentStatus).toBe("CANCELLED");
    const read = await call(getDelivery, {
      method: "GET",
      path: `/v1/deliveries/${d.id}`,
      route: "/v1/deliveries/{id}",
      id: d.id,
    });
    expect(read.json.ledger.map((l: { event: string }) => l.event)).toEqual(["scheduled", "cancelled"]);
  });
});

describe("a delivery tells its own story (issue #10)", () => {
  const stored: Delivery = {
    tenantId: "acme",
    id: "dlv_q",
    postId: "pst_q",
    targetId: "tgt_ig",
    platform: "instagram",
    status: "RETRYING",
    version: 7,
    publishAt: "2026-06-01T10:00:00.000Z",
    timeZone: "Europe/Paris",
    scheduleName: "dlv-dlv_q",
    ledger: [{ at: "2026-06-01T10:00:01.000Z", event: "rescheduled", status: "RETRYING", by: "publisher" }],
    createdAt: "2026-05-01T00:00:00.000Z",
    updatedAt: "2026-06-01T10:00:01.000Z",
    nextAttemptAt: "2026-06-01T13:00:00.000Z",
    lastError: {
      class: "quota",
      code: "meta content_publishing_limit",
      message: "This Instagram account is at its publishing limit.",
      action: "wait",
      retry: "wait_window",
      rule: "ig-quota",
      raw: { quota_usage: 100 },
    },
  };
  const read = (id: string) =>
    call(getDelivery, { method: "GET", path: `/v1/deliveries/${id}`, route: "/v1/deliveries/{id}", id });

  it("GET shows nextAttemptAt (the real time) and a typed lastError, nothing internal", async () => {
    table.put(deliveryItem(stored));
    const res = await read("dlv_q");
    expect(res.status).toBe(200);
    expect(DeliveryResponseSchema.safeParse(res.json).success).toBe(true);
    expect(res.json).toMatchObject({
      status: "RETRYING",
      publishAt: "2026-06-01T10:00:00.000Z",
      nextAttemptAt: "2026-06-01T13:00:00.000Z",
      lastError: {
        class: "quota",
        code: "meta content_publishing_limit",
        message: "This Instagram account is at its publishing limit.",
        action: "wait",
      },
    });
    expect(Object.keys(res.json.lastError).sort()).toEqual(["action", "class", "code", "message"]);
    expect(res.json).not.toHaveProperty("publishing");
    expect(res.json).not.toHaveProperty("handoff");
  });

  it("a dead-lettered delivery is NEEDS_ATTENTION with its reason and no next attempt", async () => {
    table.put(
      deliveryItem({
        ...stored,
        status: "NEEDS_ATTENTION",
        deadLetter: { fromVersion: 6, messageId: "m", at: "2026-06-01T10:05:00.000Z" },
      }),
    );
    const res = await read("dlv_q");
    expect(res.json.status).toBe("NEEDS_ATTENTION");
    expect(res.json.lastError.code).toBe("meta content_publishing_limit");
    expect(res.json).not.toHaveProperty("nextAttemptAt");
  });

  it("a SCHEDULED delivery's next attempt is its publishAt", async () => {
    const { nextAttemptAt: _n, lastError: _e, ...plain } = stored;
    table.put(deliveryItem({ ...plain, status: "SCHEDULED" }));
    const res = await read("dlv_q");
    expect(res.json.nextAttemptAt).toBe("2026-06-01T10:00:00.000Z");
    expect(res.json).not.toHaveProperty("lastError");
  });
});

describe("list", () => {
  it("queries the tenant's GSI1 partition newest first and refuses a cursor from another list", async () => {
    table.mock.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: undefined });
    const res = await call(listPosts, {
      method: "GET",
      path: "/v1/posts",
      route: "/v1/posts",
      query: { status: "DRAFT", limit: "10" },
    });
    expect(res.status).toBe(200);
    const input = table.mock.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ IndexName: "GSI1", ScanIndexForward: false, Limit: 10 });
    expect(input?.ExpressionAttributeValues?.[":pk"]).toBe("TENANT#acme#POSTS");
    const foreign = Buffer.from(
      JSON.stringify({ PK: "TENANT#globex#POST#x", SK: "POST", GSI1PK: "TENANT#globex#POSTS", GSI1SK: "z" }),
    ).toString("base64url");
    const bad = await call(listPosts, {
      method: "GET",
      path: "/v1/posts",
      route: "/v1/posts",
      query: { cursor: foreign },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].code).toBe("invalid_cursor");
  });
});
