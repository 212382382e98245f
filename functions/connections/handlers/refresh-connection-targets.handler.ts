/** POST /v1/connections/{id}/targets/refresh (admin): ask the provider again which targets are reachable. */
import { ConnectionPathSchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { refreshConnectionTargets } from "../use-cases/manage.js";
import { grantDeps } from "../wiring.js";

const deps = grantDeps();

export const handler = httpHandler({ path: ConnectionPathSchema }, async ({ auth, path, correlationId }) => ({
  statusCode: 200,
  body: { items: await refreshConnectionTargets(deps, auth.tenantId, path.id, { correlationId }) },
}));
