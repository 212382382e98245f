/**
 * Herald as an API client sees it, over HTTP against the local stack: the health probe,
 * who-am-I with a token from the local identity provider, and the authorizer's refusals.
 */
import { generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, tokenFor } from "../../support/stack.js";

describe("system endpoints over HTTP", () => {
  it("GET /health answers ok without a token, with a correlation id", async () => {
    const res = await api("/health", { headers: { "x-correlation-id": "e2e-health-1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-correlation-id")).toBe("e2e-health-1");
    const body = (await res.json()) as { status: string; time: string };
    expect(body.status).toBe("ok");
    expect(Number.isNaN(Date.parse(body.time))).toBe(false);
  });

  it("GET /v1/me returns the demo tenant for the demo admin and the demo editor", async () => {
    for (const [sub, role] of [
      ["demo-admin", "admin"],
      ["demo-editor", "editor"],
    ] as const) {
      const res = await api("/v1/me", { token: await tokenFor({ tenant: "demo", roles: [role], sub }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ tenantId: "demo", userId: sub, roles: [role] });
    }
  });

  it("GET /v1/me without a token, with an expired one or a forged one is 401 Unauthorized", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({ tenant_id: "demo", "cognito:groups": ["admin"] })
      .setProtectedHeader({ alg: "RS256", kid: "forged" })
      .setSubject("eve")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    const expired = await tokenFor({ tenant: "demo", roles: ["admin"], expiresIn: -1 });
    for (const token of [undefined, expired, forged, "not-a-jwt"]) {
      const res = await api("/v1/me", token ? { token } : {});
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: "Unauthorized" });
    }
  });
});
