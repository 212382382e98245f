/** PUT /v1/settings (admin): replace the settings; `If-Match` with the ETag read is required. */
import { SettingsBodySchema } from "../../../schemas/api/settings.js";
import { versionFromIfMatch } from "../../platform/etag.js";
import { httpHandler } from "../../platform/http.js";
import { updateSettings } from "../use-cases/update-settings.js";
import { settingsDeps } from "../wiring.js";
import { presentSettings } from "./present.js";

const deps = settingsDeps();

export const handler = httpHandler({ body: SettingsBodySchema }, async ({ auth, body, headers }) => {
  const expectedVersion = versionFromIfMatch(headers["if-match"]);
  const saved = await updateSettings(deps, {
    tenantId: auth.tenantId,
    userId: auth.userId,
    expectedVersion,
    body,
  });
  return presentSettings(saved);
});
