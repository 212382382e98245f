/** DELETE /v1/posts/{id}: only while nothing is scheduled or published (else 409). */
import { PostIdPathSchema } from "../../../schemas/api/posts.js";
import { versionFromIfMatch } from "../../platform/etag.js";
import { httpHandler } from "../../platform/http.js";
import { deletePost } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";

const { deps } = postsWiring();

export const handler = httpHandler({ path: PostIdPathSchema }, async ({ auth, path, headers }) => {
  const ifMatch = headers["if-match"];
  await deletePost(deps, auth, path.id, ifMatch === undefined ? undefined : versionFromIfMatch(ifMatch));
  return { statusCode: 204 };
});
