import type { ProviderModule } from "../core/types.js";
import { API, WWW } from "./api.js";
import { registerControl } from "./control.js";
import { registerIdentity } from "./identity.js";
import { registerMedia } from "./media.js";
import { issuer, registerOAuth } from "./oauth.js";
import { registerPosts } from "./posts.js";
import { liJson, linkedinErrorPresets } from "./responses.js";
import { organizationUrn, personUrn } from "./seed.js";
import { liState } from "./state.js";

export { LINKEDIN_SEED } from "./seed.js";

/**
 * The LinkedIn provider of the sandbox: `https://www.linkedin.com/…` on `/linkedin/www/…`
 * (OAuth, consent page, upload URLs) and `https://api.linkedin.com/…` on `/linkedin/api/…`
 * (`/v2/userinfo`, `/v2/me`, `/rest/…`), plus controls under `/_sandbox/linkedin/…`.
 */
export const linkedinProvider: ProviderModule = {
  name: "linkedin",
  register(router, ctx) {
    registerOAuth(router);
    registerIdentity(router);
    registerMedia(router, ctx);
    registerPosts(router, ctx);
    registerControl(router);
    // Anything else on LinkedIn's hosts: LinkedIn's 404 for an unknown resource.
    router.add("*", /^\/linkedin\/(api|www)\/.*$/, (req) =>
      liJson(req, 404, {
        status: 404,
        serviceErrorCode: 0,
        code: "RESOURCE_NOT_FOUND",
        message: "No virtual resource found",
      }),
    );
  },
  errorPresets: linkedinErrorPresets,
  seed(ctx) {
    const st = liState(ctx);
    return {
      apps: st.apps.map((a) => ({ ...a })),
      members: st.members.map((m) => ({
        ...m,
        urn: personUrn(m.sub),
        name: `${m.givenName} ${m.familyName}`,
        administers: st.acls
          .filter((a) => a.member === m.sub && a.role === "ADMINISTRATOR" && a.state === "APPROVED")
          .map((a) => organizationUrn(a.organization)),
      })),
      organizations: st.organizations.map((o) => ({ ...o, urn: organizationUrn(o.id) })),
      acls: st.acls.map((a) => ({
        ...a,
        organization: organizationUrn(a.organization),
        roleAssignee: personUrn(a.member),
      })),
      endpoints: {
        authorization: `${ctx.baseUrl}${WWW}/oauth/v2/authorization`,
        accessToken: `${ctx.baseUrl}${WWW}/oauth/v2/accessToken`,
        introspectToken: `${ctx.baseUrl}${WWW}/oauth/v2/introspectToken`,
        api: `${ctx.baseUrl}${API}`,
        issuer: issuer(ctx),
      },
    };
  },
};
