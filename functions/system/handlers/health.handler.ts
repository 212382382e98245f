/**
 * GET /health (public): liveness. Primary adapter only; its one setting (the stage name) is
 * read once at cold start through `loadConfig`.
 */
import type { HealthResponse } from "../../../schemas/api/system.js";
import { configFields, loadConfig } from "../../platform/config.js";
import { httpHandler } from "../../platform/http.js";

const stage = loadConfig({ STAGE: configFields.optional() }).STAGE || "unknown";

export const handler = httpHandler({ public: true }, async () => {
  const body: HealthResponse = { status: "ok", stage, time: new Date().toISOString() };
  return { statusCode: 200, body, headers: { "cache-control": "no-store" } };
});
