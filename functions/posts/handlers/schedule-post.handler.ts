/** POST /v1/posts/{id}/schedule (admin): one delivery and one at() schedule per target. */
import { PostIdPathSchema, ScheduleBodySchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { schedulePost } from "../use-cases/scheduling.js";
import { postsWiring } from "../wiring.js";
import { scheduleAnswer } from "./present.js";

const { deps, idempotency } = postsWiring({ scheduler: true });

export const handler = httpHandler(
  { path: PostIdPathSchema, body: ScheduleBodySchema },
  idempotent(idempotency, async ({ auth, path, body, correlationId }) => {
    const r = await schedulePost(deps, auth, path.id, body, correlationId);
    return scheduleAnswer(r.post, r.deliveries, 201, r.adjusted);
  }),
);
