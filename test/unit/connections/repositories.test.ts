/**
 * The connections repositories read items through parseItem: a well-formed item comes back as
 * the domain type without key attributes; a corrupt one is a CorruptItemError naming its key,
 * not a cast object that fails later.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { dynamoAuditRepository } from "../../../functions/connections/adapters/audit-repository.js";
import {
  connectionKey,
  dynamoConnectionRepository,
  toConnectionItem,
} from "../../../functions/connections/adapters/connection-repository.js";
import { dynamoDataDeletionRepository } from "../../../functions/connections/adapters/data-deletion-repository.js";
import { dynamoOAuthStateRepository } from "../../../functions/connections/adapters/oauth-state-repository.js";
import {
  dynamoTargetRepository,
  targetKey,
} from "../../../functions/connections/adapters/target-repository.js";
import type { Connection } from "../../../functions/connections/domain/connection.js";
import { CorruptItemError } from "../../../functions/platform/dynamodb/items.js";

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const ddb = mockClient(client);
afterEach(() => ddb.reset());

const connection: Connection = {
  tenantId: "acme",
  id: "con_1",
  provider: "linkedin",
  externalAccountId: "member-1",
  scopes: ["w_member_social"],
  status: "ACTIVE",
  accessToken: "hv1.k1.a.b.c.d",
  accessTokenExpiresAt: "2027-01-25T10:00:00.000Z",
  refresh: { failures: 0 },
  connectedBy: "user-1",
  createdAt: "2026-12-01T10:00:00.000Z",
  updatedAt: "2026-12-01T10:00:00.000Z",
  version: 1,
};

const corrupt = async (p: Promise<unknown>) => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CorruptItemError);
  return error as CorruptItemError;
};

describe("connection repository", () => {
  const repo = dynamoConnectionRepository(client, "t");

  it("reads a connection item back as the domain type (index attributes dropped)", async () => {
    ddb.on(GetCommand).resolves({ Item: toConnectionItem(connection) });
    expect(await repo.get("acme", "con_1")).toEqual(connection);
  });

  it("refuses a connection item with an unknown status or a missing version, naming its key", async () => {
    ddb.on(GetCommand).resolves({
      Item: { ...toConnectionItem(connection), status: "PAUSED", version: undefined },
    });
    const error = await corrupt(repo.get("acme", "con_1"));
    expect(error.key).toEqual(connectionKey("acme", "con_1"));
    expect(error.problems.map((p) => p.split(":")[0])).toEqual(["status", "version"]);
  });

  it("refuses a corrupt item in a list too", async () => {
    ddb.on(QueryCommand).resolves({
      Items: [toConnectionItem(connection), { PK: "TENANT#acme#CONNECTION#x", SK: "CONNECTION" }],
    });
    await corrupt(repo.list("acme"));
  });
});

describe("target, audit, OAuth state and data-deletion repositories", () => {
  it("target: a target without a platform is corrupt", async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        ...targetKey("acme", "tgt_1"),
        tenantId: "acme",
        id: "tgt_1",
        connectionId: "con_1",
        kind: "facebook_page",
        externalId: "1",
        name: "Page",
        status: "ACTIVE",
        createdAt: "2026-12-01T10:00:00.000Z",
        updatedAt: "2026-12-01T10:00:00.000Z",
      },
    });
    const error = await corrupt(dynamoTargetRepository(client, "t").getStored("acme", "tgt_1"));
    expect(error.message).toMatch(/Corrupt target item PK=TENANT#acme#TARGET#tgt_1 SK=TARGET: platform/);
  });

  it("audit: an event with an unknown type is corrupt", async () => {
    ddb.on(QueryCommand).resolves({
      Items: [{ PK: "TENANT#acme#TOKENAUDIT#con_1", SK: "AUDIT#x", tenantId: "acme", type: "deleted" }],
    });
    await corrupt(dynamoAuditRepository(client, "t").query("acme", { connectionId: "con_1", limit: 10 }));
  });

  it("OAuth state: a consumed state without an expiry is corrupt", async () => {
    ddb.on(DeleteCommand).resolves({
      Attributes: {
        PK: "OAUTHSTATE#h",
        SK: "OAUTHSTATE",
        stateHash: "h",
        tenantId: "acme",
        userId: "u",
        provider: "meta",
        returnUrl: "https://app.acme.test/c",
        redirectUri: "https://api.herald.test/v1/oauth/meta/callback",
        scopes: [],
        createdAt: "2026-12-01T10:00:00.000Z",
      },
    });
    const error = await corrupt(dynamoOAuthStateRepository(client, "t").consume("h"));
    expect(error.problems).toEqual([expect.stringMatching(/^expiresAt:/)]);
  });

  it("data deletion: a record reads back without its keys; a corrupt one is refused", async () => {
    const record = {
      confirmationCode: "abc",
      status: "completed" as const,
      connectionsAffected: 1,
      requestedAt: "2026-12-01T10:00:00.000Z",
      completedAt: "2026-12-01T10:00:01.000Z",
      expiresAt: 1_800_000_000,
    };
    const repo = dynamoDataDeletionRepository(client, "t");
    ddb.on(GetCommand).resolves({
      Item: { PK: "METADATADELETION#abc", SK: "REQUEST", entity: "MetaDataDeletion", ...record },
    });
    expect(await repo.get("abc")).toEqual(record);
    ddb.on(GetCommand).resolves({
      Item: { PK: "METADATADELETION#abc", SK: "REQUEST", ...record, connectionsAffected: -1 },
    });
    await corrupt(repo.get("abc"));
  });
});
