/** POST /v1/posts/{id}/submit: ask for approval (DRAFT or REJECTED → PENDING_APPROVAL). */
import { PostIdPathSchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { idempotent } from "../../platform/idempotency.js";
import { submitPost } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";
import { postAnswer } from "./present.js";

const { deps, idempotency } = postsWiring();

export const handler = httpHandler(
  { path: PostIdPathSchema },
  idempotent(idempotency, async ({ auth, path }) => postAnswer(await submitPost(deps, auth, path.id))),
);
