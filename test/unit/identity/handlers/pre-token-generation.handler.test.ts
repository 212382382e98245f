import type { PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { handler } from "../../../../functions/identity/handlers/pre-token-generation.handler.js";
import { authFromClaims } from "../../../../functions/platform/auth.js";
import { API_SCOPE } from "../../../../schemas/resources.js";

const event = (attributes: Record<string, string>): PreTokenGenerationV2TriggerEvent => ({
  version: "2",
  triggerSource: "TokenGeneration_Authentication",
  region: "eu-west-1",
  userPoolId: "eu-west-1_test",
  userName: "user-1",
  callerContext: { awsSdkVersion: "test", clientId: "client-1" },
  request: { userAttributes: { sub: "user-1", ...attributes }, groupConfiguration: {} },
  response: { claimsAndScopeOverrideDetails: {} },
});

describe("pre token generation trigger", () => {
  it("puts the tenant into the access token and the ID token", async () => {
    const out = await handler(event({ "custom:tenant_id": "acme" }));

    const details = out.response.claimsAndScopeOverrideDetails;
    expect(details.accessTokenGeneration?.claimsToAddOrOverride).toEqual({ tenant_id: "acme" });
    expect(details.idTokenGeneration?.claimsToAddOrOverride).toEqual({ tenant_id: "acme" });
  });

  it("produces a claim the API's auth check accepts", async () => {
    const out = await handler(event({ "custom:tenant_id": "acme-2" }));
    const added = out.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride;

    const auth = authFromClaims({ sub: "user-1", "cognito:groups": "[editor]", ...added });

    expect(auth).toEqual({ tenantId: "acme-2", userId: "user-1", roles: ["editor"] });
  });

  it.each([
    ["missing", {}],
    ["empty", { "custom:tenant_id": "" }],
    ["malformed", { "custom:tenant_id": "ACME#1" }],
  ])("adds no tenant claim when the attribute is %s", async (_label, attributes) => {
    const out = await handler(event(attributes));

    const details = out.response.claimsAndScopeOverrideDetails;
    expect(details.accessTokenGeneration?.claimsToAddOrOverride).toBeUndefined();
    expect(details.idTokenGeneration).toBeUndefined();
  });

  it.each([
    ["with a tenant", { "custom:tenant_id": "acme" }],
    ["without a tenant", {}],
  ])(
    "adds the API scope to the access token only (%s), so an ID token cannot call the API",
    async (_l, attributes) => {
      const out = await handler(event(attributes));

      const details = out.response.claimsAndScopeOverrideDetails;
      expect(details.accessTokenGeneration?.scopesToAdd).toEqual([API_SCOPE]);
      expect({ ...details.idTokenGeneration }).not.toHaveProperty("scopesToAdd");
    },
  );

  it("keeps overrides set earlier in the event", async () => {
    const input = event({ "custom:tenant_id": "acme" });
    input.response.claimsAndScopeOverrideDetails = {
      accessTokenGeneration: { scopesToAdd: ["reports/read"], claimsToAddOrOverride: { plan: "pro" } },
    };

    const out = await handler(input);

    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration).toEqual({
      scopesToAdd: ["reports/read", API_SCOPE],
      claimsToAddOrOverride: { plan: "pro", tenant_id: "acme" },
    });
  });
});
