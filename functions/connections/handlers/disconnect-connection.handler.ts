/** DELETE /v1/connections/{id} (admin): revoke where possible, erase tokens, disconnect targets. */
import { ConnectionPathSchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { disconnectConnection } from "../use-cases/manage.js";
import { grantDeps } from "../wiring.js";

const deps = grantDeps();

export const handler = httpHandler({ path: ConnectionPathSchema }, async ({ auth, path, correlationId }) => {
  await disconnectConnection(deps, {
    tenantId: auth.tenantId,
    id: path.id,
    actor: { type: "user", id: auth.userId },
    correlationId,
  });
  return { statusCode: 204 };
});
