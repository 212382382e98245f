/** POST /v1/posts/{id}/approve (admin): PENDING_APPROVAL → APPROVED, optional comment. */
import { PostIdPathSchema, ReviewBodySchema } from "../../../schemas/api/posts.js";
import * as z from "../../../schemas/zod.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { approvePost } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";
import { postAnswer } from "./present.js";

const { deps, idempotency } = postsWiring();

export const handler = httpHandler(
  { path: PostIdPathSchema, body: z.optional(ReviewBodySchema) },
  idempotent(idempotency, async ({ auth, path, body }) =>
    postAnswer(await approvePost(deps, auth, path.id, body?.comment)),
  ),
);
