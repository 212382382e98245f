import type { SandboxConfig } from "./types.js";

/**
 * Defaults for the facts the providers change or the references disagree on. Each one is
 * overridable at start (`startSandbox({ config })`) and at run time (`PUT /_sandbox/config`).
 */
export function defaultSandboxConfig(): SandboxConfig {
  return {
    meta: {
      igPublishQuota: 100,
      igImageProcessingMs: 2_000,
      igVideoProcessingMs: 30_000,
      fbVideoProcessingMs: 10_000,
      appCallBudgetPerHour: 2_000,
      bucCallBudgetPerHour: 2_000,
      enforceUsageLimits: false,
      scheduledPublishMaxDays: 30,
      scheduledPublishMinMinutes: 10,
      igContainerLifetimeMs: 24 * 3_600_000,
      igImageMaxBytes: 8 * 1024 * 1024,
      fbPhotoMaxBytes: 4 * 1024 * 1024,
      duplicateWindowMinutes: 60,
      codeLifetimeSeconds: 600,
      shortLivedTokenSeconds: 2 * 3_600,
      longLivedTokenSeconds: 5_183_944,
      defaultPageLimit: 25,
      codeExchangeLongLived: false,
      shortLivedPageTokenSeconds: 3_600,
    },
    linkedin: {
      activeVersions: [
        "202510",
        "202511",
        "202512",
        "202601",
        "202602",
        "202603",
        "202604",
        "202605",
        "202606",
        "202607",
        "202608",
        "202609",
      ],
      partnerRefreshTokens: false,
      memberDailyPostLimit: 150,
      applicationDailyLimit: 100_000,
      duplicateWindowMinutes: 60,
      mediaProcessingMs: 2_000,
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Merge `patch` into `target` in place (arrays and scalars replace). Unknown keys are refused
 * so a misspelt override fails loudly instead of doing nothing.
 */
export function deepMergeInto(target: Record<string, unknown>, patch: unknown, path = "config"): void {
  if (!isPlainObject(patch)) throw new Error(`${path} must be an object`);
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in target)) throw new Error(`unknown setting ${path}.${key}`);
    const current = target[key];
    if (isPlainObject(current)) {
      deepMergeInto(current, value, `${path}.${key}`);
    } else {
      if (typeof current !== typeof value || Array.isArray(current) !== Array.isArray(value)) {
        throw new Error(
          `${path}.${key} must be ${Array.isArray(current) ? "an array" : `a ${typeof current}`}`,
        );
      }
      target[key] = value;
    }
  }
}

/** Replace every value of `target` with `source`'s, keeping object identity (modules hold it). */
export function restoreInto(target: SandboxConfig, source: SandboxConfig): void {
  Object.assign(target.meta, structuredClone(source.meta));
  Object.assign(target.linkedin, structuredClone(source.linkedin));
}
