/** GET /v1/connections: the tenant's connections (no tokens). */
import { httpHandler } from "../../platform/http.js";
import { listConnections } from "../use-cases/manage.js";
import { tableDeps } from "../wiring.js";

const deps = { connections: tableDeps().connections };

export const handler = httpHandler({}, async ({ auth }) => ({
  statusCode: 200,
  body: { items: await listConnections(deps, auth.tenantId) },
}));
