/** Tenant settings: one document per tenant, versioned for optimistic concurrency. */
export interface TenantSettings {
  readonly tenantId: string;
  /** Posts need an admin's approval before they can be scheduled. */
  readonly approvalRequired: boolean;
  /** URL prefixes an OAuth connect flow may send the browser back to. */
  readonly oauthReturnUrls: readonly string[];
  /** IANA zone used when a request gives no zone. */
  readonly defaultTimeZone: string;
  /** 0 until first saved; +1 on every save. */
  readonly version: number;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/** What a tenant that never saved settings gets. */
export const defaultSettings = (tenantId: string): TenantSettings => ({
  tenantId,
  approvalRequired: false,
  oauthReturnUrls: [],
  defaultTimeZone: "UTC",
  version: 0,
});
