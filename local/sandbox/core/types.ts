/**
 * The provider sandbox's extension points. The core (local/sandbox/core/) owns the HTTP
 * server, routing, the control API under `/_sandbox`, the movable clock, the publication
 * log, seeded identities and fault injection. Each provider (local/sandbox/meta/,
 * local/sandbox/linkedin/, later webhook senders and insights) is a `ProviderModule` that
 * registers routes and error presets; it never opens sockets or handles faults itself.
 */

export type ProviderName = "meta" | "linkedin";

export interface SandboxRequest {
  readonly method: string;
  /**
   * The full sandbox path without the query string, provider prefix included, e.g.
   * `/meta/graph/v25.0/123/feed` or `/linkedin/api/rest/posts`.
   */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Buffer;
  /** Named groups of the matched route pattern. */
  readonly params: Readonly<Record<string, string>>;
  /** Body parsed as JSON (undefined when empty or not JSON). */
  json(): unknown;
  /** Body parsed as `application/x-www-form-urlencoded`, merged with nothing. */
  form(): URLSearchParams;
  /** Query params merged with form fields (Graph API style: params may come either way). */
  params2(): URLSearchParams;
}

export interface SandboxResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  readonly body?: unknown;
}

export type RouteHandler = (
  req: SandboxRequest,
  ctx: SandboxContext,
) => Promise<SandboxResponse> | SandboxResponse;

export interface Router {
  /**
   * Register a route. `pattern` is the full sandbox path, provider prefix included, with
   * `:name` segments (`/meta/graph/:version/:id/feed`; `:name(regex)` narrows a segment, e.g.
   * `:version(v\\d+\\.\\d+)`), or a RegExp with named groups tested against the whole path.
   * Routes are tried in registration order; the first match wins. `method` `*` matches any
   * method; `GET` routes also answer `HEAD`. Control routes go under `/_sandbox/<provider>/…`.
   * `target` extracts the target id (page, IG user, author URN) a fault rule may match on.
   */
  add(
    method: string,
    pattern: string | RegExp,
    handler: RouteHandler,
    options?: { target?: (req: SandboxRequest) => string | undefined },
  ): void;
}

/** The sandbox's clock: real time plus an offset tests can move (`POST /_sandbox/clock`). */
export interface Clock {
  now(): number;
  /** Seconds since the epoch. */
  nowSeconds(): number;
  advance(ms: number): void;
  set(epochMs: number): void;
}

