/** GET /v1/settings: the tenant's settings (defaults until first saved), with an ETag. */

import { dynamodb } from "../../platform/aws/dynamodb.js";
import { configFields, loadConfig } from "../../platform/config.js";
import { httpHandler } from "../../platform/http.js";
import { settingsRepository } from "../adapters/settings-repository.js";
import { presentSettings } from "./present.js";

const config = loadConfig({ TABLE_NAME: configFields.required() });
const settings = settingsRepository(dynamodb, config.TABLE_NAME);

export const handler = httpHandler({}, async ({ auth }) =>
  presentSettings(await settings.get(auth.tenantId)),
);
