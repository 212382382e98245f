/**
 * Update tenant settings (admin).
 *   handler → updateSettings → SettingsRepository (port; DynamoDB adapter, conditional on version)
 * The caller names the version it read (If-Match); a stale one is refused with 412.
 */
import { staleVersion } from "../../platform/etag.js";
import type { TenantSettings } from "../domain/settings.js";
import { type SettingsRepository, SettingsVersionConflict } from "./ports.js";

export interface UpdateSettingsDeps {
  readonly settings: SettingsRepository;
  readonly now: () => Date;
}

/** The fields a caller sets (the validated `PUT /v1/settings` body). */
export type SettingsChange = Pick<TenantSettings, "approvalRequired" | "oauthReturnUrls" | "defaultTimeZone">;

export async function updateSettings(
  deps: UpdateSettingsDeps,
  input: { tenantId: string; userId: string; expectedVersion: number; body: SettingsChange },
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
