/**
 * The Idempotency-Key wrapper's failure paths: a claim that cannot be released is logged through
 * the log port (never swallowed) and the caller still gets the operation's own answer; the
 * DynamoDB store parses the record it reads back (a corrupt one names its key).
 */
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { HttpRoute } from "../../../functions/manifest.js";
import type { AuthContext } from "../../../functions/platform/auth.js";
import { CorruptItemError } from "../../../functions/platform/dynamodb/items.js";
import type { HttpRequest } from "../../../functions/platform/http.js";
import {
  dynamoIdempotencyStore,
  type IdempotencyStore,
  IN_PROGRESS_LOCK_SECONDS,
  idempotent,
} from "../../../functions/platform/idempotency.js";

const route: HttpRoute = {
  type: "http",
  method: "POST",
  path: "/v1/posts",
  auth: { roles: ["editor"] },
  operationId: "createPost",
};
const req: HttpRequest<unknown, unknown, unknown, AuthContext> = {
  body: { a: 1 },
  query: undefined,
  path: undefined,
  headers: { "idempotency-key": "key-1" },
  auth: { tenantId: "acme", userId: "u", roles: ["editor"] },
  correlationId: "c",
  route,
};

/** Claims always succeed; releasing always fails (the table is unreachable at that moment). */
const stuckStore = (): IdempotencyStore & { released: number } => ({
  released: 0,
  async claim() {
    return undefined;
  },
  async complete() {},
  async release() {
    this.released++;
    throw new Error("ProvisionedThroughputExceededException");
  },
});

const recordingLog = () => {
  const lines: { message: string; extra: Record<string, unknown> }[] = [];
  return { lines, warn: (message: string, extra: Record<string, unknown>) => lines.push({ message, extra }) };
};

describe("idempotent(): a claim that cannot be released", () => {
  it("is logged through the log port, and the operation's own error reaches the caller", async () => {
    const store = stuckStore();
    const log = recordingLog();
    const fn = idempotent(
      () => store,
      async () => {
        throw new TypeError("use case failed");
      },
      () => 1_000_000,
      log,
    );
    await expect(fn(req)).rejects.toThrow("use case failed");
    expect(store.released).toBe(1);
    expect(log.lines).toEqual([
      {
        message: expect.stringContaining("not released"),
        extra: {
          route: "POST /v1/posts",
          after: "the operation failed",
          lockSeconds: IN_PROGRESS_LOCK_SECONDS,
          error: "Error: ProvisionedThroughputExceededException",
        },
      },
    ]);
  });

  it("is logged after a non-2xx answer too, which is still returned", async () => {
    const store = stuckStore();
    const log = recordingLog();
    const fn = idempotent(
      () => store,
      async () => ({ statusCode: 402 }),
      () => 1_000_000,
      log,
    );
    await expect(fn(req)).resolves.toEqual({ statusCode: 402 });
    expect(log.lines.map((l) => l.extra.after)).toEqual(["a 402 answer (only 2xx answers are stored)"]);
  });
});

describe("dynamoIdempotencyStore", () => {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
  const ddb = mockClient(client);
  afterEach(() => ddb.reset());
  const scope = { tenantId: "acme", route: "POST /v1/posts", key: "key-1" };
  const taken = () =>
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: "taken", $metadata: {} }));

  it("answers the record holding the key, parsed", async () => {
    taken();
    ddb.on(GetCommand).resolves({
      Item: {
        PK: "TENANT#acme#IDEMPOTENCY#x",
        SK: "IDEMPOTENCY",
        entity: "IDEMPOTENCY",
        status: "COMPLETE",
        requestHash: "h1",
        response: { statusCode: 201, body: { id: "p1" }, headers: { etag: '"1"' } },
        expiresAt: 2_000_000,
      },
    });
    await expect(dynamoIdempotencyStore(client, "t").claim(scope, "h1", 1_000_000)).resolves.toEqual({
      status: "COMPLETE",
      requestHash: "h1",
      response: { statusCode: 201, body: { id: "p1" }, headers: { etag: '"1"' } },
    });
  });

  it("refuses a corrupt record with a CorruptItemError naming its key", async () => {
    taken();
    ddb.on(GetCommand).resolves({
      Item: { PK: "TENANT#acme#IDEMPOTENCY#x", SK: "IDEMPOTENCY", status: "DONE", requestHash: "h1" },
    });
    const error = await dynamoIdempotencyStore(client, "t")
      .claim(scope, "h1", 1_000_000)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CorruptItemError);
    expect((error as CorruptItemError).message).toMatch(
      /Corrupt idempotency record item PK=TENANT#acme#IDEMPOTENCY#x SK=IDEMPOTENCY: status/,
    );
  });
});
