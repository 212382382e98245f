/** GET /v1/deliveries: by publish time; filters status, targetId, from/to; opaque cursor. */
import { ListDeliveriesQuerySchema } from "../../../schemas/api/deliveries.js";
import { httpHandler } from "../../platform/http.js";
import { listDeliveries } from "../use-cases/deliveries.js";
import { postsWiring } from "../wiring.js";
import { presentDelivery } from "./present.js";

const { deps } = postsWiring();

export const handler = httpHandler({ query: ListDeliveriesQuerySchema }, async ({ auth, query }) => {
  const page = await listDeliveries(deps, auth, { ...query, limit: query.limit ?? 25 });
  return {
    statusCode: 200,
    body: {
      items: page.items.map(presentDelivery),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    },
  };
});
