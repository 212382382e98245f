/**
 * Fuzz: thousands of request bodies per endpoint, derived from the zod schemas (valid-shaped
 * and broken), sent through the real handlers and HTTP chain with the AWS SDK mocked (an
 * in-memory table with our condition expressions; the Scheduler recorded). Properties:
 *   - every answer is 2xx or 4xx, never 5xx;
 *   - a 4xx leaves the table exactly as it was (no post, delivery or idempotency record) and
 *     creates no schedule.
 * `FUZZ_RUNS` sets the bodies per endpoint (default 1500). Each property gets its own timeout,
 * proportional to its run count (`propertyTimeoutMs`), not vitest's 5 s default: 1,500 bodies take
 * 1–4 s on an idle 2-core machine and more than 5 s when other test tiers share it.
 */
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

await vi.hoisted(async () => {
  const { POSTS_TEST_ENV } = await import("../unit/posts/env.js");
  Object.assign(process.env, POSTS_TEST_ENV);
});

import { handler as approvePost } from "../../functions/posts/handlers/approve-post.handler.js";
import { handler as createPost } from "../../functions/posts/handlers/create-post.handler.js";
import { handler as rejectPost } from "../../functions/posts/handlers/reject-post.handler.js";
import { handler as rescheduleDelivery } from "../../functions/posts/handlers/reschedule-delivery.handler.js";
import { handler as schedulePost } from "../../functions/posts/handlers/schedule-post.handler.js";
import { handler as updatePost } from "../../functions/posts/handlers/update-post.handler.js";
import { handler as putSettings } from "../../functions/tenants/handlers/put-settings.handler.js";
import {
  CreatePostBodySchema,
  RejectBodySchema,
  RescheduleBodySchema,
  ReviewBodySchema,
  ScheduleBodySchema,
  UpdatePostBodySchema,
} from "../../schemas/api/posts.js";
import { SettingsBodySchema } from "../../schemas/api/settings.js";
import { claimsFor, httpEvent, lambdaContext } from "../support/events.js";
import { FakeTable } from "../unit/posts/fake-table.js";
import { bodies, type Overrides, propertyTimeoutMs } from "./arbitraries.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const table = new FakeTable();
const scheduler = mockClient(SchedulerClient);

const now = Date.now();
const zones = fc.constantFrom(
  "UTC",
  "Europe/London",
  "America/New_York",
  "Asia/Kolkata",
  "Mars/Olympus",
  "",
  "europe/london",
);
const soon = fc
  .integer({ min: -3600, max: 400 * 86400 })
  .map((s) => new Date(now + 120_000 + s * 1000).toISOString());
const OVERRIDES: Overrides = {
  timeZone: zones,
  defaultTimeZone: zones,
  publishAt: fc.oneof(soon, fc.string({ maxLength: 30 })),
  targetIds: fc.oneof(
    fc.subarray(["tgt_fb", "tgt_li"], { minLength: 1 }),
    fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), { minLength: 1, maxLength: 3 }),
  ),
};

function baseline() {
  table.items.clear();
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
  const at = "2026-01-01T00:00:00.000Z";
  const post = (id: string, status: string) => ({
    PK: `TENANT#acme#POST#${id}`,
    SK: "POST",
    GSI1PK: "TENANT#acme#POSTS",
    GSI1SK: `${at}#${id}`,
    entity: "POST",
    tenantId: "acme",
    id,
    status,
    version: 1,
    content: { text: "Hello" },
    targetIds: ["tgt_fb", "tgt_li"],
    deliveryIds: [],
    history: [],
    createdAt: at,
    createdBy: "u",
    updatedAt: at,
  });
  table.put(post("pst_draft", "DRAFT"));
  table.put(post("pst_pending", "PENDING_APPROVAL"));
  const publishAt = new Date(now + 86400_000).toISOString();
  table.put({
    PK: "TENANT#acme#DELIVERY#dlv_1",
    SK: "DELIVERY",
    GSI1PK: "TENANT#acme#DELIVERIES",
    GSI1SK: `${publishAt}#dlv_1`,
    entity: "DELIVERY",
    tenantId: "acme",
    id: "dlv_1",
    postId: "pst_sched",
    targetId: "tgt_fb",
    platform: "facebook",
    status: "SCHEDULED",
    version: 1,
    publishAt,
    timeZone: "UTC",
    scheduleName: "dlv-dlv_1",
    ledger: [],
    createdAt: at,
    updatedAt: at,
  });
}

