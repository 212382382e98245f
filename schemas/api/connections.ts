/**
 * Connected accounts: OAuth authorization, connections, targets, the token audit trail and
 * Meta's app callbacks. Responses never carry tokens.
 */
import * as z from "../zod.js";

export const ProviderSchema = z.enum(["meta", "linkedin"]);
export const ScopePresetSchema = z.enum(["publish", "publish+insights", "publish+engagement", "all"]);

export const ProviderPathSchema = z.strictObject({ provider: ProviderSchema });
export const ConnectionPathSchema = z.strictObject({
  id: z.string().check(z.regex(/^con_[A-Za-z0-9_-]{1,64}$/)),
});

export const AuthorizeBodySchema = z.strictObject({
  /** What Herald will be allowed to do; defaults to `publish`. */
  scopes: z.optional(ScopePresetSchema),
  /** Where the browser returns after consent; must match the tenant's `oauthReturnUrls`. */
  returnUrl: z.url({ protocol: /^https?$/ }).check(z.maxLength(2048)),
});
export type AuthorizeBody = z.infer<typeof AuthorizeBodySchema>;

export const AuthorizeResponseSchema = z.strictObject({
  /** Send the user's browser here. */
  authorizationUrl: z.url(),
  /** The authorization must complete before this instant (10 minutes). */
  expiresAt: z.iso.datetime(),
  /** The provider scopes requested. */
  scopes: z.array(z.string()),
});

export const OAuthCallbackQuerySchema = z.looseObject({
  code: z.optional(z.string().check(z.maxLength(4096))),
  state: z.optional(z.string().check(z.maxLength(512))),
  error: z.optional(z.string().check(z.maxLength(256))),
  error_reason: z.optional(z.string().check(z.maxLength(256))),
  error_description: z.optional(z.string().check(z.maxLength(2048))),
});

export const ConnectionStatusSchema = z.enum(["ACTIVE", "NEEDS_REAUTH", "REVOKED", "DISCONNECTED"]);
export const ConnectionActionSchema = z.strictObject({ type: z.literal("reconnect"), message: z.string() });

export const ConnectionSchema = z.strictObject({
  id: z.string(),
  provider: ProviderSchema,
  externalAccountId: z.string(),
  displayName: z.optional(z.string()),
  scopes: z.array(z.string()),
  status: ConnectionStatusSchema,
  statusReason: z.optional(z.string()),
  action: z.optional(ConnectionActionSchema),
  accessTokenExpiresAt: z.optional(z.iso.datetime()),
  refreshTokenExpiresAt: z.optional(z.iso.datetime()),
  hasRefreshToken: z.boolean(),
  lastRefreshedAt: z.optional(z.iso.datetime()),
  nextRefreshAt: z.optional(z.iso.datetime()),
  refreshFailures: z.int(),
  connectedBy: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ConnectionResponse = z.infer<typeof ConnectionSchema>;

export const ConnectionListSchema = z.strictObject({ items: z.array(ConnectionSchema) });

export const TargetSchema = z.strictObject({
  tenantId: z.string(),
  id: z.string(),
  connectionId: z.string(),
  platform: z.enum(["facebook", "instagram", "linkedin"]),
  kind: z.enum(["facebook_page", "instagram_account", "linkedin_member", "linkedin_organization"]),
  externalId: z.string(),
  name: z.string(),
  username: z.optional(z.string()),
  pictureUrl: z.optional(z.string()),
  status: z.enum(["ACTIVE", "NEEDS_REAUTH", "DISCONNECTED"]),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export const TargetListSchema = z.strictObject({ items: z.array(TargetSchema) });

export const AuditTypeSchema = z.enum([
  "issued",
  "refreshed",
  "refresh_failed",
  "revoked",
  "disconnected",
  "scopes_changed",
]);

export const TokenAuditQuerySchema = z.strictObject({
  connectionId: z.optional(z.string().check(z.regex(/^con_[A-Za-z0-9_-]{1,64}$/))),
  type: z.optional(AuditTypeSchema),
  from: z.optional(z.iso.datetime()),
  to: z.optional(z.iso.datetime()),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
  limit: z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d{1,3}$/)),
      z.transform((v) => Math.min(100, Math.max(1, Number(v)))),
    ),
  ),
});

export const TokenAuditEventSchema = z.strictObject({
  tenantId: z.string(),
  id: z.string(),
  connectionId: z.string(),
  provider: ProviderSchema,
  type: AuditTypeSchema,
  actor: z.strictObject({ type: z.enum(["user", "system", "provider"]), id: z.string() }),
  outcome: z.enum(["success", "failure"]),
  reason: z.optional(z.string()),
  details: z.optional(z.record(z.string(), z.unknown())),
  at: z.iso.datetime(),
});
export const TokenAuditPageSchema = z.strictObject({
  items: z.array(TokenAuditEventSchema),
  nextCursor: z.optional(z.string()),
});

export const MetaDeauthorizeResponseSchema = z.strictObject({ received: z.literal(true) });
export const MetaDataDeletionResponseSchema = z.strictObject({ url: z.url(), confirmation_code: z.string() });
export const MetaDataDeletionPathSchema = z.strictObject({
  code: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
});
export const MetaDataDeletionStatusSchema = z.strictObject({
  confirmationCode: z.string(),
  status: z.literal("completed"),
  requestedAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
});
