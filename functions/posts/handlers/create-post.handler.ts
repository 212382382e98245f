/** POST /v1/posts (editor or admin): store a draft. Idempotency-Key supported. */
import { CreatePostBodySchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { createPost } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";
import { postAnswer } from "./present.js";

const { deps, idempotency } = postsWiring();

export const handler = httpHandler(
  { body: CreatePostBodySchema },
  idempotent(idempotency, async ({ auth, body }) => {
    const post = await createPost(deps, auth, body);
    const answer = postAnswer(post, 201);
    return { ...answer, headers: { ...answer.headers, location: `/v1/posts/${post.id}` } };
  }),
);