const snapshot = () => JSON.stringify([...table.items.entries()].sort(([a], [b]) => a.localeCompare(b)));

type Handler = typeof createPost;
interface Endpoint {
  name: string;
  handler: Handler;
  method: string;
  route: string;
  id?: string;
  schema: Parameters<typeof bodies>[0];
  headers?: Record<string, string>;
}

const ENDPOINTS: Endpoint[] = [
  {
    name: "POST /v1/posts",
    handler: createPost,
    method: "POST",
    route: "/v1/posts",
    schema: CreatePostBodySchema,
  },
  {
    name: "PATCH /v1/posts/{id}",
    handler: updatePost,
    method: "PATCH",
    route: "/v1/posts/{id}",
    id: "pst_draft",
    schema: UpdatePostBodySchema,
    headers: { "if-match": '"1"' },
  },
  {
    name: "POST /v1/posts/{id}/schedule",
    handler: schedulePost,
    method: "POST",
    route: "/v1/posts/{id}/schedule",
    id: "pst_draft",
    schema: ScheduleBodySchema,
  },
  {
    name: "POST /v1/posts/{id}/approve",
    handler: approvePost,
    method: "POST",
    route: "/v1/posts/{id}/approve",
    id: "pst_pending",
    schema: ReviewBodySchema,
  },
  {
    name: "POST /v1/posts/{id}/reject",
    handler: rejectPost,
    method: "POST",
    route: "/v1/posts/{id}/reject",
    id: "pst_pending",
    schema: RejectBodySchema,
  },
  {
    name: "POST /v1/deliveries/{id}/reschedule",
    handler: rescheduleDelivery,
    method: "POST",
    route: "/v1/deliveries/{id}/reschedule",
    id: "dlv_1",
    schema: RescheduleBodySchema,
  },
  {
    name: "PUT /v1/settings",
    handler: putSettings,
    method: "PUT",
    route: "/v1/settings",
    schema: SettingsBodySchema,
    headers: { "if-match": '"0"' },
  },
];

beforeAll(() => {
  // The media check must never leave the process during fuzzing.
  vi.stubGlobal("fetch", () => Promise.reject(new Error("no network in fuzz tests")));
});
beforeEach(() => {
  table.install();
  scheduler.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: "arn:x" });
});
afterAll(() => {
  vi.unstubAllGlobals();
  table.mock.restore();
  scheduler.restore();
});

describe.each(ENDPOINTS)("fuzz $name", (ep) => {
  it(`answers only 2xx/4xx and leaves nothing behind on 4xx (${RUNS} bodies)`, {
    timeout: propertyTimeoutMs(RUNS),
  }, async () => {
    const seen = { ok: 0, client: 0 };
    await fc.assert(
      // Half the requests carry an Idempotency-Key: a refused request must not leave its record either.
      fc.asyncProperty(
        bodies(ep.schema, OVERRIDES),
        fc.option(fc.uuid(), { nil: undefined }),
        async (body, key) => {
          baseline();
          scheduler.resetHistory();
          const before = snapshot();
          const path = ep.id ? ep.route.replace("{id}", ep.id) : ep.route;
          const res = await ep.handler(
            httpEvent({
              method: ep.method,
              path,
              route: ep.route,
              claims: claimsFor("acme", ["admin"]),
              rawBody: JSON.stringify(body) ?? "null",
              headers: {
                "content-type": "application/json",
                ...ep.headers,
                ...(key ? { "idempotency-key": key } : {}),
              },
              pathParameters: ep.id ? { id: ep.id } : undefined,
            }),
            lambdaContext(),
          );
          const status = res.statusCode ?? 0;
          if (status >= 500 || status < 200) {
            throw new Error(
              `${ep.name} answered ${status}: ${res.body} for ${JSON.stringify(body).slice(0, 500)}`,
            );
          }
          if (status >= 400) {
            seen.client++;
            expect(snapshot()).toBe(before);
            expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
          } else {
            seen.ok++;
          }
        },
      ),
      { numRuns: RUNS },
    );
    // The generator must reach both sides, or the property says little.
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.client).toBeGreaterThan(0);
  });
});
