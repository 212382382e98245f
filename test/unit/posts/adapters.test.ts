/** The schedule gateway's idempotent upsert and tolerant remove; opaque cursors that only work on their own list. */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../../functions/platform/dynamodb/list-query.js";
import {
  atExpression,
  eventBridgeScheduleGateway,
} from "../../../functions/posts/adapters/schedule-gateway.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import { InvalidCursor } from "../../../functions/posts/use-cases/ports.js";

const mock = mockClient(SchedulerClient);
const gateway = eventBridgeScheduleGateway(new SchedulerClient({ region: "eu-west-1" }), {
  groupName: "g",
  publishQueueArn: "arn:aws:sqs:eu-west-1:1:q",
  roleArn: "arn:aws:iam::1:role/r",
  deadLetterArn: "arn:aws:sqs:eu-west-1:1:dlq",
});
const d: Delivery = {
  tenantId: "acme",
  id: "dlv_1",
  postId: "pst_1",
  targetId: "tgt",
  platform: "facebook",
  status: "SCHEDULED",
  version: 4,
  publishAt: "2026-06-01T10:00:00.000Z",
  timeZone: "UTC",
  scheduleName: "dlv-dlv_1",
  ledger: [],
  createdAt: "2026-05-01T00:00:00.000Z",
  updatedAt: "2026-05-01T00:00:00.000Z",
};
const conflict = () => new ConflictException({ message: "exists", Message: "exists", $metadata: {} });
const notFound = () => new ResourceNotFoundException({ message: "gone", Message: "gone", $metadata: {} });

beforeEach(() => mock.reset());
afterAll(() => mock.restore());

describe("schedule gateway", () => {
  it("formats at() in UTC without fractions", () => {
    expect(atExpression("2026-06-01T12:34:56.789+02:00")).toBe("at(2026-06-01T10:34:56)");
  });

  it("creates; on Conflict (a retry, a reschedule) updates with the full definition", async () => {
    mock.on(CreateScheduleCommand).rejects(conflict());
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: "arn" });
    await gateway.upsert(d, "c");
    const update = mock.commandCalls(UpdateScheduleCommand)[0]?.args[0].input;
    expect(update).toMatchObject({
      Name: "dlv-dlv_1",
      GroupName: "g",
      ScheduleExpression: "at(2026-06-01T10:00:00)",
      ActionAfterCompletion: "DELETE",
    });
    expect(JSON.parse(update?.Target?.Input ?? "").data.version).toBe(4);
  });

  it("re-creates when the update finds the schedule already fired and deleted", async () => {
    mock.on(CreateScheduleCommand).rejectsOnce(conflict()).resolves({ ScheduleArn: "arn" });
    mock.on(UpdateScheduleCommand).rejects(notFound());
    await gateway.upsert(d, "c");
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(2);
  });

  it("remove ignores a missing schedule but not other errors", async () => {
    mock.on(DeleteScheduleCommand).rejectsOnce(notFound()).rejects(new Error("throttled"));
    await expect(gateway.remove(d)).resolves.toBeUndefined();
    await expect(gateway.remove(d)).rejects.toThrow("throttled");
  });
});

describe("cursor", () => {
  const pk = "TENANT#acme#POSTS";
  const scope = { index: "GSI1" as const, partition: pk, itemPkPrefix: "TENANT#acme#POST#" };
  const decode = (cursor: string) => decodeCursor(cursor, scope, (reason) => new InvalidCursor(reason));
  it("round-trips a key of its own list", () => {
    const key = { PK: "TENANT#acme#POST#p1", SK: "POST", GSI1PK: pk, GSI1SK: "2026#p1" };
    expect(decode(encodeCursor(key))).toEqual(key);
  });
  it.each([
    ["garbage", "%%%"],
    [
      "another tenant's list (its partition and its item keys)",
      encodeCursor({ PK: "TENANT#globex#POST#p", SK: "POST", GSI1PK: "TENANT#globex#POSTS", GSI1SK: "x" }),
    ],
    [
      "a PK outside the tenant",
      encodeCursor({ PK: "TENANT#globex#POST#p", SK: "POST", GSI1PK: pk, GSI1SK: "x" }),
    ],
    [
      "extra attributes",
      encodeCursor({ PK: "TENANT#acme#POST#p", SK: "POST", GSI1PK: pk, GSI1SK: "x", other: "1" }),
    ],
    ["a non-object", Buffer.from("[1]").toString("base64url")],
  ])("refuses %s", (_name, cursor) => {
    expect(() => decode(cursor)).toThrow(InvalidCursor);
  });
});
