/** PUT /v1/settings (admin): replace the settings; `If-Match` with the ETag read is required. */
import { SettingsBodySchema } from "../../../schemas/api/settings.js";
import { dynamodb } from "../../platform/aws/dynamodb.js";
import { configFields, loadConfig } from "../../platform/config.js";
import { versionFromIfMatch } from "../../platform/etag.js";
import { httpHandler } from "../../platform/http.js";
import { settingsRepository } from "../adapters/settings-repository.js";
import { updateSettings } from "../use-cases/update-settings.js";
import { presentSettings } from "./present.js";

const config = loadConfig({ TABLE_NAME: configFields.required() });
const deps = { settings: settingsRepository(dynamodb, config.TABLE_NAME), now: () => new Date() };

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
