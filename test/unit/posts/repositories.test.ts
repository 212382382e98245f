/**
 * The posts repositories read through zod (a corrupt item is one clear error naming its key
 * and fields) and key the delivery list by the time a delivery really goes.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { CorruptItemError } from "../../../functions/platform/dynamodb/items.js";
import {
  deliveryItem,
  deliveryKey,
  deliveryRepository,
} from "../../../functions/posts/adapters/delivery-repository.js";
import { postKey, postRepository } from "../../../functions/posts/adapters/post-repository.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const mock = mockClient(doc);
beforeEach(() => mock.reset());
afterAll(() => mock.restore());

const d: Delivery = {
  tenantId: "acme",
  id: "dlv_1",
  postId: "pst_1",
  targetId: "tgt",
  platform: "instagram",
  status: "SCHEDULED",
  version: 1,
  publishAt: "2026-06-01T10:00:00.000Z",
  timeZone: "UTC",
  scheduleName: "dlv-dlv_1",
  ledger: [{ at: "2026-05-01T00:00:00.000Z", event: "scheduled", status: "SCHEDULED", by: "u" }],
  createdAt: "2026-05-01T00:00:00.000Z",
  updatedAt: "2026-05-01T00:00:00.000Z",
};

describe("delivery list key", () => {
  it("is publishAt until the worker moves the next attempt; then it follows nextAttemptAt", () => {
    expect(deliveryItem(d).GSI1SK).toBe("2026-06-01T10:00:00.000Z#dlv_1");
    const moved = { ...d, status: "RETRYING" as const, nextAttemptAt: "2026-06-02T09:00:00.000Z" };
    expect(deliveryItem(moved).GSI1SK).toBe("2026-06-02T09:00:00.000Z#dlv_1");
  });

  it("every replace writes the recomputed key", async () => {
    mock.on(PutCommand).resolves({});
    const repo = deliveryRepository(doc, "t");
    await repo.replace({ ...d, version: 2, nextAttemptAt: "2026-06-02T09:00:00.000Z" }, 1, ["SCHEDULED"]);
    expect(mock.commandCalls(PutCommand)[0]?.args[0].input.Item?.GSI1SK).toBe(
      "2026-06-02T09:00:00.000Z#dlv_1",
    );
  });
});

describe("reads are parsed, not cast", () => {
  it("a stored delivery comes back as the domain type, without key attributes", async () => {
    mock.on(GetCommand).resolves({ Item: deliveryItem(d) });
    const got = await deliveryRepository(doc, "t").get("acme", "dlv_1");
    expect(got).toEqual(d);
  });

  it("a legacy lastError (providerCode) reads as {class, code, message, action}", async () => {
    mock.on(GetCommand).resolves({
      Item: {
        ...deliveryItem(d),
        status: "FAILED",
        lastError: {
          class: "auth",
          retry: "no",
          action: "reconnect",
          message: "Reconnect.",
          providerCode: "meta 190",
          rule: "r",
        },
      },
    });
    const got = await deliveryRepository(doc, "t").get("acme", "dlv_1");
    expect(got?.lastError).toMatchObject({ class: "auth", code: "meta 190", action: "reconnect" });
  });

  it("a corrupt delivery is a CorruptItemError naming its key and the bad fields", async () => {
    const { version: _v, ...noVersion } = deliveryItem(d);
    mock.on(GetCommand).resolves({ Item: { ...noVersion, status: "LOST" } });
    const read = deliveryRepository(doc, "t").get("acme", "dlv_1");
    await expect(read).rejects.toBeInstanceOf(CorruptItemError);
    await expect(deliveryRepository(doc, "t").get("acme", "dlv_1")).rejects.toThrow(
      new RegExp(`PK=${deliveryKey("acme", "dlv_1").PK}.*status.*version`),
    );
  });

  it("a corrupt post is a CorruptItemError too", async () => {
    mock.on(GetCommand).resolves({ Item: { ...postKey("acme", "pst_1"), tenantId: "acme", id: "pst_1" } });
    await expect(postRepository(doc, "t").get("acme", "pst_1")).rejects.toThrow(
      /Corrupt post item PK=TENANT#acme#POST#pst_1 SK=POST: .*status/,
    );
  });
});
