/** POST /v1/posts/{id}/cancel (admin): cancel every delivery that has not started publishing. */
import { PostIdPathSchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { cancelPost } from "../use-cases/scheduling.js";
import { scheduleAnswer } from "./present.js";
import { schedulerGateway } from "./scheduling-wiring.js";
import { postsWiring } from "./wiring.js";

const { deps, idempotency } = postsWiring({ schedules: schedulerGateway() });

export const handler = httpHandler(
  { path: PostIdPathSchema },
  idempotent(idempotency, async ({ auth, path }) => {
    const r = await cancelPost(deps, auth, path.id);
    return scheduleAnswer(r.post, r.deliveries, 200);
  }),
);
