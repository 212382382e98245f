/** GET /v1/posts: newest first; filters status, targetId, from/to (created); opaque cursor. */
import { ListPostsQuerySchema } from "../../../schemas/api/posts.js";
import { httpHandler } from "../../platform/http.js";
import { listPosts } from "../use-cases/posts.js";
import { postsWiring } from "../wiring.js";
import { presentPost } from "./present.js";

const { deps } = postsWiring();

export const handler = httpHandler({ query: ListPostsQuerySchema }, async ({ auth, query }) => {
  const page = await listPosts(deps, auth, { ...query, limit: query.limit ?? 25 });
  return {
    statusCode: 200,
    body: { items: page.items.map(presentPost), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) },
  };
});
