/**
 * GET /v1/me: the caller as Herald sees them, from verified token claims.
 */
import type { MeResponse } from "../../../schemas/api/system.js";
import { httpHandler } from "../../platform/http.js";

export const handler = httpHandler({}, async ({ auth }) => {
  const body: MeResponse = { tenantId: auth.tenantId, userId: auth.userId, roles: [...auth.roles] };
  return { statusCode: 200, body };
});
