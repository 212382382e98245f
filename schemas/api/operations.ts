/**
 * The OpenAPI registry: for each operationId named in the function manifest, its summary,
 * request schemas and success response. `npm run docs` joins this with the manifest's
 * routes and auth into docs/openapi.json; `npm test` fails when the checked-in file drifts.
 * Every HTTP route must have an entry here (a test checks).
 */
import type * as z from "../zod.js";
import {
  AuthorizeBodySchema,
  AuthorizeResponseSchema,
  ConnectionListSchema,
  ConnectionPathSchema,
  ConnectionSchema,
  MetaDataDeletionPathSchema,
  MetaDataDeletionResponseSchema,
  MetaDataDeletionStatusSchema,
  MetaDeauthorizeResponseSchema,
  OAuthCallbackQuerySchema,
  ProviderPathSchema,
  TargetListSchema,
  TokenAuditPageSchema,
  TokenAuditQuerySchema,
} from "./connections.js";
import {
  CalendarQuerySchema,
  CalendarResponseSchema,
  DeliveryIdPathSchema,
  DeliveryListResponseSchema,
  DeliveryResponseSchema,
  ListDeliveriesQuerySchema,
  ScheduleResponseSchema,
} from "./deliveries.js";
import {
  CreatePostBodySchema,
  ListPostsQuerySchema,
  PostIdPathSchema,
  PostListResponseSchema,
  PostResponseSchema,
  RejectBodySchema,
  RescheduleBodySchema,
  ReviewBodySchema,
  ScheduleBodySchema,
  UpdatePostBodySchema,
  ValidateResponseSchema,
} from "./posts.js";
import { SettingsBodySchema, SettingsResponseSchema } from "./settings.js";
import { HealthResponseSchema, MeResponseSchema } from "./system.js";

export interface OperationDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly body?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  readonly path?: z.ZodMiniType;
  /** Request headers the operation reads (e.g. `Idempotency-Key`, `If-Match`). */
  readonly headers?: readonly { name: string; required: boolean; description: string }[];
  readonly success: {
    readonly status: number;
    readonly description: string;
    readonly schema?: z.ZodMiniType;
  };
  /** Problem statuses besides the ones every route can give (400/401/403/500 as applicable). */
  readonly problems?: readonly number[];
}

const IDEMPOTENCY_KEY = {
  name: "Idempotency-Key",
  required: false,
  description:
    "Repeat-safe creation: the same key and body replay the first answer for 24 h; a different body answers 422",
};
const IF_MATCH = {
  name: "If-Match",
  required: true,
  description: "The ETag from your last read; 428 without it, 412 when stale",
};

