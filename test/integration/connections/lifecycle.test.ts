/**
 * The token lifecycle against the local stack and the provider sandbox: the refresh cron
 * (success, provider outage with backoff, revoked grants), disconnect, the audit trail and
 * Meta's deauthorize / data-deletion callbacks. The sandbox issues 1-day tokens here so every
 * connection made in this file is inside the refresh window at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fromConnectionItem,
  toConnectionItem,
} from "../../../functions/connections/adapters/connection-repository.js";
import { backoffCeilingMs, TOKEN_PURPOSE } from "../../../functions/connections/domain/connection.js";
import { signRequest } from "../../../functions/connections/domain/signed-request.js";
import { SANDBOX_APPS } from "../../../local/sandbox/index.js";
import { api, eventually, tokenFor } from "../../support/stack.js";
import {
  adminToken,
  connect,
  getItem,
  getJson,
  newTenant,
  putItem,
  runRefreshCron,
  sandbox,
  sandboxUrl,
  stackVault,
  tenantItems,
} from "./helpers.js";

interface ConnectionBody {
  id: string;
  status: string;
  externalAccountId: string;
  action?: { type: string; message: string };
  refreshFailures: number;
  nextRefreshAt?: string;
  lastRefreshedAt?: string;
  hasRefreshToken: boolean;
  accessTokenExpiresAt?: string;
}
interface AuditBody {
  items: {
    type: string;
    outcome: string;
    reason?: string;
    connectionId: string;
    actor: { type: string; id: string };
  }[];
  nextCursor?: string;
}

const META_USER_2 = "100000000000002";
const LI_MEMBER_2 = "Yq7Pm3sLhD";

let savedConfig: Record<string, unknown>;
let savedLiSettings: Record<string, unknown>;

beforeAll(async () => {
  savedConfig = (await sandbox("/_sandbox/config")).body;
  savedLiSettings = (await sandbox("/_sandbox/linkedin/settings")).body;
  const put = await sandbox("/_sandbox/config", {
    method: "PUT",
    json: { linkedin: { partnerRefreshTokens: true }, meta: { longLivedTokenSeconds: 86_400 } },
  });
  expect(put.status).toBe(200);
  const li = await sandbox("/_sandbox/linkedin/settings", {
    method: "PUT",
    json: { accessTokenSeconds: 86_400 },
  });
  expect(li.status).toBe(200);
});

afterAll(async () => {
  await sandbox("/_sandbox/faults", { method: "DELETE" });
  const meta = savedConfig.meta as Record<string, unknown>;
  const linkedin = savedConfig.linkedin as Record<string, unknown>;
  await sandbox("/_sandbox/config", {
    method: "PUT",
    json: {
      linkedin: { partnerRefreshTokens: linkedin.partnerRefreshTokens },
      meta: { longLivedTokenSeconds: meta.longLivedTokenSeconds },
    },
  });
  await sandbox("/_sandbox/linkedin/settings", {
    method: "PUT",
    json: { accessTokenSeconds: savedLiSettings.accessTokenSeconds },
  });
});

const conn = async (id: string, token: string) =>
  (await getJson<ConnectionBody>(`/v1/connections/${id}`, token)).body;
const audit = async (token: string, query: string) =>
  (await getJson<AuditBody>(`/v1/tokens/audit?${query}`, token)).body;

/** Make a connection due now (test setup: rewind its scheduled retry), keeping the index keys right. */
async function makeDue(tenantId: string, id: string) {
  const item = (await getItem(`TENANT#${tenantId}#CONNECTION#${id}`, "CONNECTION"))!;
  const c = fromConnectionItem(item);
  await putItem(
    toConnectionItem({
      ...c,
      refresh: { ...c.refresh, nextAttemptAt: new Date(Date.now() - 1000).toISOString() },
    }),
  );
}

async function openAccessToken(tenantId: string, id: string) {
  const item = (await getItem(`TENANT#${tenantId}#CONNECTION#${id}`, "CONNECTION"))!;
  const vault = await stackVault();
  return vault.open(String(item.accessToken), { tenantId, connectionId: id, purpose: TOKEN_PURPOSE.access });
}

