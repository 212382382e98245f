/**
 * The tenants context's composition root: reads its configuration once (cold start, through
 * `loadConfig`) and builds the settings repository from the shared DynamoDB client. Other
 * contexts that read settings take `settingsReader()` from here (as a `SettingsReader` port).
 */
import { dynamodb } from "../platform/aws/dynamodb.js";
import { configFields, loadConfig } from "../platform/config.js";
import { settingsRepository } from "./adapters/settings-repository.js";
import type { SettingsReader, SettingsRepository } from "./use-cases/ports.js";

/** The versioned settings store (`TABLE_NAME`). */
export function settingsStore(): SettingsRepository {
  const { TABLE_NAME } = loadConfig({ TABLE_NAME: configFields.required() });
  return settingsRepository(dynamodb, TABLE_NAME);
}

/** Read-only settings for other contexts. */
export const settingsReader = (): SettingsReader => settingsStore();

/** What the settings handlers need. */
export function settingsDeps() {
  return { settings: settingsStore(), now: () => new Date() };
}
