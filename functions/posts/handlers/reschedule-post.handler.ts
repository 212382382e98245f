/** POST /v1/posts/{id}/reschedule (admin): move every delivery of the post that can still move. */
import { PostIdPathSchema, RescheduleBodySchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { reschedulePost } from "../use-cases/scheduling.js";
import { postsWiring } from "../wiring.js";
import { scheduleAnswer } from "./present.js";

const { deps, idempotency } = postsWiring({ scheduler: true });

export const handler = httpHandler(
  { path: PostIdPathSchema, body: RescheduleBodySchema },
  idempotent(idempotency, async ({ auth, path, body, correlationId }) => {
    const r = await reschedulePost(deps, auth, path.id, body, correlationId);
    return scheduleAnswer(r.post, r.deliveries, 200);
  }),
);
