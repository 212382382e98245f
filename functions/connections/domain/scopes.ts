/**
 * Scope presets a client asks for instead of raw provider scopes. Each provider's list is
 * what Herald needs for the feature set; names are from the providers' docs
 * (docs/connections.md explains each).
 */
import type { Provider } from "./connection.js";

export const SCOPE_PRESETS = ["publish", "publish+insights", "publish+engagement", "all"] as const;
export type ScopePreset = (typeof SCOPE_PRESETS)[number];

const META_PUBLISH = [
  "pages_show_list",
  "pages_read_engagement",
  "pages_manage_posts",
  "business_management",
  "instagram_basic",
  "instagram_content_publish",
];
const META_INSIGHTS = ["read_insights", "instagram_manage_insights"];
const META_ENGAGEMENT = [
  "pages_manage_engagement",
  "pages_read_user_content",
  "pages_manage_metadata",
  "pages_messaging",
  "instagram_manage_comments",
  "instagram_manage_messages",
];

const LINKEDIN_PUBLISH = [
  "openid",
  "profile",
  "w_member_social",
  "w_organization_social",
  "r_organization_admin",
];
const LINKEDIN_INSIGHTS = ["r_organization_social", "rw_organization_admin", "r_member_postAnalytics"];
const LINKEDIN_ENGAGEMENT = ["r_organization_social", "rw_organization_admin"];

const uniq = (xs: string[]) => [...new Set(xs)];

export function scopesFor(provider: Provider, preset: ScopePreset): string[] {
  const [publish, insights, engagement] =
    provider === "meta"
      ? [META_PUBLISH, META_INSIGHTS, META_ENGAGEMENT]
      : [LINKEDIN_PUBLISH, LINKEDIN_INSIGHTS, LINKEDIN_ENGAGEMENT];
  switch (preset) {
    case "publish":
      return [...publish];
    case "publish+insights":
      return uniq([...publish, ...insights]);
    case "publish+engagement":
      return uniq([...publish, ...engagement]);
    case "all":
      return uniq([...publish, ...insights, ...engagement]);
  }
}

/** Scopes added and removed between two grants (for `scopes_changed` audit entries). */
export function scopeDiff(before: readonly string[], after: readonly string[]) {
  const b = new Set(before);
  const a = new Set(after);
  return { added: after.filter((s) => !b.has(s)), removed: before.filter((s) => !a.has(s)) };
}
