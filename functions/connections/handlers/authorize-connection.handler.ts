/** POST /v1/connections/{provider}/authorize (admin): start connecting an account. */
import { AuthorizeBodySchema, ProviderPathSchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { startAuthorization } from "../use-cases/authorize.js";
import { clock, providerDeps, publicApiUrl, returnUrlDeps, tableDeps } from "../wiring.js";

const deps = {
  providers: providerDeps(),
  states: tableDeps().states,
  returnUrls: returnUrlDeps(),
  clock,
  publicApiUrl: publicApiUrl(),
};

export const handler = httpHandler(
  { body: AuthorizeBodySchema, path: ProviderPathSchema },
  async ({ body, path, auth }) => {
    const out = await startAuthorization(deps, {
      auth,
      provider: path.provider,
      preset: body.scopes ?? "publish",
      returnUrl: body.returnUrl,
    });
    return { statusCode: 200, body: out, headers: { "cache-control": "no-store" } };
  },
);
