/**
 * GET /health (public): liveness. Primary adapter only; no dependencies.
 */
import type { HealthResponse } from "../../../schemas/api/system.js";
import { ENV } from "../../../schemas/env.js";
import { httpHandler } from "../../platform/http.js";

const stage = process.env[ENV.STAGE] ?? "unknown";

export const handler = httpHandler({ public: true }, async () => {
  const body: HealthResponse = { status: "ok", stage, time: new Date().toISOString() };
  return { statusCode: 200, body, headers: { "cache-control": "no-store" } };
});
