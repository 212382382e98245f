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

/** Does `url` start with one of the allowed prefixes (compared as parsed URLs, not raw strings)? */
export function isAllowedReturnUrl(settings: Pick<TenantSettings, "oauthReturnUrls">, url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  return settings.oauthReturnUrls.some((prefix) => {
    const p = new URL(prefix);
    if (p.origin !== target.origin) return false;
    const base = p.pathname.endsWith("/") ? p.pathname : `${p.pathname}/`;
    return target.pathname === p.pathname || target.pathname.startsWith(base) || p.pathname === "/";
  });
}
