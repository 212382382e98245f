/** GET /v1/calendar?from&to&timeZone: deliveries grouped by local day in the zone. */
import { CalendarQuerySchema, type CalendarResponse } from "../../../schemas/api/deliveries.js";
import { httpHandler } from "../../platform/http.js";
import { goesAt } from "../domain/post.js";
import { calendar, localClock } from "../use-cases/deliveries.js";
import { postsWiring } from "../wiring.js";

const { deps } = postsWiring();

export const handler = httpHandler({ query: CalendarQuerySchema }, async ({ auth, query }) => {
  const timeZone = query.timeZone ?? (await deps.settings.get(auth.tenantId)).defaultTimeZone;
  const days = await calendar(deps, auth, { from: query.from, to: query.to, timeZone });
  const body: CalendarResponse = {
    timeZone,
    from: query.from,
    to: query.to,
    days: days.map((day) => ({
      date: day.date,
      deliveries: day.deliveries.map((d) => ({
        deliveryId: d.id,
        postId: d.postId,
        targetId: d.targetId,
        platform: d.platform,
        status: d.status,
        publishAt: d.publishAt,
        goesAt: goesAt(d),
        localTime: localClock(goesAt(d), timeZone),
      })),
    })),
  };
  return { statusCode: 200, body };
});
