import { SANDBOX_APPS } from "../core/apps.js";
import type { ProviderModule } from "../core/types.js";
import { registerMetaControl } from "./control.js";
import { META_ERROR_PRESETS } from "./errors.js";
import { registerInstagram } from "./instagram.js";
import { registerOAuth } from "./oauth.js";
import { registerObjects } from "./objects.js";
import { registerPages } from "./pages.js";
import { registerRupload } from "./rupload.js";
import { META_SEED } from "./seed.js";

/**
 * The Meta provider: Facebook Login dialog and tokens on `/meta/www` and `/meta/graph`, Page
 * publishing, Instagram content publishing, the Graph error envelope and usage headers.
 */
export const metaProvider: ProviderModule = {
  name: "meta",
  errorPresets: META_ERROR_PRESETS,
  register(router) {
    registerMetaControl(router);
    registerOAuth(router);
    registerPages(router);
    registerInstagram(router);
    registerRupload(router);
    // Last: the by-id routes and the unknown-path catch-all.
    registerObjects(router);
  },
  seed: () => ({
    app: SANDBOX_APPS.meta,
    apps: META_SEED.apps,
    users: META_SEED.users,
  }),
};
