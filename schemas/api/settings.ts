/** Tenant settings: approval policy, OAuth return-URL allow-list, default time zone. */
import * as z from "../zod.js";

/** An IANA zone name the runtime knows (`Europe/London`, `UTC`). */
export const TimeZoneSchema = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: "Unknown IANA time zone; use a name such as Europe/London or America/New_York." },
  ),
);

/** An OAuth return URL prefix: https, or http on a loopback host for local development. */
export const ReturnUrlPrefixSchema = z.url().check(
  z.maxLength(2048),
  z.refine(
    (u) => {
      try {
        const url = new URL(u);
        if (url.protocol === "https:") return true;
        return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
      } catch {
        return false;
      }
    },
    { message: "Use an https URL (http only for localhost)." },
  ),
);

export const SettingsBodySchema = z.strictObject({
  /** Posts must be approved by an admin before they can be scheduled. */
  approvalRequired: z.boolean(),
  /** Prefixes a connect flow may return the browser to after OAuth. */
  oauthReturnUrls: z.array(ReturnUrlPrefixSchema).check(z.maxLength(20)),
  /** Zone used when a request gives a local time without one. */
  defaultTimeZone: TimeZoneSchema,
});
export type SettingsBody = z.infer<typeof SettingsBodySchema>;

export const SettingsResponseSchema = z.strictObject({
  approvalRequired: z.boolean(),
  oauthReturnUrls: z.array(z.string()),
  defaultTimeZone: z.string(),
  /** 0 until the settings are first saved. */
  version: z.number(),
  updatedAt: z.optional(z.string()),
  updatedBy: z.optional(z.string()),
});
export type SettingsResponse = z.infer<typeof SettingsResponseSchema>;
