/** The API shape of tenant settings and its ETag. */
import type { SettingsResponse } from "../../../schemas/api/settings.js";
import { etagFor } from "../../platform/etag.js";
import type { TenantSettings } from "../domain/settings.js";

export const presentSettings = (s: TenantSettings) => ({
  statusCode: 200,
  headers: { etag: etagFor(s.version) },
  body: {
    approvalRequired: s.approvalRequired,
    oauthReturnUrls: [...s.oauthReturnUrls],
    defaultTimeZone: s.defaultTimeZone,
    version: s.version,
    ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}),
    ...(s.updatedBy ? { updatedBy: s.updatedBy } : {}),
  } satisfies SettingsResponse,
});
