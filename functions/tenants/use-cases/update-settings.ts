/**
 * Update tenant settings (admin).
 *   handler → updateSettings → SettingsRepository (DynamoDB, conditional on version)
 * The caller names the version it read (If-Match); a stale one is refused with 412.
 */
import type { SettingsBody } from "../../../schemas/api/settings.js";
import { staleVersion } from "../../platform/etag.js";
import { type SettingsRepository, SettingsVersionConflict } from "../adapters/settings-repository.js";
import type { TenantSettings } from "../domain/settings.js";

export interface UpdateSettingsDeps {
  readonly settings: SettingsRepository;
  readonly now: () => Date;
}

export async function updateSettings(
  deps: UpdateSettingsDeps,
  input: { tenantId: string; userId: string; expectedVersion: number; body: SettingsBody },
): Promise<TenantSettings> {
  const current = await deps.settings.get(input.tenantId);
  if (current.version !== input.expectedVersion) throw staleVersion(current.version);
  const next: TenantSettings = {
    tenantId: input.tenantId,
    approvalRequired: input.body.approvalRequired,
    oauthReturnUrls: [...new Set(input.body.oauthReturnUrls)],
    defaultTimeZone: input.body.defaultTimeZone,
    version: current.version + 1,
    updatedAt: deps.now().toISOString(),
    updatedBy: input.userId,
  };
  try {
    await deps.settings.save(next);
  } catch (error) {
    if (error instanceof SettingsVersionConflict) throw staleVersion(error.current);
    throw error;
  }
  return next;
}
