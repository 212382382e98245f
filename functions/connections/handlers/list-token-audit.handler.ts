/** GET /v1/tokens/audit (admin): token events, newest first, cursor-paginated. */
import { TokenAuditQuerySchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { listTokenAudit } from "../use-cases/audit.js";
import { tableDeps } from "../wiring.js";

const deps = { audit: tableDeps().audit };

export const handler = httpHandler({ query: TokenAuditQuerySchema }, async ({ auth, query }) => ({
  statusCode: 200,
  body: await listTokenAudit(deps, auth.tenantId, { ...query, limit: query.limit ?? 50 }),
}));
