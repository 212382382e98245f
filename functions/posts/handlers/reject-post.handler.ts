/** POST /v1/posts/{id}/reject (admin): PENDING_APPROVAL → REJECTED, with a comment saying why. */
import { PostIdPathSchema, RejectBodySchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { rejectPost } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";
import { postAnswer } from "./present.js";

const { deps, idempotency } = postsWiring();

export const handler = httpHandler(
  { path: PostIdPathSchema, body: RejectBodySchema },
  idempotent(idempotency, async ({ auth, path, body }) =>
    postAnswer(await rejectPost(deps, auth, path.id, body.comment)),
  ),
);