describe("refresh cron", () => {
  const tenant = newTenant("it-refresh");
  let token: string;
  beforeAll(async () => {
    token = await adminToken(tenant);
  });

  it("refreshes LinkedIn (refresh token) and Meta (long-lived re-exchange) tokens nearing expiry", async () => {
    const li = await connect(token, "linkedin");
    const meta = await connect(token, "meta");
    const before = { li: await openAccessToken(tenant, li), meta: await openAccessToken(tenant, meta) };
    const liBefore = await conn(li, token);
    expect(liBefore.hasRefreshToken).toBe(true);
    expect(Date.parse(liBefore.nextRefreshAt!)).toBeLessThanOrEqual(Date.now());

    await runRefreshCron();
    for (const [id, old] of [
      [li, before.li],
      [meta, before.meta],
    ] as const) {
      const after = await conn(id, token);
      expect(after.status).toBe("ACTIVE");
      expect(after.refreshFailures).toBe(0);
      const fresh = await openAccessToken(tenant, id);
      expect(fresh).not.toBe(old);
      const events = await audit(token, `connectionId=${id}&type=refreshed`);
      expect(events.items[0]).toMatchObject({
        type: "refreshed",
        outcome: "success",
        actor: { type: "system" },
      });
    }
    // The refreshed LinkedIn token works at the provider; the old one was replaced, the refresh token kept.
    expect((await conn(li, token)).hasRefreshToken).toBe(true);
    const me = await fetch(`${sandboxUrl()}/linkedin/api/v2/userinfo`, {
      headers: { authorization: `Bearer ${await openAccessToken(tenant, li)}` },
    });
    expect(me.status).toBe(200);
  });

  it("keeps a connection ACTIVE through a provider outage, backing off more after each failure", async () => {
    const id = await connect(token, "linkedin");
    const fault = await sandbox("/_sandbox/faults", {
      json: {
        provider: "linkedin",
        path: "/oauth/v2/accessToken$",
        fault: { kind: "response", status: 503 },
      },
    });
    expect(fault.status).toBe(201);
    try {
      for (const failures of [1, 2]) {
        const startedAt = Date.now();
        await runRefreshCron();
        const c = await conn(id, token);
        expect(c.status).toBe("ACTIVE");
        expect(c.action).toBeUndefined();
        expect(c.refreshFailures).toBe(failures);
        const wait = Date.parse(c.nextRefreshAt!) - startedAt;
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(backoffCeilingMs(failures) + 60_000);
        await makeDue(tenant, id);
      }
    } finally {
      await sandbox(`/_sandbox/faults/${String(fault.body.id)}`, { method: "DELETE" });
    }
    expect(backoffCeilingMs(2)).toBeGreaterThan(backoffCeilingMs(1));
    const failed = await audit(token, `connectionId=${id}&type=refresh_failed`);
    expect(failed.items).toHaveLength(2);
    expect(failed.items.every((e) => e.reason === "linkedin:503" && e.outcome === "failure")).toBe(true);

    await runRefreshCron();
    const recovered = await conn(id, token);
    expect(recovered).toMatchObject({ status: "ACTIVE", refreshFailures: 0 });
  });

  it("flags a grant the member revoked at LinkedIn, at once, with a reconnect action", async () => {
    const id = await connect(token, "linkedin", LI_MEMBER_2);
    const revoked = await sandbox(`/_sandbox/linkedin/members/${LI_MEMBER_2}/revoke`, { json: {} });
    expect(revoked.status).toBe(200);
    await runRefreshCron();
    const c = await conn(id, token);
    expect(["NEEDS_REAUTH", "REVOKED"]).toContain(c.status);
    expect(c.action).toMatchObject({
      type: "reconnect",
      message: expect.stringContaining("/v1/connections/linkedin/authorize"),
    });
    const targets = await getJson<{ items: { status: string }[] }>(`/v1/connections/${id}/targets`, token);
    expect(targets.body.items.every((t) => t.status === "NEEDS_REAUTH")).toBe(true);
    const failed = await audit(token, `connectionId=${id}&type=refresh_failed`);
    expect(failed.items[0]).toMatchObject({ outcome: "failure" });
    // Not retried: it is out of the refresh index.
    expect(c.nextRefreshAt).toBeUndefined();
  });

  it("marks a Meta grant REVOKED when the user removed the app, and NEEDS_REAUTH after a password change", async () => {
    const id = await connect(token, "meta", META_USER_2);
    expect((await sandbox(`/_sandbox/meta/users/${META_USER_2}/revoke`, { json: {} })).status).toBe(200);
    await runRefreshCron();
    let c = await conn(id, token);
    expect(c.status).toBe("REVOKED");
    expect(c.action?.type).toBe("reconnect");
    expect((await audit(token, `connectionId=${id}&type=refresh_failed`)).items[0]?.reason).toBe(
      "meta:190/458",
    );

    // Reconnecting brings the same connection back to ACTIVE.
    expect(await connect(token, "meta", META_USER_2)).toBe(id);
    expect((await conn(id, token)).status).toBe("ACTIVE");
    expect((await sandbox(`/_sandbox/meta/users/${META_USER_2}/password-changed`, { json: {} })).status).toBe(
      200,
    );
    await runRefreshCron();
    c = await conn(id, token);
    expect(c.status).toBe("NEEDS_REAUTH");
    expect((await audit(token, `connectionId=${id}&type=refresh_failed`)).items[0]?.reason).toBe(
      "meta:190/460",
    );
  });

  it("flags a connection whose stored token was tampered with NEEDS_REAUTH at once, and does not retry it", async () => {
    const id = await connect(token, "linkedin");
    const key = `TENANT#${tenant}#CONNECTION#${id}`;
    const c = fromConnectionItem((await getItem(key, "CONNECTION"))!);
    // Flip one bit of the access token's ciphertext: GCM authentication must refuse it.
    const parts = c.accessToken!.split(".");
    // hv2.<kms blob>.<iv>.<ciphertext+tag>: the last part is the GCM layer.
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = (body[0] ?? 0) ^ 0x01;
    parts[3] = body.toString("base64url");
    await putItem(toConnectionItem({ ...c, accessToken: parts.join(".") }));
    await makeDue(tenant, id);

    await runRefreshCron();
    const flagged = await conn(id, token);
    expect(flagged).toMatchObject({
      status: "NEEDS_REAUTH",
      action: { type: "reconnect", message: expect.stringContaining("/v1/connections/linkedin/authorize") },
    });
    expect(flagged.nextRefreshAt).toBeUndefined();
    const targets = await getJson<{ items: { status: string }[] }>(`/v1/connections/${id}/targets`, token);
    expect(targets.body.items.every((t) => t.status === "NEEDS_REAUTH")).toBe(true);
    // (The same LinkedIn member as the tests above, so the same connection: count only this failure.)
    const undecryptable = async () =>
      (await audit(token, `connectionId=${id}&type=refresh_failed`)).items.filter((e) =>
        e.reason?.startsWith("token_undecryptable:"),
      );
    expect(await undecryptable()).toEqual([
      expect.objectContaining({ outcome: "failure", reason: "token_undecryptable:authentication_failed" }),
    ]);

    // The next run leaves it alone: no second attempt, no second audit event.
    await runRefreshCron();
    expect((await conn(id, token)).status).toBe("NEEDS_REAUTH");
    expect(await undecryptable()).toHaveLength(1);
  });
});

