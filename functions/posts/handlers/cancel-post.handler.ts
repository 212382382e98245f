/** POST /v1/posts/{id}/cancel (admin): cancel every delivery that has not started publishing. */
import { PostIdPathSchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { cancelPost } from "../use-cases/scheduling.js";
import { postsWiring } from "../wiring.js";
import { scheduleAnswer } from "./present.js";

const { deps, idempotency } = postsWiring({ scheduler: true });

export const handler = httpHandler(
  { path: PostIdPathSchema },
  idempotent(idempotency, async ({ auth, path }) => {
    const r = await cancelPost(deps, auth, path.id);
    return scheduleAnswer(r.post, r.deliveries, 200);
  }),
);
