/** GET /v1/posts/{id}: the post with its history; ETag = its version. */
import { PostIdPathSchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { loadPost } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";
import { postAnswer } from "./present.js";

const { deps } = postsWiring();

export const handler = httpHandler({ path: PostIdPathSchema }, async ({ auth, path }) =>
  postAnswer(await loadPost(deps, auth, path.id)),
);