export const OPERATIONS: Record<string, OperationDoc> = {
  getHealth: {
    summary: "Liveness probe",
    tags: ["system"],
    success: { status: 200, description: "Herald answers", schema: HealthResponseSchema },
  },
  getMe: {
    summary: "The caller: tenant, user and roles from the verified token",
    tags: ["system"],
    success: { status: 200, description: "The caller", schema: MeResponseSchema },
  },
  // Tenant settings, posts, approval, scheduling, deliveries (issue 6).
  getSettings: {
    summary: "The tenant's settings (defaults until first saved); ETag = version",
    tags: ["settings"],
    success: { status: 200, description: "Settings", schema: SettingsResponseSchema },
  },
  putSettings: {
    summary: "Replace the tenant's settings",
    tags: ["settings"],
    body: SettingsBodySchema,
    headers: [IF_MATCH],
    success: { status: 200, description: "Saved settings", schema: SettingsResponseSchema },
    problems: [412, 428],
  },
  createPost: {
    summary: "Create a draft post",
    description:
      "Content, per-platform variants and targets. Validation against platform rules runs on /validate and /schedule.",
    tags: ["posts"],
    body: CreatePostBodySchema,
    headers: [IDEMPOTENCY_KEY],
    success: {
      status: 201,
      description: "The draft (ETag and Location headers)",
      schema: PostResponseSchema,
    },
    problems: [409, 422],
  },
  listPosts: {
    summary: "List posts, newest first",
    tags: ["posts"],
    query: ListPostsQuerySchema,
    success: { status: 200, description: "A page of posts", schema: PostListResponseSchema },
  },
  getPost: {
    summary: "A post with its approval history",
    tags: ["posts"],
    path: PostIdPathSchema,
    success: { status: 200, description: "The post (ETag header)", schema: PostResponseSchema },
    problems: [404],
  },
  updatePost: {
    summary: "Edit a post",
    description:
      "Requires If-Match. Editing an approved post sends it back to PENDING_APPROVAL when the tenant requires approval.",
    tags: ["posts"],
    path: PostIdPathSchema,
    body: UpdatePostBodySchema,
    headers: [IF_MATCH],
    success: { status: 200, description: "The edited post", schema: PostResponseSchema },
    problems: [404, 409, 412, 428],
  },
  deletePost: {
    summary: "Delete a post that has nothing scheduled or published",
    tags: ["posts"],
    path: PostIdPathSchema,
    headers: [{ ...IF_MATCH, required: false }],
    success: { status: 204, description: "Deleted" },
    problems: [404, 409, 412],
  },
  validatePost: {
    summary: "Dry run of the per-platform guardrails",
    tags: ["posts"],
    path: PostIdPathSchema,
    success: {
      status: 200,
      description: "Issues per target (errors block scheduling)",
      schema: ValidateResponseSchema,
    },
    problems: [404],
  },
  submitPost: {
    summary: "Submit a post for approval",
    tags: ["approval"],
    path: PostIdPathSchema,
    headers: [IDEMPOTENCY_KEY],
    success: { status: 200, description: "The post, PENDING_APPROVAL", schema: PostResponseSchema },
    problems: [404, 409, 422],
  },
  approvePost: {
    summary: "Approve a post",
    tags: ["approval"],
    path: PostIdPathSchema,
    body: ReviewBodySchema,
    headers: [IDEMPOTENCY_KEY],
    success: { status: 200, description: "The post, APPROVED", schema: PostResponseSchema },
    problems: [404, 409, 422],
  },
  rejectPost: {
    summary: "Reject a post with a comment",
    tags: ["approval"],
    path: PostIdPathSchema,
    body: RejectBodySchema,
    headers: [IDEMPOTENCY_KEY],
    success: { status: 200, description: "The post, REJECTED", schema: PostResponseSchema },
    problems: [404, 409, 422],
  },
  schedulePost: {
    summary: "Schedule a post: one delivery and one EventBridge Scheduler at() schedule per target",
    description:
      "publishAt (ISO-8601 with offset) or localTime + timeZone (IANA). A local time inside a DST gap is moved forward by the gap; one inside an overlap means its first occurrence.",
    tags: ["scheduling"],
    path: PostIdPathSchema,
    body: ScheduleBodySchema,
    headers: [IDEMPOTENCY_KEY],
    success: { status: 201, description: "The deliveries created", schema: ScheduleResponseSchema },
    problems: [404, 409, 422],
  },
  reschedulePost: {
    summary: "Reschedule every delivery of a post that can still move",
    tags: ["scheduling"],
    path: PostIdPathSchema,
    body: RescheduleBodySchema,
    headers: [IDEMPOTENCY_KEY],
    success: { status: 200, description: "The deliveries", schema: ScheduleResponseSchema },
    problems: [404, 409, 422],
  },
  cancelPost: {
    summary:
      "Cancel every delivery of a post that has not started publishing (409 with the deliveries' current status when none could be)",
    tags: ["scheduling"],
    path: PostIdPathSchema,
    headers: [IDEMPOTENCY_KEY],
    success: { status: 200, description: "The deliveries", schema: ScheduleResponseSchema },
    problems: [404, 409, 422],
  },
  listDeliveries: {
    summary: "List deliveries by the time they really go (nextAttemptAt, else publishAt)",
    tags: ["deliveries"],
    query: ListDeliveriesQuerySchema,
    success: { status: 200, description: "A page of deliveries", schema: DeliveryListResponseSchema },
  },
  getDelivery: {
    summary: "A delivery with its attempt ledger, typed lastError and nextAttemptAt",
    tags: ["deliveries"],
    path: DeliveryIdPathSchema,
    success: { status: 200, description: "The delivery", schema: DeliveryResponseSchema },
    problems: [404],
  },
  rescheduleDelivery: {
    summary: "Reschedule one delivery (its version goes up; a stale firing is ignored)",
    tags: ["deliveries"],
    path: DeliveryIdPathSchema,
    body: RescheduleBodySchema,
    headers: [IDEMPOTENCY_KEY],
    success: { status: 200, description: "The delivery", schema: DeliveryResponseSchema },
    problems: [404, 409, 422],
  },
  cancelDelivery: {
    summary: "Cancel one delivery (ends CANCELLED or the publish wins, never both)",
    tags: ["deliveries"],
    path: DeliveryIdPathSchema,
    headers: [IDEMPOTENCY_KEY],
    success: { status: 200, description: "The delivery", schema: DeliveryResponseSchema },
    problems: [404, 409, 422],
  },
  getCalendar: {
    summary: "Deliveries grouped by the local day they really go on, in a time zone",
    tags: ["deliveries"],
    query: CalendarQuerySchema,
    success: { status: 200, description: "Days with their deliveries", schema: CalendarResponseSchema },
  },
  authorizeConnection: {
    summary: "Start connecting a Meta or LinkedIn account",
    description:
      "Returns the provider's consent URL. The OAuth state is single use, expires after 10 minutes and is bound to your tenant, user, provider and return URL; the return URL must match the tenant's `oauthReturnUrls`.",
    tags: ["connections"],
    path: ProviderPathSchema,
    body: AuthorizeBodySchema,
    success: { status: 200, description: "Where to send the browser", schema: AuthorizeResponseSchema },
  },
  oauthCallback: {
    summary: "OAuth redirect target (called by the provider through the browser)",
    description:
      "302 to the return URL with `connectionId` on success, or with `error` and `error_description`; a plain HTML page (400) when the state is missing, unknown or already used.",
    tags: ["connections"],
    path: ProviderPathSchema,
    query: OAuthCallbackQuerySchema,
    success: { status: 302, description: "Back to the return URL" },
  },
  listConnections: {
    summary: "The tenant's connected accounts (never tokens)",
    tags: ["connections"],
    success: { status: 200, description: "Connections", schema: ConnectionListSchema },
  },
  getConnection: {
    summary: "One connected account",
    tags: ["connections"],
    path: ConnectionPathSchema,
    success: { status: 200, description: "The connection", schema: ConnectionSchema },
    problems: [404],
  },
  listConnectionTargets: {
    summary: "Pages, Instagram accounts, LinkedIn member and organisations reachable through a connection",
    tags: ["connections"],
    path: ConnectionPathSchema,
    success: { status: 200, description: "Targets", schema: TargetListSchema },
    problems: [404],
  },
  refreshConnectionTargets: {
    summary: "Ask the provider again which targets the connection reaches",
    tags: ["connections"],
    path: ConnectionPathSchema,
    success: { status: 200, description: "Targets after the refresh", schema: TargetListSchema },
    problems: [404, 409],
  },
  disconnectConnection: {
    summary: "Disconnect: revoke at the provider where possible, erase tokens, disconnect targets",
    tags: ["connections"],
    path: ConnectionPathSchema,
    success: { status: 204, description: "Disconnected" },
    problems: [404],
  },
  listTokenAudit: {
    summary: "Token audit trail: issued, refreshed, refresh_failed, revoked, disconnected, scopes_changed",
    tags: ["connections"],
    query: TokenAuditQuerySchema,
    success: {
      status: 200,
      description: "Newest first; pass nextCursor as cursor",
      schema: TokenAuditPageSchema,
    },
  },
  metaDeauthorize: {
    summary: "Meta deauthorize callback",
    description:
      "Form body `signed_request` (application/x-www-form-urlencoded), HMAC-SHA256 with the Meta app secret (current or previous).",
    tags: ["meta-callbacks"],
    success: { status: 200, description: "Received", schema: MetaDeauthorizeResponseSchema },
  },
  metaDataDeletion: {
    summary: "Meta data-deletion callback",
    description:
      "Form body `signed_request` (application/x-www-form-urlencoded). Erases the user's tokens in every tenant and answers a status URL and confirmation code.",
    tags: ["meta-callbacks"],
    success: {
      status: 200,
      description: "Status URL and confirmation code",
      schema: MetaDataDeletionResponseSchema,
    },
  },
  getMetaDataDeletion: {
    summary: "Status of a Meta data-deletion request",
    tags: ["meta-callbacks"],
    path: MetaDataDeletionPathSchema,
    success: { status: 200, description: "The request's status", schema: MetaDataDeletionStatusSchema },
    problems: [404],
  },
};
