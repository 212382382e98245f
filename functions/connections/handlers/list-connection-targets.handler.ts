/** GET /v1/connections/{id}/targets: the places a connection can publish to. */
import { ConnectionPathSchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { listConnectionTargets } from "../use-cases/manage.js";
import { tableDeps } from "../wiring.js";

const table = tableDeps();
const deps = { connections: table.connections, targets: table.targets };

export const handler = httpHandler({ path: ConnectionPathSchema }, async ({ auth, path }) => ({
  statusCode: 200,
  body: { items: await listConnectionTargets(deps, auth.tenantId, path.id) },
}));
