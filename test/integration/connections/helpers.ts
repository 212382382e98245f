/**
 * Helpers for the connection tests against the local stack and its provider sandbox: a
 * tenant of one's own, the OAuth round trip through the sandbox, direct table reads.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import { expect } from "vitest";
import { hashState } from "../../../functions/connections/use-cases/authorize.js";
import { kmsDataKeys } from "../../../functions/platform/aws/kms.js";
import { createTokenVault } from "../../../functions/platform/crypto/token-vault.js";
import { api, stackInfo, tokenFor } from "../../support/stack.js";

export const RETURN_URL = "http://127.0.0.1:5173/settings/connections";

export const newTenant = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

let doc: DynamoDBDocumentClient | undefined;
/** A document client on the stack's DynamoDB (tests only). */
export function table() {
  const info = stackInfo();
  doc ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: info.aws.dynamodb,
      region: info.aws.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return { doc, name: info.resources.table };
}

export async function getItem(PK: string, SK: string) {
  const t = table();
  return (await t.doc.send(new GetCommand({ TableName: t.name, Key: { PK, SK }, ConsistentRead: true })))
    .Item;
}

export async function putItem(item: Record<string, unknown>) {
  const t = table();
  await t.doc.send(new PutCommand({ TableName: t.name, Item: item }));
}

/** Every item whose PK belongs to the tenant (a test-only scan). */
export async function tenantItems(tenantId: string) {
  const t = table();
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await t.doc.send(
      new ScanCommand({
        TableName: t.name,
        FilterExpression: "begins_with(PK, :p)",
        ExpressionAttributeValues: { ":p": `TENANT#${tenantId}#` },
        ExclusiveStartKey,
      }),
    );
    items.push(...(out.Items ?? []));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** The OAuth state item for a state value, read by its hash. */
export const stateItem = (state: string) => getItem(`OAUTHSTATE#${hashState(state)}`, "OAUTHSTATE");

let kms: KMSClient | undefined;
/** A KMS client on the stack's KMS emulator (tests only). */
export function stackKms() {
  const info = stackInfo();
  kms ??= new KMSClient({
    endpoint: info.aws.kms,
    region: info.aws.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  return kms;
}

/** The stack's token vault (the stage's KMS token key on the local emulator), to check what was sealed. */
export async function stackVault() {
  return createTokenVault(kmsDataKeys(stackInfo().resources.tokenKey.arn, stackKms()));
}

export function sandboxUrl() {
  const url = stackInfo().sandboxUrl;
  if (!url) throw new Error("the local stack runs without the provider sandbox");
  return url;
}

export async function sandbox(path: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(`${sandboxUrl()}${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: init.json === undefined ? {} : { "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function adminToken(tenant: string, sub = "admin-1") {
  return tokenFor({ tenant, roles: ["admin"], sub });
}

export async function authorize(token: string, provider: "meta" | "linkedin", returnUrl = RETURN_URL) {
  const res = await api(`/v1/connections/${provider}/authorize`, {
    method: "POST",
    token,
    json: { returnUrl },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { authorizationUrl: string; expiresAt: string };
  const state = new URL(body.authorizationUrl).searchParams.get("state")!;
  return { ...body, state };
}

/** Approve (or deny) the consent without a browser: the sandbox answers the redirect to our callback. */
export async function consent(
  provider: "meta" | "linkedin",
  authorizationUrl: string,
  approve = true,
  user?: string,
): Promise<string> {
  if (provider === "meta") {
    const out = await sandbox("/_sandbox/meta/consent", {
      json: { url: authorizationUrl, decision: approve ? "approve" : "deny", userId: user },
    });
    expect(out.status).toBe(200);
    return String(out.body.location);
  }
  const u = new URL(authorizationUrl);
  if (!approve) {
    const cb = new URL(u.searchParams.get("redirect_uri")!);
    cb.searchParams.set("error", "user_cancelled_authorize");
    cb.searchParams.set("state", u.searchParams.get("state")!);
    return cb.toString();
  }
  const out = await sandbox("/_sandbox/linkedin/authorize", {
    json: {
      clientId: u.searchParams.get("client_id"),
      member: user,
      redirectUri: u.searchParams.get("redirect_uri"),
      scopes: u.searchParams.get("scope")!.split(" "),
      state: u.searchParams.get("state"),
      codeChallenge: u.searchParams.get("code_challenge") ?? undefined,
    },
  });
  expect(out.status).toBe(200);
  return String(out.body.location);
}

/** Follow the provider's redirect into Herald's callback; returns Herald's answer (no redirect following). */
export async function callback(location: string) {
  const res = await fetch(location, { redirect: "manual" });
  const text = await res.text();
  return {
    status: res.status,
    location: res.headers.get("location") ?? undefined,
    text,
    headers: res.headers,
  };
}

/** authorize → consent → callback; returns the new connection id. */
export async function connect(token: string, provider: "meta" | "linkedin", user?: string) {
  const { authorizationUrl } = await authorize(token, provider);
  const back = await callback(await consent(provider, authorizationUrl, true, user));
  expect(back.status).toBe(302);
  const location = new URL(back.location!);
  expect(location.searchParams.get("error")).toBeNull();
  return location.searchParams.get("connectionId")!;
}

export async function getJson<T = Record<string, unknown>>(
  path: string,
  token: string,
): Promise<{ status: number; body: T }> {
  const res = await api(path, { token });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Run the refresh cron now (the local stack's cron trigger). */
export async function runRefreshCron() {
  const res = await fetch(new URL("/_local/cron/refresh-tokens", stackInfo().apiUrl), { method: "POST" });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

export async function listStateItemsFor(tenantId: string) {
  const t = table();
  const out = await t.doc.send(
    new ScanCommand({
      TableName: t.name,
      FilterExpression: "begins_with(PK, :p) AND tenantId = :t",
      ExpressionAttributeValues: { ":p": "OAUTHSTATE#", ":t": tenantId },
    }),
  );
  return out.Items ?? [];
}

export async function auditFor(tenantId: string, connectionId: string) {
  const t = table();
  const out = await t.doc.send(
    new QueryCommand({
      TableName: t.name,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": `TENANT#${tenantId}#TOKENAUDIT#${connectionId}` },
    }),
  );
  return out.Items ?? [];
}
