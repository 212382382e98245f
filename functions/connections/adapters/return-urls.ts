/** ReturnUrlPolicy: the tenant's `oauthReturnUrls` setting plus the stage's defaults (env). */
import type { ReturnUrlPolicy } from "../use-cases/ports.js";

export function returnUrlPolicy(
  getSettings: (tenantId: string) => Promise<{ oauthReturnUrls: readonly string[] }>,
  stageDefaults: readonly string[],
): ReturnUrlPolicy {
  return {
    async allowedPrefixes(tenantId) {
      const settings = await getSettings(tenantId);
      return [...settings.oauthReturnUrls, ...stageDefaults];
    },
  };
}

/** `HERALD_OAUTH_RETURN_URL_DEFAULTS`: comma-separated prefixes. */
export const parseDefaults = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
