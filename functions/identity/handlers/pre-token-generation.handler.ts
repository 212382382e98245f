/**
 * Cognito pre token generation (V2_0 event): copies the user's immutable
 * `custom:tenant_id` attribute into the access token as `tenant_id`, the claim the HTTP API
 * JWT authorizer passes on and `authFromClaims` reads. Groups (`cognito:groups`) are already
 * in the access token, so roles need nothing here.
 *
 * It also adds the API scope (`API_SCOPE`) to the access token only: every protected route
 * requires it, so an ID token (which carries no `scope`) is refused by the JWT authorizer.
 *
 * A user without a well-formed tenant gets a token without `tenant_id`; every protected
 * route then answers 401 with a message saying so, which is clearer than a failed sign-in.
 */
import type { PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import { API_SCOPE } from "../../../schemas/resources.js";

/** Claim set on the access token (and ID token) — must match `TENANT_CLAIMS[0]` in platform/auth.ts. */
export const TENANT_CLAIM = "tenant_id";
/** The user pool attribute that holds the tenant (immutable, not writable by app clients). */
export const TENANT_ATTRIBUTE = "custom:tenant_id";

/** Same rule as the API's tenant check, so a token never carries a tenant the API would refuse. */
const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  const previous = event.response.claimsAndScopeOverrideDetails ?? {};
  const scopesToAdd = [
    ...(previous.accessTokenGeneration?.scopesToAdd ?? []).filter((s) => s !== API_SCOPE),
    API_SCOPE,
  ];
  const tenant = event.request.userAttributes[TENANT_ATTRIBUTE];
  if (tenant === undefined || !TENANT_ID.test(tenant)) {
    event.response.claimsAndScopeOverrideDetails = {
      ...previous,
      accessTokenGeneration: { ...previous.accessTokenGeneration, scopesToAdd },
    };
    return event;
  }
  const claims = { [TENANT_CLAIM]: tenant };
  event.response.claimsAndScopeOverrideDetails = {
    ...previous,
    accessTokenGeneration: {
      ...previous.accessTokenGeneration,
      claimsToAddOrOverride: { ...previous.accessTokenGeneration?.claimsToAddOrOverride, ...claims },
      scopesToAdd,
    },
    idTokenGeneration: {
      ...previous.idTokenGeneration,
      claimsToAddOrOverride: { ...previous.idTokenGeneration?.claimsToAddOrOverride, ...claims },
    },
  };
  return event;
};
