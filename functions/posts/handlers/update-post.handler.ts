/** PATCH /v1/posts/{id}: edit; `If-Match` required (428 without, 412 when stale). */
import { PostIdPathSchema, UpdatePostBodySchema } from "../../../schemas/api/posts.js";
import { versionFromIfMatch } from "../../platform/etag.js";
import { httpHandler } from "../../platform/http.js";
import { updatePost } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";
import { postAnswer } from "./present.js";

const { deps } = postsWiring();

export const handler = httpHandler(
  { path: PostIdPathSchema, body: UpdatePostBodySchema },
  async ({ auth, path, body, headers }) => {
    const expected = versionFromIfMatch(headers["if-match"]);
    return postAnswer(await updatePost(deps, auth, path.id, expected, body));
  },
);
