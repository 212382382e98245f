/** GET /v1/settings: the tenant's settings (defaults until first saved), with an ETag. */
import { httpHandler } from "../../platform/http.js";
import { settingsReader } from "../wiring.js";
import { presentSettings } from "./present.js";

const settings = settingsReader();

export const handler = httpHandler({}, async ({ auth }) =>
  presentSettings(await settings.get(auth.tenantId)),
);
