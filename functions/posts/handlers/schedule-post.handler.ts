/** POST /v1/posts/{id}/schedule (admin): one delivery and one at() schedule per target. */
import { PostIdPathSchema, ScheduleBodySchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { schedulePost } from "../use-cases/scheduling.js";
import { scheduleAnswer } from "./present.js";
import { schedulerGateway } from "./scheduling-wiring.js";
import { postsWiring } from "./wiring.js";

const { deps, idempotency } = postsWiring({ schedules: schedulerGateway() });

export const handler = httpHandler(
  { path: PostIdPathSchema, body: ScheduleBodySchema },
  idempotent(idempotency, async ({ auth, path, body, correlationId }) => {
    const r = await schedulePost(deps, auth, path.id, body, correlationId);
    return scheduleAnswer(r.post, r.deliveries, 201, r.adjusted);
  }),
);