describe("disconnect", () => {
  it("revokes at the provider, erases every token, disconnects targets and audits", async () => {
    const tenant = newTenant("it-disc");
    const token = await adminToken(tenant);
    const id = await connect(token, "linkedin");
    const plaintext = await openAccessToken(tenant, id);
    // Something scheduled to the member: a post and its delivery tomorrow.
    const member = (
      await getJson<{ items: { id: string; kind: string }[] }>(`/v1/connections/${id}/targets`, token)
    ).body.items.find((t) => t.kind === "linkedin_member")!;
    const post = await api("/v1/posts", {
      method: "POST",
      token,
      json: { content: { text: "Hello from Herald" }, targetIds: [member.id] },
    });
    expect(post.status).toBe(201);
    const postId = ((await post.json()) as { id: string }).id;
    const scheduled = await api(`/v1/posts/${postId}/schedule`, {
      method: "POST",
      token,
      json: { publishAt: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(scheduled.status, await scheduled.clone().text()).toBe(201);
    const [delivery] = ((await scheduled.json()) as { deliveries: { id: string; status: string }[] })
      .deliveries;
    expect(delivery!.status).toBe("SCHEDULED");

    const res = await api(`/v1/connections/${id}`, { method: "DELETE", token });
    expect(res.status).toBe(204);

    // Blocking happens over the bus (ConnectionDisconnected v1 → on-connection-disconnected).
    const after = await eventually(
      async () => {
        const r = await getJson<{ status: string; ledger: { event: string; detail?: string }[] }>(
          `/v1/deliveries/${delivery!.id}`,
          token,
        );
        return r.body.status === "BLOCKED" ? r : undefined;
      },
      { what: "the delivery to become BLOCKED after the disconnect" },
    );
    expect(after.body.ledger.at(-1)).toMatchObject({
      event: "blocked",
      detail: expect.stringContaining("Reconnect the LinkedIn account"),
    });

    const item = (await getItem(`TENANT#${tenant}#CONNECTION#${id}`, "CONNECTION"))!;
    expect(item.status).toBe("DISCONNECTED");
    expect(item.accessToken).toBeUndefined();
    expect(item.refreshToken).toBeUndefined();
    expect(item.GSI2PK).toBeUndefined();
    const targets = (await tenantItems(tenant)).filter((i) => String(i.PK).includes("#TARGET#"));
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.every((t) => t.status === "DISCONNECTED" && t.token === undefined)).toBe(true);

    const introspect = await fetch(`${sandboxUrl()}/linkedin/www/oauth/v2/introspectToken`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: SANDBOX_APPS.linkedin.clientId,
        client_secret: SANDBOX_APPS.linkedin.clientSecret,
        token: plaintext,
      }),
    });
    expect(((await introspect.json()) as { active: boolean }).active).toBe(false);

    const trail = await audit(token, `connectionId=${id}`);
    expect(trail.items.map((e) => e.type)).toEqual(
      expect.arrayContaining(["issued", "revoked", "disconnected"]),
    );
    expect(trail.items.find((e) => e.type === "disconnected")?.actor).toEqual({
      type: "user",
      id: "admin-1",
    });
    expect((await api(`/v1/connections/${id}`, { method: "DELETE", token })).status).toBe(204);

    // Reconnecting the same account revives the connection and puts the delivery back on
    // schedule (ConnectionRestored v1 → on-connection-restored).
    expect(await connect(token, "linkedin")).toBe(id);
    expect((await conn(id, token)).status).toBe("ACTIVE");
    const back = await eventually(
      async () => {
        const r = await getJson<{ status: string; ledger: { event: string }[] }>(
          `/v1/deliveries/${delivery!.id}`,
          token,
        );
        return r.body.status === "SCHEDULED" ? r : undefined;
      },
      { what: "the delivery to be back on schedule after the reconnect" },
    );
    expect(back.body.ledger.at(-1)?.event).toBe("unblocked");
  });
});

