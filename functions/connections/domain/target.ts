/**
 * A Target is one place Herald can publish to, reachable through a Connection: a Facebook
 * Page, an Instagram professional account, a LinkedIn member or a LinkedIn organisation.
 * Posts name targets by id; the publishing engine resolves a target to its token.
 *
 * Stored as PK `TENANT#<t>#TARGET#<id>`, SK `TARGET`; listed through GSI1:
 * GSI1PK `TENANT#<t>#TARGETS`, GSI1SK `CONNECTION#<connectionId>#TARGET#<id>` (all of a
 * tenant's targets, or one connection's with `begins_with`).
 */
export const PLATFORMS = ["facebook", "instagram", "linkedin"] as const;
export type Platform = (typeof PLATFORMS)[number];
export const TARGET_KINDS = [
  "facebook_page",
  "instagram_account",
  "linkedin_member",
  "linkedin_organization",
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const TARGET_STATUSES = ["ACTIVE", "NEEDS_REAUTH", "DISCONNECTED"] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

export interface Target {
  readonly tenantId: string;
  /** Herald's id: `tgt_…`. */
  readonly id: string;
  readonly connectionId: string;
  readonly platform: Platform;
  readonly kind: TargetKind;
  /** The provider's id: page id, IG user id, `urn:li:person:…`, `urn:li:organization:…`. */
  readonly externalId: string;
  readonly name: string;
  readonly username?: string;
  readonly pictureUrl?: string;
  readonly status: TargetStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Read port used by other contexts (posts, publishing) to resolve target ids. */
export interface TargetLookup {
  /** The tenant's target, or undefined for a missing or foreign id. */
  getTarget(tenantId: string, targetId: string): Promise<Target | undefined>;
}

/** A target as other contexts and the API see it: the stored target without its sealed token. */
export const toTargetView = (t: Target): Target => ({
  tenantId: t.tenantId,
  id: t.id,
  connectionId: t.connectionId,
  platform: t.platform,
  kind: t.kind,
  externalId: t.externalId,
  name: t.name,
  username: t.username,
  pictureUrl: t.pictureUrl,
  status: t.status,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});
