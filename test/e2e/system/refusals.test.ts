/**
 * The platform's refusals, over HTTP as an API client meets them, and the promise behind
 * them: a refused request changes nothing. Each case snapshots the whole local table
 * before and after.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { api, stackInfo, tokenFor } from "../../support/stack.js";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

async function snapshot(): Promise<string[]> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new ScanCommand({
        TableName: stackInfo().resources.table,
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of out.Items ?? []) items.push(JSON.stringify(item));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort();
}

/** Run `act` and prove the table is byte-for-byte the same afterwards. */
async function changesNothing(act: () => Promise<void>) {
  const before = await snapshot();
  await act();
  expect(await snapshot()).toEqual(before);
}

const tenant = `refusals-${Date.now().toString(36)}`;

describe("refused requests change nothing", () => {
  it("a bad body is 400 problem+json naming each bad field", async () => {
    const token = await tokenFor({ tenant, roles: ["editor"] });
    await changesNothing(async () => {
      const res = await api("/v1/posts", {
        method: "POST",
        token,
        json: { content: { text: 42 }, targetIds: "not-a-list", surprise: true },
      });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await res.json()) as {
        type: string;
        issues: { path: string; code: string; message: string }[];
      };
      expect(problem.type).toBe("https://herald.dev/problems/validation");
      const paths = problem.issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(["body.content.text", "body.targetIds", "body.surprise"]));
      for (const issue of problem.issues) expect(issue.message.length).toBeGreaterThan(0);
    });
  });

  it("an editor on an admin route is 403 and the settings stay as they were", async () => {
    const token = await tokenFor({ tenant, roles: ["editor"] });
    await changesNothing(async () => {
      const res = await api("/v1/settings", {
        method: "PUT",
        token,
        headers: { "if-match": '"0"' },
        json: { approvalRequired: true },
      });
      expect(res.status).toBe(403);
      const problem = (await res.json()) as { type: string; requiredRoles: string[] };
      expect(problem.type).toBe("https://herald.dev/problems/forbidden");
      expect(problem.requiredRoles).toEqual(["admin"]);
    });
  });

  it("a verified token without a tenant claim is 401 and creates nothing", async () => {
    const token = await tokenFor({ tenant: undefined as unknown as string, roles: ["admin"] });
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<
      string,
      unknown
    >;
    expect(payload.tenant_id).toBeUndefined();
    await changesNothing(async () => {
      const res = await api("/v1/posts", {
        method: "POST",
        token,
        json: { content: { text: "hello" }, targetIds: ["tgt_x"] },
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { type: string }).type).toBe("https://herald.dev/problems/unauthorized");
    });
  });
});
