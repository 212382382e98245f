/** ReturnUrlPolicy: the tenant's `oauthReturnUrls` setting (read through the tenants port) plus the stage's defaults (env). */
import type { ReturnUrlPolicy } from "../use-cases/ports.js";

/** The part of the tenants context's `SettingsReader` port this policy reads. */
export interface ReturnUrlSettings {
  get(tenantId: string): Promise<{ readonly oauthReturnUrls: readonly string[] }>;
}

export function returnUrlPolicy(
  settings: ReturnUrlSettings,
  stageDefaults: readonly string[],
): ReturnUrlPolicy {
  return {
    async allowedPrefixes(tenantId) {
      const current = await settings.get(tenantId);
      return [...current.oauthReturnUrls, ...stageDefaults];
    },
  };
}

/** `HERALD_OAUTH_RETURN_URL_DEFAULTS`: comma-separated prefixes. */
export const parseDefaults = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
