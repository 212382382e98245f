/** POST /v1/posts/{id}/validate: dry run of the guardrails; 200 with `{valid, issues}`. */
import { PostIdPathSchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { validatePost } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";

const { deps } = postsWiring();

export const handler = httpHandler({ path: PostIdPathSchema }, async ({ auth, path }) => ({
  statusCode: 200,
  body: await validatePost(deps, auth, path.id),
}));
