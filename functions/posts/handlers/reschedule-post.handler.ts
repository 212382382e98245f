/** POST /v1/posts/{id}/reschedule (admin): move every delivery of the post that can still move. */
import { PostIdPathSchema, RescheduleBodySchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { reschedulePost } from "../use-cases/scheduling.js";
import { scheduleAnswer } from "./present.js";
import { schedulerGateway } from "./scheduling-wiring.js";
import { postsWiring } from "./wiring.js";

const { deps, idempotency } = postsWiring({ schedules: schedulerGateway() });

export const handler = httpHandler(
  { path: PostIdPathSchema, body: RescheduleBodySchema },
  idempotent(idempotency, async ({ auth, path, body, correlationId }) => {
    const r = await reschedulePost(deps, auth, path.id, body, correlationId);
    return scheduleAnswer(r.post, r.deliveries, 200);
  }),
);
