import { describe, expect, it } from "vitest";
import { handler as health } from "../../../functions/system/handlers/health.handler.js";
import { handler as me } from "../../../functions/system/handlers/me.handler.js";
import { claimsFor, httpEvent, lambdaContext } from "../../support/events.js";

const call = async (h: typeof me, e: ReturnType<typeof httpEvent>) => {
  const res = await h(e, lambdaContext());
  return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
};

describe("HTTP chain", () => {
  it("answers a public route without a token and echoes a given correlation id", async () => {
    const res = await call(
      health,
      httpEvent({ method: "GET", path: "/health", headers: { "x-correlation-id": "abc-123" } }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json.status).toBe("ok");
    expect(res.headers?.["x-correlation-id"]).toBe("abc-123");
  });

  it("generates a correlation id when none (or a bad one) is sent", async () => {
    const res = await call(
      health,
      httpEvent({ method: "GET", path: "/health", headers: { "x-correlation-id": "bad id with spaces" } }),
    );
    expect(res.headers?.["x-correlation-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("returns tenant, user and roles from verified claims (array form)", async () => {
    const res = await call(
      me,
      httpEvent({ method: "GET", path: "/v1/me", claims: claimsFor("acme", ["editor"]) }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ tenantId: "acme", userId: "user-1", roles: ["editor"] });
  });

  it('accepts API Gateway\'s stringified array claim "[admin editor]"', async () => {
    const res = await call(
      me,
      httpEvent({ method: "GET", path: "/v1/me", claims: claimsFor("acme", "[admin editor]") }),
    );
    expect(res.json.roles).toEqual(["admin", "editor"]);
  });

  it("answers 401 problem+json when the token has no tenant claim", async () => {
    const res = await call(
      me,
      httpEvent({ method: "GET", path: "/v1/me", claims: claimsFor(undefined, ["admin"]) }),
    );
    expect(res.statusCode).toBe(401);
    expect(res.headers?.["content-type"]).toBe("application/problem+json");
    expect(res.json.type).toBe("https://herald.dev/problems/unauthorized");
    expect(res.json.correlationId).toBe(res.headers?.["x-correlation-id"]);
  });

  it("answers 401 when there are no claims at all on a protected route", async () => {
    const res = await call(me, httpEvent({ method: "GET", path: "/v1/me" }));
    expect(res.statusCode).toBe(401);
  });

  it("answers 403 when no role of the token is allowed on the route", async () => {
    const res = await call(
      me,
      httpEvent({ method: "GET", path: "/v1/me", claims: claimsFor("acme", ["viewer"]) }),
    );
    expect(res.statusCode).toBe(403);
    expect(res.json.requiredRoles).toEqual(["admin", "editor"]);
  });
});
