/** GET /v1/connections/{id}: one connection (no tokens); a foreign id is 404. */
import { ConnectionPathSchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { getConnection } from "../use-cases/manage.js";
import { tableDeps } from "../wiring.js";

const deps = { connections: tableDeps().connections };

export const handler = httpHandler({ path: ConnectionPathSchema }, async ({ auth, path }) => ({
  statusCode: 200,
  body: await getConnection(deps, auth.tenantId, path.id),
}));
