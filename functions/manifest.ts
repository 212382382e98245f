/**
 * The function manifest: every Lambda of Herald, listed once. The CDK stateless stack
 * (lib/) and the local stack (local/) both build from this list, so a route, a queue
 * consumer, a cron or a binding cannot exist in one and not the other. The OpenAPI
 * document (docs/openapi.json) is generated from the HTTP routes here.
 *
 * This module is pure data: it imports no handler code (only the event contracts of events/,
 * for the event triggers), so lib/ may import it.
 */
import { EVENT_IDS } from "../events/catalog.js";
import { PUBLISH_WORKER, type QueueId, type SecretId } from "../schemas/resources.js";

export type Role = "admin" | "editor";
export const ROLES: readonly Role[] = ["admin", "editor"];

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Who may call a route: nobody needs a token (`public`) or a verified token with one of the roles. */
export type RouteAuth = { readonly public: true } | { readonly roles: readonly Role[] };

export interface HttpRoute {
  readonly type: "http";
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/v1/posts/{id}`. */
  readonly path: string;
  readonly auth: RouteAuth;
  /** Key into the OpenAPI operation registry (schemas/api/operations.ts). */
  readonly operationId: string;
}

export interface QueueTrigger {
  readonly type: "queue";
  readonly queue: QueueId;
  readonly batchSize: number;
  /** Caps concurrent batches (ESM MaximumConcurrency, 2–1000). */
  readonly maxConcurrency: number;
}

export interface ScheduleTrigger {
  readonly type: "schedule";
  /** EventBridge Scheduler expression: `rate(15 minutes)` or `cron(…)`. */
  readonly expression: string;
}

/** A Cognito user pool trigger (the stateless stack attaches it to the stage's user pool). */
export interface CognitoTrigger {
  readonly type: "cognito";
  /** Pre token generation V2_0: adds claims (the tenant) to the access and ID tokens. */
  readonly trigger: "preTokenGeneration";
}

/**
 * Domain events from the stage's EventBridge bus: one rule whose pattern is derived from the
 * event contracts (`events/`), so a source or name is never typed twice. Build it with
 * `onEvents(...)`.
 */
export interface EventTrigger {
  readonly type: "event";
  /** EventBridge `Source`: the publishing context of the contracts. */
  readonly source: string;
  /** EventBridge `DetailType`s: the contracts' event names. */
  readonly detailTypes: readonly string[];
  /**
   * The envelope version the consumer reads (`detail.metadata.version`). A v2 published
   * alongside v1 during a migration never reaches a v1 consumer.
   */
  readonly version: number;
}

/** What an event trigger needs of an event contract (`events/contract.ts`). */
export interface EventContractRef {
  readonly name: string;
  readonly source: string;
  readonly version: number;
}

/** An event trigger for contracts of one source and one version (anything else is a mistake here). */
export function onEvents(...contracts: readonly EventContractRef[]): EventTrigger {
  const [first] = contracts;
  if (!first) throw new Error("onEvents needs at least one event contract");
  for (const c of contracts) {
    if (c.source !== first.source || c.version !== first.version) {
      throw new Error(
        `onEvents: ${c.name} v${c.version} (${c.source}) differs from ${first.name} v${first.version} (${first.source}); use one trigger each`,
      );
    }
  }
  return {
    type: "event",
    source: first.source,
    detailTypes: contracts.map((c) => c.name),
    version: first.version,
  };
}

/** The EventBridge event pattern of an event trigger (the CDK rule and the local rule use it). */
export const eventPattern = (t: EventTrigger) => ({
  source: [t.source],
  "detail-type": [...t.detailTypes],
  detail: { metadata: { version: [t.version] } },
});

/**
 * How an event reaches a consumer, in AWS and locally. EventBridge hands the event to Lambda
 * (an asynchronous invoke) and retries a failed hand-over up to `busRetryAttempts` times;
 * Lambda runs the handler and retries a thrown error `functionRetryAttempts` times. Either
 * way an event that still fails, or is older than `maxEventAgeSeconds`, goes to the stage's
 * events dead-letter queue.
 */
export const EVENT_DELIVERY = {
  busRetryAttempts: 20,
  functionRetryAttempts: 2,
  maxEventAgeSeconds: 6 * 60 * 60,
} as const;

export type Trigger = HttpRoute | QueueTrigger | ScheduleTrigger | CognitoTrigger | EventTrigger;

/** What a function may touch. Each binding sets its env vars and its IAM grant together. */
export interface Bindings {
  readonly table?: "read" | "readWrite";
  /** Queues the function sends to. */
  readonly sendTo?: readonly QueueId[];
  /** Put events on the stage's bus. */
  readonly bus?: boolean;
  /** Create/update/delete schedules in the stage's group (and pass the scheduler role). */
  readonly scheduler?: boolean;
  readonly secrets?: readonly SecretId[];
  /** Seal and open provider tokens: GenerateDataKey/Decrypt on the stage's token key (`TOKEN_KEY_ID`). */
  readonly tokenVault?: boolean;
  /** Calls Meta / LinkedIn (provider base URLs are set). */
  readonly providers?: boolean;
}

export interface FunctionSpec {
  /** kebab-case, unique; the Lambda's logical name. */
  readonly name: string;
  readonly description: string;
  /** Path from the repository root to the entry file exporting `handler`. */
  readonly entry: string;
  readonly triggers: readonly Trigger[];
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly bindings: Bindings;
}

const http = (method: HttpMethod, path: string, auth: RouteAuth, operationId: string): HttpRoute => ({
  type: "http",
  method,
  path,
  auth,
  operationId,
});

const PUBLIC: RouteAuth = { public: true };
const ANY_MEMBER: RouteAuth = { roles: ["admin", "editor"] };
const ADMIN_ONLY: RouteAuth = { roles: ["admin"] };

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: "health",
    description: "Liveness probe",
    entry: "functions/system/handlers/health.handler.ts",
    triggers: [http("GET", "/health", PUBLIC, "getHealth")],
    memoryMb: 256,
    timeoutSeconds: 5,
    bindings: {},
  },
  {
    name: "me",
    description: "Who am I: tenant, user and roles from the verified token",
    entry: "functions/system/handlers/me.handler.ts",
    triggers: [http("GET", "/v1/me", ANY_MEMBER, "getMe")],
    memoryMb: 256,
    timeoutSeconds: 5,
    bindings: {},
  },
  {
    name: "pre-token-generation",
    description: "Cognito pre token generation: puts the user's tenant into the access token",
    entry: "functions/identity/handlers/pre-token-generation.handler.ts",
    triggers: [{ type: "cognito", trigger: "preTokenGeneration" }],
    memoryMb: 256,
    timeoutSeconds: 5,
    bindings: {},
  },
  // Tenant settings, posts, approval, scheduling, deliveries (issue 6).
  {
    name: "get-settings",
    description: "Read the tenant's settings",
    entry: "functions/tenants/handlers/get-settings.handler.ts",
    triggers: [http("GET", "/v1/settings", ANY_MEMBER, "getSettings")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "put-settings",
    description: "Replace the tenant's settings (optimistic concurrency)",
    entry: "functions/tenants/handlers/put-settings.handler.ts",
    triggers: [http("PUT", "/v1/settings", ADMIN_ONLY, "putSettings")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite" },
  },
  {
    name: "create-post",
    description: "Create a draft post",
    entry: "functions/posts/handlers/create-post.handler.ts",
    triggers: [http("POST", "/v1/posts", ANY_MEMBER, "createPost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite" },
  },
  {
    name: "list-posts",
    description: "List posts (filters, cursor)",
    entry: "functions/posts/handlers/list-posts.handler.ts",
    triggers: [http("GET", "/v1/posts", ANY_MEMBER, "listPosts")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "get-post",
    description: "Read a post with its history",
    entry: "functions/posts/handlers/get-post.handler.ts",
    triggers: [http("GET", "/v1/posts/{id}", ANY_MEMBER, "getPost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "update-post",
    description: "Edit a post (If-Match)",
    entry: "functions/posts/handlers/update-post.handler.ts",
    triggers: [http("PATCH", "/v1/posts/{id}", ANY_MEMBER, "updatePost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite" },
  },
  {
    name: "delete-post",
    description: "Delete an unscheduled post",
    entry: "functions/posts/handlers/delete-post.handler.ts",
    triggers: [http("DELETE", "/v1/posts/{id}", ANY_MEMBER, "deletePost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite" },
  },
  {
    name: "validate-post",
    description: "Dry-run the per-platform guardrails (fetches media heads)",
    entry: "functions/posts/handlers/validate-post.handler.ts",
    triggers: [http("POST", "/v1/posts/{id}/validate", ANY_MEMBER, "validatePost")],
    memoryMb: 256,
    timeoutSeconds: 15,
    bindings: { table: "read" },
  },
  {
    name: "submit-post",
    description: "Submit a post for approval",
    entry: "functions/posts/handlers/submit-post.handler.ts",
    triggers: [http("POST", "/v1/posts/{id}/submit", ANY_MEMBER, "submitPost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite" },
  },
  {
    name: "approve-post",
    description: "Approve a post",
    entry: "functions/posts/handlers/approve-post.handler.ts",
    triggers: [http("POST", "/v1/posts/{id}/approve", ADMIN_ONLY, "approvePost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite" },
  },
  {
    name: "reject-post",
    description: "Reject a post with a comment",
    entry: "functions/posts/handlers/reject-post.handler.ts",
    triggers: [http("POST", "/v1/posts/{id}/reject", ADMIN_ONLY, "rejectPost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite" },
  },
  {
    name: "schedule-post",
    description: "Schedule a post: deliveries + one at() schedule each",
    entry: "functions/posts/handlers/schedule-post.handler.ts",
    triggers: [http("POST", "/v1/posts/{id}/schedule", ADMIN_ONLY, "schedulePost")],
    memoryMb: 256,
    timeoutSeconds: 15,
    bindings: { table: "readWrite", scheduler: true },
  },
  {
    name: "reschedule-post",
    description: "Reschedule all deliveries of a post",
    entry: "functions/posts/handlers/reschedule-post.handler.ts",
    triggers: [http("POST", "/v1/posts/{id}/reschedule", ADMIN_ONLY, "reschedulePost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite", scheduler: true },
  },
  {
    name: "cancel-post",
    description: "Cancel all deliveries of a post",
    entry: "functions/posts/handlers/cancel-post.handler.ts",
    triggers: [http("POST", "/v1/posts/{id}/cancel", ADMIN_ONLY, "cancelPost")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite", scheduler: true },
  },
  {
    name: "list-deliveries",
    description: "List deliveries by publish time",
    entry: "functions/posts/handlers/list-deliveries.handler.ts",
    triggers: [http("GET", "/v1/deliveries", ANY_MEMBER, "listDeliveries")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "get-delivery",
    description: "Read a delivery with its ledger",
    entry: "functions/posts/handlers/get-delivery.handler.ts",
    triggers: [http("GET", "/v1/deliveries/{id}", ANY_MEMBER, "getDelivery")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "reschedule-delivery",
    description: "Reschedule one delivery",
    entry: "functions/posts/handlers/reschedule-delivery.handler.ts",
    triggers: [http("POST", "/v1/deliveries/{id}/reschedule", ADMIN_ONLY, "rescheduleDelivery")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite", scheduler: true },
  },
  {
    name: "cancel-delivery",
    description: "Cancel one delivery",
    entry: "functions/posts/handlers/cancel-delivery.handler.ts",
    triggers: [http("POST", "/v1/deliveries/{id}/cancel", ADMIN_ONLY, "cancelDelivery")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite", scheduler: true },
  },
  {
    name: "get-calendar",
    description: "Deliveries grouped by local day",
    entry: "functions/posts/handlers/get-calendar.handler.ts",
    triggers: [http("GET", "/v1/calendar", ANY_MEMBER, "getCalendar")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  // Connected accounts: OAuth, targets, token vault, refresh cron, audit (issue 5).
  {
    name: "authorize-connection",
    description: "Start connecting a Meta or LinkedIn account (OAuth authorization URL)",
    entry: "functions/connections/handlers/authorize-connection.handler.ts",
    triggers: [http("POST", "/v1/connections/{provider}/authorize", ADMIN_ONLY, "authorizeConnection")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "readWrite", secrets: ["appCredentials"], providers: true },
  },
  {
    name: "oauth-callback",
    description: "OAuth callback: exchange the code, store the connection and its targets",
    entry: "functions/connections/handlers/oauth-callback.handler.ts",
    triggers: [http("GET", "/v1/oauth/{provider}/callback", PUBLIC, "oauthCallback")],
    memoryMb: 512,
    timeoutSeconds: 29,
    bindings: {
      table: "readWrite",
      secrets: ["appCredentials"],
      tokenVault: true,
      providers: true,
      bus: true,
    },
  },
  {
    name: "list-connections",
    description: "List the tenant's connections",
    entry: "functions/connections/handlers/list-connections.handler.ts",
    triggers: [http("GET", "/v1/connections", ANY_MEMBER, "listConnections")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "get-connection",
    description: "Read one connection",
    entry: "functions/connections/handlers/get-connection.handler.ts",
    triggers: [http("GET", "/v1/connections/{id}", ANY_MEMBER, "getConnection")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "list-connection-targets",
    description: "List a connection's targets",
    entry: "functions/connections/handlers/list-connection-targets.handler.ts",
    triggers: [http("GET", "/v1/connections/{id}/targets", ANY_MEMBER, "listConnectionTargets")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "refresh-connection-targets",
    description: "Re-read a connection's targets from the provider",
    entry: "functions/connections/handlers/refresh-connection-targets.handler.ts",
    triggers: [http("POST", "/v1/connections/{id}/targets/refresh", ADMIN_ONLY, "refreshConnectionTargets")],
    memoryMb: 256,
    timeoutSeconds: 29,
    bindings: {
      table: "readWrite",
      secrets: ["appCredentials"],
      tokenVault: true,
      providers: true,
      bus: true,
    },
  },
  {
    name: "disconnect-connection",
    description: "Disconnect: revoke at the provider, erase tokens, disconnect targets",
    entry: "functions/connections/handlers/disconnect-connection.handler.ts",
    triggers: [http("DELETE", "/v1/connections/{id}", ADMIN_ONLY, "disconnectConnection")],
    memoryMb: 256,
    timeoutSeconds: 29,
    bindings: {
      table: "readWrite",
      secrets: ["appCredentials"],
      tokenVault: true,
      providers: true,
      bus: true,
    },
  },
  {
    name: "refresh-tokens",
    description: "Cron: renew provider tokens nearing expiry; flag revoked grants",
    entry: "functions/connections/handlers/refresh-tokens.handler.ts",
    triggers: [{ type: "schedule", expression: "rate(1 hour)" }],
    memoryMb: 512,
    timeoutSeconds: 300,
    bindings: {
      table: "readWrite",
      secrets: ["appCredentials"],
      tokenVault: true,
      providers: true,
      bus: true,
    },
  },
  {
    name: "list-token-audit",
    description: "Token audit trail (admin)",
    entry: "functions/connections/handlers/list-token-audit.handler.ts",
    triggers: [http("GET", "/v1/tokens/audit", ADMIN_ONLY, "listTokenAudit")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  {
    name: "meta-deauthorize",
    description: "Meta deauthorize callback (signed_request)",
    entry: "functions/connections/handlers/meta-deauthorize.handler.ts",
    triggers: [http("POST", "/v1/meta/deauthorize", PUBLIC, "metaDeauthorize")],
    memoryMb: 256,
    timeoutSeconds: 15,
    bindings: { table: "readWrite", secrets: ["appCredentials"], bus: true },
  },
  {
    name: "meta-data-deletion",
    description: "Meta data-deletion callback (signed_request): erase and answer a status URL",
    entry: "functions/connections/handlers/meta-data-deletion.handler.ts",
    triggers: [http("POST", "/v1/meta/data-deletion", PUBLIC, "metaDataDeletion")],
    memoryMb: 256,
    timeoutSeconds: 15,
    bindings: { table: "readWrite", secrets: ["appCredentials"], bus: true, providers: true },
  },
  {
    name: "meta-data-deletion-status",
    description: "Status of a Meta data-deletion request",
    entry: "functions/connections/handlers/meta-data-deletion-status.handler.ts",
    triggers: [http("GET", "/v1/meta/data-deletion/{code}", PUBLIC, "getMetaDataDeletion")],
    memoryMb: 256,
    timeoutSeconds: 10,
    bindings: { table: "read" },
  },
  // Publishing engine (issue 7).
  {
    name: "publish",
    description: "Publish worker: claims due deliveries and publishes them to Meta / LinkedIn",
    entry: "functions/publishing/handlers/publish.handler.ts",
    triggers: [{ type: "queue", queue: "publish", batchSize: 10, maxConcurrency: 5 }],
    memoryMb: 512,
    // The lease and the publish queue's visibility derive from it (schemas/resources.ts).
    timeoutSeconds: PUBLISH_WORKER.timeoutSeconds,
    bindings: {
      table: "readWrite",
      sendTo: ["publish"],
      bus: true,
      scheduler: true,
      secrets: ["appCredentials"],
      tokenVault: true,
      providers: true,
    },
  },
  // Domain-event consumers (EventBridge rules on the stage bus).
  {
    name: "on-connection-disconnected",
    description: "ConnectionDisconnected v1: block the scheduled deliveries of the connection's targets",
    entry: "functions/posts/handlers/on-connection-disconnected.handler.ts",
    triggers: [onEvents(EVENT_IDS.ConnectionDisconnectedV1)],
    memoryMb: 256,
    timeoutSeconds: 60,
    bindings: { table: "readWrite" },
  },
  {
    name: "on-connection-restored",
    description:
      "ConnectionRestored v1: put the blocked deliveries of the connection's targets back on schedule",
    entry: "functions/posts/handlers/on-connection-restored.handler.ts",
    triggers: [onEvents(EVENT_IDS.ConnectionRestoredV1)],
    memoryMb: 256,
    timeoutSeconds: 60,
    // Unblocking writes each delivery's at() schedule again.
    bindings: { table: "readWrite", scheduler: true },
  },
];

export const httpRoutes = (fns: readonly FunctionSpec[] = FUNCTIONS) =>
  fns.flatMap((fn) =>
    fn.triggers.filter((t): t is HttpRoute => t.type === "http").map((route) => ({ fn, route })),
  );

/** `"GET /v1/me"`: the API Gateway route key. */
export const routeKey = (r: Pick<HttpRoute, "method" | "path">) => `${r.method} ${r.path}`;

/** The route table keyed by route key, for the per-route role check. */
export const ROUTES: ReadonlyMap<string, HttpRoute> = new Map(
  httpRoutes().map(({ route }) => [routeKey(route), route]),
);