/** One thing a provider made public (a post, photo, video, IG media, comment). */
export interface Publication {
  readonly provider: ProviderName;
  /** The account that published (page id, IG user id, author URN). */
  readonly target: string;
  readonly kind: string;
  /** The id the provider answered with (post id, media id, share URN). */
  readonly providerId: string;
  readonly text?: string;
  readonly media?: readonly string[];
  readonly at: string;
  readonly permalink?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface PublicationLog {
  record(p: Omit<Publication, "at">): Publication;
  list(filter?: { provider?: ProviderName; target?: string }): readonly Publication[];
}

export interface SandboxContext {
  /** Base URL this sandbox answers on, e.g. `http://127.0.0.1:4010`. */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly published: PublicationLog;
  /** Provider-owned mutable state, keyed by provider; reset by `POST /_sandbox/reset`. */
  state<T>(provider: ProviderName, init: () => T): T;
  /** Configuration (quotas, allow-lists, delays); overridable via `PUT /_sandbox/config`. */
  readonly config: SandboxConfig;
  /** Fetch a media URL the way the provider would (must be reachable); used to check media. */
  fetchMedia(url: string): Promise<FetchedMedia>;
}

/** What `fetchMedia` learned about a URL: reachability, size and the sniffed format. */
export interface FetchedMedia {
  readonly ok: boolean;
  /** HTTP status, 0 when no answer came. */
  readonly status: number;
  readonly contentType?: string;
  /** Bytes received (the whole body is read, like a provider downloading it). */
  readonly bytes: number;
  /** Why no answer came: the host could not be reached, or the download took too long. */
  readonly error?: "unreachable" | "timeout";
  /** The format from the magic bytes, whatever the content type says. */
  readonly format?: "jpeg" | "png" | "gif" | "webp" | "bmp" | "tiff" | "mp4" | "mov" | "pdf" | "unknown";
  /** Pixel size, for JPEG/PNG/GIF. */
  readonly width?: number;
  readonly height?: number;
}

export interface SandboxConfig {
  meta: {
    /** Instagram published-posts quota per moving 24 h (the corrections table says 100). */
    igPublishQuota: number;
    /** Milliseconds an IG container stays IN_PROGRESS (images) / (videos, reels). */
    igImageProcessingMs: number;
    igVideoProcessingMs: number;
    /** Page video processing time. */
    fbVideoProcessingMs: number;
    /** Usage budget: calls per hour per app / per business object before 100 %. */
    appCallBudgetPerHour: number;
    bucCallBudgetPerHour: number;
    /** Enforce the budget: over 100 % answers code 4 (app) / 80001 (pages BUC). */
    enforceUsageLimits: boolean;
    /** Days ahead allowed for scheduled_publish_time (docs disagree: 30 vs 75). */
    scheduledPublishMaxDays: number;
    /** Minutes ahead a scheduled_publish_time must be at least (docs: 10). */
    scheduledPublishMinMinutes: number;
    /** Lifetime of an IG container before it is EXPIRED (docs: 24 h). */
    igContainerLifetimeMs: number;
    /** Largest IG image in bytes (docs: 8 MiB). */
    igImageMaxBytes: number;
    /** Largest Page photo in bytes (about 4 MB). */
    fbPhotoMaxBytes: number;
    /** Window in which the same message on the same Page is a duplicate (506). */
    duplicateWindowMinutes: number;
    /** Lifetime of a login-dialog code (Meta does not publish it; about 10 minutes). */
    codeLifetimeSeconds: number;
    /** Lifetime of a short-lived user token (about 1–2 h). */
    shortLivedTokenSeconds: number;
    /** Lifetime of a long-lived user token (about 60 days: 5183944 s in real answers). */
    longLivedTokenSeconds: number;
    /** Page size of `/me/accounts` and feed listings when `limit` is absent. */
    defaultPageLimit: number;
    /**
     * The code exchange answers a long-lived token (some real answers carry
     * `expires_in: 5183944`) instead of the documented short-lived one.
     */
    codeExchangeLongLived: boolean;
    /** Lifetime of Page tokens derived from a short-lived user token (docs: about 1 h). */
    shortLivedPageTokenSeconds: number;
  };
  linkedin: {
    /** Active `LinkedIn-Version` values (YYYYMM or YYYYMM.RR). */
    activeVersions: string[];
    /** Partner mode: token responses include refresh tokens. */
    partnerRefreshTokens: boolean;
    /** Daily (UTC) call limit per member for POST /rest/posts; 429 after. */
    memberDailyPostLimit: number;
    /** Application-wide daily call limit across endpoints. */
    applicationDailyLimit: number;
    /** Window in which identical commentary by the same author is a DUPLICATE_POST. */
    duplicateWindowMinutes: number;
    /** Milliseconds an uploaded video/document stays PROCESSING. */
    mediaProcessingMs: number;
  };
}

/** A canned error answer a fault rule can name, e.g. `meta.token-expired`, `linkedin.duplicate-post`. */
export type ErrorPreset = (req: SandboxRequest, ctx: SandboxContext) => SandboxResponse;

export interface ProviderModule {
  readonly name: ProviderName;
  /** Register the provider's routes. Called once at start. */
  register(router: Router, ctx: SandboxContext): void;
  /** Error presets for fault injection, keyed by short name (prefixed with the provider by the core). */
  readonly errorPresets: Readonly<Record<string, ErrorPreset>>;
  /**
   * The provider's seeded identities (apps, users, pages, members, orgs) for
   * `GET /_sandbox/seed`; optional. Seeds must be deterministic.
   */
  seed?(ctx: SandboxContext): unknown;
  /** Routes that serve HTML consent pages or OAuth redirects are ordinary routes; nothing special here. */
}

/**
 * A fault rule (`POST /_sandbox/faults`). Matches on provider, method, path (RegExp source)
 * and target; fires for the next `times` matching calls or with `probability`.
 */
export interface FaultRule {
  readonly id?: string;
  readonly provider?: ProviderName;
  readonly method?: string;
  /** RegExp source matched against the path. */
  readonly path?: string;
  readonly target?: string;
  readonly times?: number;
  readonly probability?: number;
  readonly fault:
    | { readonly kind: "error"; readonly preset: string }
    | {
        readonly kind: "response";
        readonly status: number;
        readonly body?: unknown;
        readonly headers?: Record<string, string>;
      }
    | { readonly kind: "latency"; readonly ms: number }
    /** Close the connection before the provider acts: nothing happens. */
    | { readonly kind: "drop-before" }
    /** Let the provider act, then close the connection: the post exists, the client sees a reset. */
    | { readonly kind: "drop-after" };
}

/** Every property optional, recursively (arrays replaced whole): the shape of config overrides. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
