/** POST /v1/deliveries/{id}/cancel (admin): CANCELLED (conditional on state and version), schedule deleted. */
import { DeliveryIdPathSchema } from "../../../schemas/api/deliveries.js";
import { etagFor } from "../../platform/etag.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { cancelDelivery } from "../use-cases/scheduling.js";
import { postsWiring } from "../wiring.js";
import { presentDelivery } from "./present.js";

const { deps, idempotency } = postsWiring({ scheduler: true });

export const handler = httpHandler(
  { path: DeliveryIdPathSchema },
  idempotent(idempotency, async ({ auth, path }) => {
    const d = await cancelDelivery(deps, auth, path.id);
    return { statusCode: 200, headers: { etag: etagFor(d.version) }, body: presentDelivery(d) };
  }),
);
