/** GET /v1/deliveries/{id}: one delivery with its attempt ledger. */
import { DeliveryIdPathSchema } from "../../../schemas/api/deliveries.js";
import { etagFor } from "../../platform/etag.js";
import { httpHandler } from "../../platform/http.js";
import { getDelivery } from "../use-cases/deliveries.js";
import { postsWiring } from "../wiring.js";
import { presentDelivery } from "./present.js";

const { deps } = postsWiring();

export const handler = httpHandler({ path: DeliveryIdPathSchema }, async ({ auth, path }) => {
  const d = await getDelivery(deps, auth, path.id);
  return { statusCode: 200, headers: { etag: etagFor(d.version) }, body: presentDelivery(d) };
});
