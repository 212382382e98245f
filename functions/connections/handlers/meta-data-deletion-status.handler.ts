/** GET /v1/meta/data-deletion/{code} (public): the status page Meta links people to. */
import { MetaDataDeletionPathSchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { metaDataDeletionStatus } from "../use-cases/meta-callbacks.js";
import { tableDeps } from "../wiring.js";

const deps = { deletions: tableDeps().deletions };

export const handler = httpHandler({ public: true, path: MetaDataDeletionPathSchema }, async ({ path }) => ({
  statusCode: 200,
  body: await metaDataDeletionStatus(deps, path.code),
}));
