/** Tenant settings through the HTTP chain: defaults, optimistic concurrency, roles, validation; and the SettingsReader port. */
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

await vi.hoisted(async () => {
  const { POSTS_TEST_ENV } = await import("../posts/env.js");
  Object.assign(process.env, POSTS_TEST_ENV);
});

import { settingsKey } from "../../../functions/tenants/adapters/settings-repository.js";
import { handler as getHandler } from "../../../functions/tenants/handlers/get-settings.handler.js";
import { handler as putHandler } from "../../../functions/tenants/handlers/put-settings.handler.js";
import { settingsReader } from "../../../functions/tenants/wiring.js";
import { claimsFor, httpEvent, lambdaContext } from "../../support/events.js";
import { FakeTable } from "../posts/fake-table.js";

const table = new FakeTable();
beforeEach(() => {
  table.items.clear();
  table.install();
});
afterAll(() => table.mock.restore());

const body = {
  approvalRequired: true,
  oauthReturnUrls: ["https://app.example.com/connected"],
  defaultTimeZone: "Europe/London",
};

async function call(
  h: typeof getHandler,
  method: string,
  opts: { roles?: string[]; body?: unknown; headers?: Record<string, string>; tenant?: string } = {},
) {
  const res = await h(
    httpEvent({
      method,
      path: "/v1/settings",
      claims: claimsFor(opts.tenant ?? "acme", opts.roles ?? ["admin"]),
      body: opts.body,
      headers: opts.headers,
    }),
    lambdaContext(),
  );
  return {
    status: res.statusCode,
    etag: res.headers?.etag,
    json: res.body ? JSON.parse(res.body) : undefined,
  };
}

describe("settings", () => {
  it("GET returns the defaults at version 0 before anything is saved", async () => {
    const res = await call(getHandler, "GET", { roles: ["editor"] });
    expect(res).toMatchObject({ status: 200, etag: '"0"' });
    expect(res.json).toEqual({
      approvalRequired: false,
      oauthReturnUrls: [],
      defaultTimeZone: "UTC",
      version: 0,
    });
  });

  it("PUT needs If-Match (428), saves with the read version, refuses a stale one (412)", async () => {
    expect((await call(putHandler, "PUT", { body })).status).toBe(428);
    const saved = await call(putHandler, "PUT", { body, headers: { "if-match": '"0"' } });
    expect(saved).toMatchObject({ status: 200, etag: '"1"' });
    expect(saved.json).toMatchObject({ ...body, version: 1, updatedBy: "user-1" });
    const stale = await call(putHandler, "PUT", {
      body: { ...body, approvalRequired: false },
      headers: { "if-match": '"0"' },
    });
    expect(stale.status).toBe(412);
    expect((await call(getHandler, "GET")).json.approvalRequired).toBe(true);
    const reader = settingsReader();
    await expect(reader.get("acme")).resolves.toMatchObject({ approvalRequired: true, version: 1 });
    await expect(reader.get("globex")).resolves.toMatchObject({ approvalRequired: false, version: 0 });
  });

  it("PUT is admin-only and validates zone and URLs", async () => {
    expect(
      (await call(putHandler, "PUT", { body, roles: ["editor"], headers: { "if-match": '"0"' } })).status,
    ).toBe(403);
    const bad = await call(putHandler, "PUT", {
      body: { ...body, defaultTimeZone: "Mars/Olympus", oauthReturnUrls: ["http://evil.example/"] },
      headers: { "if-match": '"0"' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "body.defaultTimeZone",
      "body.oauthReturnUrls.0",
    ]);
  });

  it("keeps tenants apart", async () => {
    await call(putHandler, "PUT", { body, headers: { "if-match": '"0"' } });
    expect((await call(getHandler, "GET", { tenant: "globex" })).json.version).toBe(0);
  });

  it("answers a corrupt settings item as a 500 whose log names the item's key", async () => {
    const key = settingsKey("acme");
    table.put({ ...key, tenantId: "acme", approvalRequired: "yes", version: 1 });
    const res = await call(getHandler, "GET");
    expect(res.status).toBe(500);
    await expect(settingsReader().get("acme")).rejects.toThrow(
      /Corrupt tenant settings item PK=TENANT#acme#SETTINGS#current SK=SETTINGS: approvalRequired/,
    );
  });
});
