/** POST /v1/deliveries/{id}/reschedule (admin): new time, version + 1, schedule replaced. */
import { DeliveryIdPathSchema } from "../../../schemas/api/deliveries.js";
import { RescheduleBodySchema } from "../../../schemas/api/posts.js";
import { etagFor } from "../../platform/etag.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { rescheduleDelivery } from "../use-cases/scheduling.js";
import { postsWiring } from "../wiring.js";
import { presentDelivery } from "./present.js";

const { deps, idempotency } = postsWiring({ scheduler: true });

export const handler = httpHandler(
  { path: DeliveryIdPathSchema, body: RescheduleBodySchema },
  idempotent(idempotency, async ({ auth, path, body, correlationId }) => {
    const d = await rescheduleDelivery(deps, auth, path.id, body, correlationId);
    return { statusCode: 200, headers: { etag: etagFor(d.version) }, body: presentDelivery(d) };
  }),
);
