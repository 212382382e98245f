/**
 * The ports of the tenants context. `SettingsReader` is the one other contexts use (the
 * connections return-URL policy, the posts approval rule), wired in their composition roots;
 * `SettingsRepository` adds the versioned save the settings use case needs.
 */
import type { TenantSettings } from "../domain/settings.js";

export type { TenantSettings } from "../domain/settings.js";

export interface SettingsReader {
  /** The tenant's settings; the defaults (version 0) when never saved. */
  get(tenantId: string): Promise<TenantSettings>;
}

export interface SettingsRepository extends SettingsReader {
  /** Save `next` (its version = the version read + 1); throws SettingsVersionConflict when stale. */
  save(next: TenantSettings): Promise<void>;
}

/** The save lost a race: someone saved a newer version first. */
export class SettingsVersionConflict extends Error {
  constructor(readonly current: number) {
    super(`settings are at version ${current}`);
    this.name = "SettingsVersionConflict";
  }
}