describe("token audit API", () => {
  it("pages newest first, filters by type and time, is admin-only and refuses foreign cursors", async () => {
    const tenant = newTenant("it-audit");
    const token = await adminToken(tenant);
    const id = await connect(token, "meta", META_USER_2);
    await connect(token, "meta", META_USER_2);
    const all = await audit(token, "");
    expect(all.items.length).toBeGreaterThanOrEqual(2);
    const first = await audit(token, "limit=1");
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toBeDefined();
    const second = await audit(token, `limit=1&cursor=${first.nextCursor}`);
    expect(second.items[0]).toBeDefined();
    expect(second.items[0]!.connectionId).toBe(id);
    expect(
      all.items.every(
        (e, i) =>
          i === 0 ||
          (all.items[i - 1] as unknown as { at: string }).at >= (e as unknown as { at: string }).at,
      ),
    ).toBe(true);
    const future = await audit(
      token,
      `from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
    );
    expect(future.items).toEqual([]);
    expect((await audit(token, "type=issued")).items.every((e) => e.type === "issued")).toBe(true);

    // A cursor only fits the list it came from.
    expect(
      (await getJson(`/v1/tokens/audit?connectionId=${id}&cursor=${first.nextCursor}`, token)).status,
    ).toBe(400);
    const byConnection = await audit(token, `connectionId=${id}&limit=1`);
    expect(byConnection.nextCursor).toBeDefined();
    expect((await getJson(`/v1/tokens/audit?cursor=${byConnection.nextCursor}`, token)).status).toBe(400);
    expect(
      (await audit(token, `connectionId=${id}&limit=1&cursor=${byConnection.nextCursor}`)).items,
    ).toHaveLength(1);
    expect((await getJson("/v1/tokens/audit?cursor=not-base64-json", token)).status).toBe(400);
    const otherToken = await adminToken(newTenant("it-audit-other"));
    expect((await getJson(`/v1/tokens/audit?cursor=${first.nextCursor}`, otherToken)).status).toBe(400);
    expect((await audit(otherToken, `connectionId=${id}`)).items).toEqual([]);
    const editor = await tokenFor({ tenant, roles: ["editor"] });
    expect((await getJson("/v1/tokens/audit", editor)).status).toBe(403);
  });
});

describe("Meta callbacks", () => {
  const form = (signed: string) => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ signed_request: signed }).toString(),
  });

  it("deauthorize: a signed request revokes the user's connection; a bad signature is refused", async () => {
    const tenant = newTenant("it-deauth");
    const token = await adminToken(tenant);
    const id = await connect(token, "meta", META_USER_2);
    const payload = {
      user_id: META_USER_2,
      algorithm: "HMAC-SHA256",
      issued_at: Math.floor(Date.now() / 1000),
    };

    const bad = await api("/v1/meta/deauthorize", form(signRequest(payload, "not-the-app-secret")));
    expect(bad.status).toBe(401);
    expect((await conn(id, token)).status).toBe("ACTIVE");

    const ok = await api("/v1/meta/deauthorize", form(signRequest(payload, SANDBOX_APPS.meta.appSecret)));
    expect(ok.status).toBe(200);
    const c = await conn(id, token);
    expect(c.status).toBe("REVOKED");
    const item = (await getItem(`TENANT#${tenant}#CONNECTION#${id}`, "CONNECTION"))!;
    expect(item.accessToken).toBeUndefined();
    const trail = await audit(token, `connectionId=${id}&type=revoked`);
    expect(trail.items[0]?.actor).toEqual({ type: "provider", id: "meta:deauthorize" });
  });

  it("data deletion answers a status URL and confirmation code that resolve", async () => {
    const tenant = newTenant("it-deletion");
    const token = await adminToken(tenant);
    await connect(token, "meta", META_USER_2);
    const payload = {
      user_id: META_USER_2,
      algorithm: "HMAC-SHA256",
      issued_at: Math.floor(Date.now() / 1000),
    };
    const res = await api("/v1/meta/data-deletion", form(signRequest(payload, SANDBOX_APPS.meta.appSecret)));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string; confirmation_code: string };
    expect(body.url).toContain(`/v1/meta/data-deletion/${body.confirmation_code}`);
    const status = await fetch(body.url);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      confirmationCode: body.confirmation_code,
      status: "completed",
    });
    expect((await api("/v1/meta/data-deletion/unknown-code-123")).status).toBe(404);
  });
});
