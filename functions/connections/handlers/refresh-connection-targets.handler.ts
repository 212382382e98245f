/** POST /v1/connections/{id}/targets/refresh (admin): ask the provider again which targets are reachable. */
import { ConnectionPathSchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { clock, eventDeps, providerDeps, tableDeps, vaultDeps } from "../adapters/deps.js";
import { refreshConnectionTargets } from "../use-cases/manage.js";

const table = tableDeps();
const deps = {
  connections: table.connections,
  targets: table.targets,
  audit: table.audit,
  vault: vaultDeps(),
  providers: providerDeps(),
  events: eventDeps(),
  clock,
};

export const handler = httpHandler({ path: ConnectionPathSchema }, async ({ auth, path, correlationId }) => ({
  statusCode: 200,
  body: { items: await refreshConnectionTargets(deps, auth.tenantId, path.id, { correlationId }) },
}));
