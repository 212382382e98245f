/**
 * Provider failures, normalised. ONE table (`ERROR_RULES`) maps what Meta or LinkedIn
 * answered (body code/subcode, LinkedIn status + service code, or a network failure) to a
 * class, a retry mode, an action and a sentence a person can act on.
 *
 * Meta answers almost everything with HTTP 400, so Meta rows match on the body's `code` and
 * `error_subcode`; an HTTP status is used only when the body carried no code at all (a proxy's
 * 502 page, say). `docs/publishing-errors.md` is generated from this table (see
 * `error-doc.ts`) and a unit test fails when the two drift.
 *
 * Pure: no I/O, no clock (callers pass `now`).
 */
export type ProviderName = "meta" | "linkedin";
export type NetworkFailureKind = "timeout" | "reset" | "refused" | "dns";

/** A provider failure as the adapters hand it over. */
export interface ProviderFailure {
  readonly provider: ProviderName;
  readonly httpStatus?: number;
  /**
   * Meta: the body's `error.code`. LinkedIn: the symbolic `code` (`REVOKED_ACCESS_TOKEN`,
   * `DUPLICATE_POST`, …) when the body has one, else its `serviceErrorCode`.
   */
  readonly code?: number | string;
  /** Meta: `error.error_subcode`. LinkedIn: `serviceErrorCode` (65601, 101, …). */
  readonly subcode?: number;
  readonly message?: string;
  readonly network?: NetworkFailureKind;
  /** The raw answer, kept for the delivery's record. */
  readonly body?: unknown;
  /** The media item the failure is about (an Instagram container for one image or video). */
  readonly media?: FailedMediaItem;
  /** Set when the failure is an Instagram container's `ERROR` status rather than an HTTP answer. */
  readonly containerError?: true;
}

/** Which of the post's media items a failure is about, so the message can name it. */
export interface FailedMediaItem {
  /** 1-based position among the post's media. */
  readonly position: number;
  /** How many media items the post has. */
  readonly count: number;
  readonly url: string;
  /** The item is a child of an Instagram carousel. */
  readonly carouselChild?: boolean;
}

/** `config` is ours (an operator must change Herald's configuration); the rest are the issue's. */
export type ErrorClass =
  | "transient"
  | "rate_limited"
  | "auth"
  | "content"
  | "quota"
  | "duplicate"
  | "config"
  | "unknown";
export type RetryMode = "backoff" | "wait_window" | "no";
export type ErrorAction =
  | "retry"
  | "wait"
  | "reconnect"
  | "fix_content"
  | "reschedule"
  | "adopt_existing"
  | "contact_support";
/** Which breaker a rate limit belongs to: the whole provider app, or one target (page, member). */
export type LimitScope = "app" | "target";
/** What the worker must do with a stored Instagram container before retrying. */
export type ContainerHint = "poll_container" | "new_container";

export interface ClassifiedError {
  readonly class: ErrorClass;
  readonly retry: RetryMode;
  readonly action: ErrorAction;
  /** For `wait_window` (and minimum waits of some backoff rows): when trying again makes sense. */
  readonly waitUntil?: (now: Date) => Date;
  /** A sentence a person can act on, naming the next step. */
  readonly message: string;
  /**
   * The provider's own code, as it reported it: Meta `code/subcode` (`9004/2207052`), or the
   * subcode alone when only that is known (an Instagram container's `2207026`); LinkedIn's
   * symbolic code or `serviceErrorCode`; `HTTP 502` when the answer carried no code;
   * `network timeout` when there was no answer.
   */
  readonly code: string;
  /** `meta 190/463`, `linkedin 422 DUPLICATE_POST`, `meta network timeout`. */
  readonly providerCode: string;
  /** The table row that matched (stable id, also in the generated doc). */
  readonly rule: string;
  /** LinkedIn duplicate: the existing post to adopt. */
  readonly existingUrn?: string;
  readonly limitScope?: LimitScope;
  readonly container?: ContainerHint;
  /** The media item the failure is about; the message names it too. */
  readonly media?: FailedMediaItem;
}

/**
 * What an operator changes when a provider retires the API version Herald calls. The domain
 * knows only what the settings mean; the publish wiring passes their deployed names (the
 * environment variables of `schemas/env.ts`), so a message can name the exact variable.
 */
export interface VersionSettings {
  readonly metaGraphVersion: string;
  readonly linkedinVersion: string;
}

/** Used when the caller names no settings (the providers' own pre-checks, unit tests). */
const DESCRIBED_VERSION_SETTINGS: VersionSettings = {
  metaGraphVersion: "the Meta Graph API version setting",
  linkedinVersion: "the LinkedIn-Version setting",
};

/** What the caller knows beyond the failure itself. */
export interface ClassifyContext {
  /** The names of the version settings, for the messages that tell an operator to change one. */
  readonly versionSettings?: VersionSettings;
  /** The current time; rules that compare with `consentedAt` need it. */
  readonly now?: Date;
  /** When the connection was (re)consented; LinkedIn may report 65601 transiently just after. */
  readonly consentedAt?: Date;
  /** How many times this delivery already met this same failure. */
  readonly previousSameFailures?: number;
  /** Meta `estimated_time_to_regain_access` turned into a time (from `meta/usage.ts`). */
  readonly regainAt?: Date;
  /** When the Instagram publishing quota frees (from `content_publishing_limit`), if known. */
  readonly quotaFreesAt?: Date;
}

interface Match {
  readonly httpStatus?: readonly number[];
  readonly codes?: readonly (number | string)[];
  readonly codeRange?: readonly [number, number];
  readonly subcodes?: readonly number[];
  readonly network?: readonly NetworkFailureKind[];
  /** Matches only when the failure carries no code (and no subcode). */
  readonly noCode?: boolean;
}

interface RuleInput {
  readonly failure: ProviderFailure;
  readonly ctx: ClassifyContext;
}

/** One row of the table. */
export interface ErrorRule {
  readonly id: string;
  /** `any` rows (network, bare HTTP 5xx) apply to both providers. */
  readonly provider: ProviderName | "any";
  /** Any of these matchers; every field given in one matcher must hold. */
  readonly when: readonly Match[];
  /** What the provider means, for the doc. */
  readonly meaning: string;
  readonly class: ErrorClass;
  readonly retry: RetryMode;
  readonly action: ErrorAction;
  readonly message: string | ((input: RuleInput) => string);
  readonly waitUntil?: (input: RuleInput) => ((now: Date) => Date) | undefined;
  readonly limitScope?: LimitScope | ((input: RuleInput) => LimitScope);
  readonly container?: ContainerHint;
  /** Refines the outcome from context (e.g. LinkedIn 65601 just after consent). */
  readonly refine?: (
    input: RuleInput,
  ) => Partial<Pick<ClassifiedError, "class" | "retry" | "action" | "message">> | undefined;
  /** A failure this row must classify (documents the row; a test checks every sample). */
  readonly sample: ProviderFailure;
  /** The time window, in words, for the doc. */
  readonly waitNote?: string;
  /** The row is about one media item: a failure that carries the item names it in the message. */
  readonly mediaItem?: true;
}

const settingsOf = (ctx: ClassifyContext) => ctx.versionSettings ?? DESCRIBED_VERSION_SETTINGS;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const after = (ms: number) => (now: Date) => new Date(now.getTime() + ms);

/** The next 00:00 UTC strictly after `now` (LinkedIn's daily limits reset then). */
export function nextUtcMidnight(now: Date): Date {
  const d = new Date(now.getTime());
  d.setUTCHours(24, 0, 0, 0);
  return d;
}

const iso = (d: Date) => d.toISOString();

/** Meta throttles: the regain time from the usage headers when known, else a default window. */
const metaRegain =
  (fallbackMs: number) =>
  ({ ctx }: RuleInput) =>
  (now: Date) =>
    ctx.regainAt && ctx.regainAt.getTime() > now.getTime() ? ctx.regainAt : after(fallbackMs)(now);

const meta = (code: number, subcode?: number): ProviderFailure =>
  subcode === undefined
    ? { provider: "meta", httpStatus: 400, code }
    : { provider: "meta", httpStatus: 400, code, subcode };
const li = (httpStatus: number, code?: string | number, subcode?: number): ProviderFailure => ({
  provider: "linkedin",
  httpStatus,
  ...(code === undefined ? {} : { code }),
  ...(subcode === undefined ? {} : { subcode }),
});

const REAUTH_FB = "Reconnect the Facebook account in Herald and publish again.";
const REAUTH_LI = "Reconnect the LinkedIn account in Herald and publish again.";
const FIX = "Edit the post and schedule it again.";

/** Version string from LinkedIn's 426 message (`Requested version 20241101 is not active`). */
export function versionFromMessage(message: string | undefined): string | undefined {
  const raw = /version\s+(\d{6}(?:\d{2}|\.\d{1,2})?)/i.exec(message ?? "")?.[1];
  if (!raw) return undefined;
  // LinkedIn echoes YYYYMM as YYYYMM01; show what the operator configured.
  return /^\d{8}$/.test(raw) ? raw.slice(0, 6) : raw;
}

/**
 * The table. Order does not matter: the most specific matching row wins (see `specificity`),
 * and a test checks every row's sample classifies to that row.
 */
export const ERROR_RULES: readonly ErrorRule[] = [
  // ── network (either provider) ─────────────────────────────────────────────────────────
  {
    id: "network",
    provider: "any",
    when: [{ network: ["timeout", "reset", "refused", "dns"] }],
    meaning: "no answer: timeout, connection reset or refused, DNS failure",
    class: "transient",
    retry: "backoff",
    action: "retry",
    message: ({ failure }) =>
      `The connection to ${label(failure.provider)} failed (${failure.network}); Herald checks whether the post went out and retries automatically.`,
    sample: { provider: "meta", network: "timeout" },
  },
  {
    id: "http-5xx",
    provider: "any",
    when: [{ httpStatus: [500, 502, 503, 504], noCode: true }],
    meaning: "server error without a provider error code",
    class: "transient",
    retry: "backoff",
    action: "retry",
    message: ({ failure }) =>
      `${label(failure.provider)} had a temporary server error (HTTP ${failure.httpStatus}); Herald retries automatically.`,
    sample: { provider: "meta", httpStatus: 502 },
  },
  {
    id: "http-429",
    provider: "any",
    when: [{ httpStatus: [429], noCode: true }],
    meaning: "throttled, without a provider error code",
    class: "rate_limited",
    retry: "wait_window",
    action: "wait",
    limitScope: "app",
    waitUntil: ({ failure, ctx }) =>
      failure.provider === "linkedin" ? nextUtcMidnight : metaRegain(15 * MINUTE)({ failure, ctx }),
    waitNote: "LinkedIn: next 00:00 UTC; Meta: regain time from the usage headers, else 15 min",
    message: ({ failure }) =>
      `${label(failure.provider)} is throttling Herald; the post waits until the limit resets and is then published automatically.`,
    sample: { provider: "meta", httpStatus: 429 },
  },

  // ── Meta: general codes ───────────────────────────────────────────────────────────────
  {
    id: "meta-1-2",
    provider: "meta",
    when: [{ codes: [1, 2] }],
    meaning: "API unknown / API service error",
    class: "transient",
    retry: "backoff",
    action: "retry",
    message: "Meta reported a temporary error; Herald retries automatically.",
    sample: meta(2),
  },
  {
    id: "meta-3",
    provider: "meta",
    when: [{ codes: [3] }],
    meaning: "the app lacks the capability for this call",
    class: "config",
    retry: "backoff",
    action: "contact_support",
    message:
      "Herald's Meta app is not allowed to make this call (missing capability or product); an operator must enable it in the Meta app dashboard, then replay the dead-letter queue.",
    sample: meta(3),
  },
  {
    id: "meta-12",
    provider: "meta",
    when: [{ codes: [12] }],
    meaning: "deprecated API or version",
    class: "config",
    retry: "backoff",
    action: "contact_support",
    message: ({ ctx }) =>
      `Meta no longer serves this API version; an operator must raise ${settingsOf(ctx).metaGraphVersion} to a supported Graph version, redeploy, then replay the dead-letter queue.`,
    sample: meta(12),
  },
  {
    id: "meta-app-limit",
    provider: "meta",
    when: [{ codes: [4, 341] }],
    meaning: "application request limit reached",
    class: "rate_limited",
    retry: "wait_window",
    action: "wait",
    limitScope: "app",
    waitUntil: metaRegain(15 * MINUTE),
    waitNote: "`estimated_time_to_regain_access`, else 15 min",
    message:
      "Herald's Meta app reached its request limit; the post waits until Meta frees capacity and is then published automatically.",
    sample: meta(4),
  },
  {
    id: "meta-user-page-limit",
    provider: "meta",
    when: [{ codes: [17, 32, 613] }],
    meaning: "user / Page / custom rate limit reached",
    class: "rate_limited",
    retry: "wait_window",
    action: "wait",
    limitScope: "target",
    waitUntil: metaRegain(15 * MINUTE),
    waitNote: "`estimated_time_to_regain_access`, else 15 min",
    message:
      "Meta is limiting calls for this account; the post waits until the limit frees and is then published automatically.",
    sample: meta(32),
  },
  {
    id: "meta-buc-throttle",
    provider: "meta",
    when: [{ codes: [80001, 80002, 80004, 80006] }],
    meaning: "business use case throttle (Pages 80001, Instagram 80002)",
    class: "rate_limited",
    retry: "wait_window",
    action: "wait",
    limitScope: "target",
    waitUntil: metaRegain(15 * MINUTE),
    waitNote: "`estimated_time_to_regain_access`, else 15 min",
    message:
      "There were too many calls for this Page or Instagram account; the post waits until Meta frees capacity and is then published automatically.",
    sample: meta(80001),
  },
  {
    id: "meta-10",
    provider: "meta",
    when: [{ codes: [10] }],
    meaning: "permission denied",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message:
      "Meta refused the call for lack of permission. Reconnect the Facebook account in Herald, granting every requested permission, and check that the person connecting still has a role on the Page.",
    sample: meta(10),
  },
  {
    id: "meta-permission",
    provider: "meta",
    when: [{ codeRange: [200, 299] }],
    meaning: "a permission is missing",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message:
      "A permission Herald needs was not granted or was removed. Reconnect the Facebook account in Herald, allowing every requested permission, and publish again.",
    sample: meta(200),
  },
  {
    id: "meta-102",
    provider: "meta",
    when: [{ codes: [102] }],
    meaning: "session expired or invalid",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `The Facebook session expired. ${REAUTH_FB}`,
    sample: meta(102),
  },
  {
    id: "meta-190",
    provider: "meta",
    when: [{ codes: [190] }],
    meaning: "invalid access token (no or unknown subcode)",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `Facebook no longer accepts Herald's access for this account. ${REAUTH_FB}`,
    sample: meta(190),
  },
  {
    id: "meta-190-458",
    provider: "meta",
    when: [{ codes: [190], subcodes: [458] }],
    meaning: "app not installed (removed by the user)",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `The Herald app was removed from this Facebook account. ${REAUTH_FB}`,
    sample: meta(190, 458),
  },
  {
    id: "meta-190-459",
    provider: "meta",
    when: [{ codes: [190], subcodes: [459, 464] }],
    meaning: "user checkpointed / unconfirmed",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message:
      "Facebook needs the account owner to log in at facebook.com and complete the security check or confirmation it shows; then reconnect the account in Herald and publish again.",
    sample: meta(190, 459),
  },
  {
    id: "meta-190-460",
    provider: "meta",
    when: [{ codes: [190], subcodes: [460] }],
    meaning: "password changed",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `The Facebook password was changed, which ended Herald's access. ${REAUTH_FB}`,
    sample: meta(190, 460),
  },
  {
    id: "meta-190-463",
    provider: "meta",
    when: [{ codes: [190], subcodes: [463, 467] }],
    meaning: "token expired / invalid",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `Herald's Facebook access expired. ${REAUTH_FB}`,
    sample: meta(190, 463),
  },
  {
    id: "meta-190-492",
    provider: "meta",
    when: [{ codes: [190], subcodes: [492] }],
    meaning: "invalid session: the user lost their role on the Page",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message:
      "The person who connected this Page no longer has a role on it. Ask a Page admin to give them a role (or connect with an admin's account) and reconnect in Herald.",
    sample: meta(190, 492),
  },
  {
    id: "meta-100",
    provider: "meta",
    when: [{ codes: [100] }],
    meaning: "invalid parameter",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: ({ failure }) =>
      `Meta rejected the post: ${clean(failure.message) ?? "a parameter is invalid"}. ${FIX}`,
    sample: meta(100),
  },
  {
    id: "meta-368",
    provider: "meta",
    when: [{ codes: [368] }],
    meaning: "temporarily blocked for policy violations",
    class: "rate_limited",
    retry: "wait_window",
    action: "wait",
    limitScope: "target",
    waitUntil: () => after(24 * HOUR),
    waitNote: "24 h",
    message:
      "Meta has temporarily blocked this account from posting for policy reasons; Herald tries once more in 24 hours. Check the account's status in Meta Business Suite.",
    sample: meta(368),
  },
  {
    id: "meta-506",
    provider: "meta",
    when: [{ codes: [506] }, { subcodes: [1366051] }],
    meaning: "duplicate post (same message just posted) / photos already posted",
    class: "duplicate",
    retry: "no",
    action: "adopt_existing",
    message:
      "Facebook says this exact post was just published on the Page; Herald looks for it among the Page's recent posts and records it. If it is not Herald's, change the text and schedule again.",
    sample: meta(506),
  },
  {
    id: "meta-1609005",
    provider: "meta",
    when: [{ codes: [1609005] }, { subcodes: [1609005] }],
    meaning: "the link could not be fetched",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `Facebook could not read the link in the post. Check that the URL opens publicly, then schedule again.`,
    sample: meta(1609005),
  },

  // ── Meta: Page publishing subcodes (code varies) ──────────────────────────────────────
  {
    id: "meta-photo-format",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [1366046] }],
    meaning: "photo larger than 4 MB or wrong format",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `Facebook refused the photo: use a JPG or PNG smaller than 4 MB. ${FIX}`,
    sample: meta(100, 1366046),
  },
  {
    id: "meta-posting-too-fast",
    provider: "meta",
    when: [{ subcodes: [1390008] }],
    meaning: "posting too fast",
    class: "rate_limited",
    retry: "wait_window",
    action: "wait",
    limitScope: "target",
    waitUntil: () => after(30 * MINUTE),
    waitNote: "30 min",
    message:
      "Facebook says this Page is posting too fast; the post waits 30 minutes and is then published automatically.",
    sample: meta(368, 1390008),
  },
  {
    id: "meta-abusive",
    provider: "meta",
    when: [{ subcodes: [1346003, 1404102] }],
    meaning: "flagged as abusive / against community standards",
    class: "content",
    retry: "no",
    action: "fix_content",
    message:
      "Facebook blocked the post as against its Community Standards. Change the content (text, link or media) and schedule again.",
    sample: meta(368, 1346003),
  },
  {
    id: "meta-ppa",
    provider: "meta",
    when: [{ subcodes: [1404078] }],
    meaning: "Page Publishing Authorization required",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message:
      "This Page requires Page Publishing Authorization: a Page admin must complete it in Facebook (Page settings), then publish again.",
    sample: meta(200, 1404078),
  },
  {
    id: "meta-confirm-identity",
    provider: "meta",
    when: [{ subcodes: [4854002] }],
    meaning: "confirm identity",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message:
      "Facebook asks the person who connected this Page to confirm their identity at facebook.com; do that, reconnect in Herald and publish again.",
    sample: meta(200, 4854002),
  },
  {
    id: "meta-link-rejected",
    provider: "meta",
    when: [{ subcodes: [1609008, 2061006] }],
    meaning: "facebook.com link not allowed / invalid URL",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `Facebook refused the link in the post (invalid, or a facebook.com link). ${FIX}`,
    sample: meta(100, 2061006),
  },
  {
    id: "meta-service-unavailable",
    provider: "meta",
    when: [{ subcodes: [1363047, 1609010, 1363019, 1363021, 1363030, 1363033, 1363037, 1363041] }],
    meaning: "service unavailable / resumable upload error",
    class: "transient",
    retry: "backoff",
    action: "retry",
    message: "Facebook's upload or publishing service was briefly unavailable; Herald retries automatically.",
    sample: meta(1, 1363047),
  },

  // ── Meta: Instagram publishing (code, subcode) ────────────────────────────────────────
  {
    id: "ig-download-timeout",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207003] }, { codes: [-2] }],
    meaning: "media download timed out",
    class: "transient",
    retry: "backoff",
    action: "retry",
    container: "new_container",
    message:
      "Instagram timed out downloading the media; Herald retries. If it keeps failing, host the file somewhere faster.",
    sample: meta(-2, 2207003),
  },
  {
    id: "ig-container-expired",
    provider: "meta",
    when: [{ subcodes: [2207020] }],
    meaning: "container expired (not published within 24 h)",
    class: "transient",
    retry: "backoff",
    action: "retry",
    container: "new_container",
    message: "The prepared Instagram upload expired; Herald prepares it again and publishes.",
    sample: meta(-2, 2207020),
  },
  {
    id: "ig-server-error",
    provider: "meta",
    when: [{ subcodes: [2207001, 2207032, 2207082] }, { codes: [-1] }],
    meaning: "Instagram server error / create failed / could not upload",
    class: "transient",
    retry: "backoff",
    action: "retry",
    message: "Instagram had a temporary error; Herald retries automatically.",
    sample: meta(-1, 2207001),
  },
  {
    id: "ig-upload-unknown",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207053] }],
    meaning: "unknown upload error (video)",
    class: "transient",
    retry: "backoff",
    action: "retry",
    container: "new_container",
    message: "Instagram could not process the video upload; Herald uploads it again.",
    sample: meta(-1, 2207053),
  },
  {
    id: "ig-media-not-found",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207006] }],
    meaning: "media not found (permission or expired token)",
    class: "transient",
    retry: "backoff",
    action: "retry",
    container: "new_container",
    message:
      "Instagram could not find the prepared media; Herald prepares it again. If this repeats, reconnect the Instagram account.",
    sample: meta(24, 2207006),
  },
  {
    id: "ig-builder-expired",
    provider: "meta",
    when: [{ subcodes: [2207008] }, { codes: [24] }],
    meaning: "media builder expired (retry in 30 s – 2 min)",
    class: "transient",
    retry: "backoff",
    action: "retry",
    waitUntil: () => after(30_000),
    waitNote: "at least 30 s",
    message: "Instagram asked Herald to try again shortly; it retries automatically.",
    sample: meta(24, 2207008),
  },
  {
    id: "ig-not-ready",
    provider: "meta",
    when: [{ subcodes: [2207027] }, { codes: [9007] }],
    meaning: "container not ready (poll until FINISHED)",
    class: "transient",
    retry: "backoff",
    action: "retry",
    container: "poll_container",
    waitUntil: () => after(10_000),
    waitNote: "at least 10 s",
    message: "Instagram is still processing the media; Herald checks again shortly and then publishes.",
    sample: meta(9007, 2207027),
  },
  {
    id: "ig-quota",
    provider: "meta",
    when: [{ subcodes: [2207042] }, { codes: [9] }],
    meaning: "daily publishing limit reached (moving 24 h)",
    class: "quota",
    retry: "wait_window",
    action: "reschedule",
    limitScope: "target",
    waitUntil:
      ({ ctx }) =>
      (now) =>
        ctx.quotaFreesAt && ctx.quotaFreesAt.getTime() > now.getTime() ? ctx.quotaFreesAt : after(HOUR)(now),
    waitNote: "when `content_publishing_limit` says a slot frees, else re-check in 1 h",
    message: ({ ctx }) =>
      `This Instagram account reached its limit of posts per 24 hours; Herald moves the post to when a slot frees${
        ctx.quotaFreesAt ? ` (${iso(ctx.quotaFreesAt)})` : ""
      } and publishes it then.`,
    sample: meta(9, 2207042),
  },
  {
    id: "ig-spam",
    provider: "meta",
    when: [{ subcodes: [2207051] }],
    meaning: "restricted: suspected spam",
    class: "content",
    retry: "no",
    action: "fix_content",
    message:
      "Instagram flagged this post as possible spam. Change the caption, hashtags or media (and avoid repeating recent posts), then schedule again.",
    sample: meta(4, 2207051),
  },
  {
    id: "ig-account-restricted",
    provider: "meta",
    when: [{ subcodes: [2207050] }, { codes: [25] }],
    meaning: "account restricted or checkpointed",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message:
      "Instagram has restricted this account or needs a security check: the owner must open the Instagram app and resolve it, then reconnect in Herald and publish again.",
    sample: meta(25, 2207050),
  },
  {
    id: "ig-trial-reels",
    provider: "meta",
    when: [{ subcodes: [2207081] }],
    meaning: "account cannot post Trial Reels",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `This Instagram account cannot post Trial Reels; publish it as a normal Reel instead. ${FIX}`,
    sample: meta(100, 2207081),
  },
  {
    id: "ig-thumb-offset",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207057] }],
    meaning: "thumb_offset out of range",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `The Reel's cover frame time is beyond the video's length; pick an earlier frame. ${FIX}`,
    sample: meta(1, 2207057),
  },
  {
    id: "ig-media-type",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207023] }],
    meaning: "unknown media_type",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `Instagram does not accept this kind of media here. ${FIX}`,
    sample: meta(100, 2207023),
  },
  {
    id: "ig-carousel-size",
    provider: "meta",
    when: [{ subcodes: [2207028] }],
    meaning: "carousel needs 2–10 items",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `An Instagram carousel needs between 2 and 10 items. ${FIX}`,
    sample: meta(100, 2207028),
  },
  {
    id: "ig-tags",
    provider: "meta",
    when: [{ subcodes: [2207035, 2207036, 2207037, 2207040] }],
    meaning: "product-tag errors; more than 20 tags",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `Instagram refused the post's tags (product tags, or more than 20 tags). ${FIX}`,
    sample: meta(100, 2207040),
  },
  {
    id: "ig-video-format",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207026] }, { codes: [352] }],
    meaning: "unsupported video format",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `Instagram cannot use this video: export it as MP4 (H.264, AAC audio, 23–60 fps, 3 s–15 min). ${FIX}`,
    sample: meta(352, 2207026),
  },
  {
    id: "ig-media-url",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207052] }, { codes: [9004] }],
    meaning: "media URL could not be fetched",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `Instagram could not download the media from its URL. Make sure the file is public over HTTPS, then schedule again.`,
    sample: meta(9004, 2207052),
  },
  {
    id: "ig-image-size",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207004] }, { codes: [36000] }],
    meaning: "image too large (must be < 8 MiB)",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `The image is too large for Instagram: it must be smaller than 8 MiB. ${FIX}`,
    sample: meta(36000, 2207004),
  },
  {
    id: "ig-image-format",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207005] }, { codes: [36001, 36002] }],
    meaning: "unsupported image format",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `Instagram needs JPEG images. ${FIX}`,
    sample: meta(36001, 2207005),
  },
  {
    id: "ig-aspect-ratio",
    mediaItem: true,
    provider: "meta",
    when: [{ subcodes: [2207009] }, { codes: [36003] }],
    meaning: "aspect ratio outside 4:5 – 1.91:1",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `The image's shape is outside what Instagram accepts (between 4:5 portrait and 1.91:1 landscape). Crop it, then schedule again.`,
    sample: meta(36003, 2207009),
  },
  {
    id: "ig-caption",
    provider: "meta",
    when: [{ subcodes: [2207010] }, { codes: [36004] }],
    meaning: "caption too long or too many hashtags / mentions",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: `The caption is too long for Instagram (at most 2,200 characters, 30 hashtags and 20 @-mentions). ${FIX}`,
    sample: meta(36004, 2207010),
  },

  // ── LinkedIn ──────────────────────────────────────────────────────────────────────────
  {
    id: "li-401-invalid",
    provider: "linkedin",
    when: [{ httpStatus: [401], subcodes: [65600] }, { codes: ["INVALID_ACCESS_TOKEN"] }],
    meaning: "invalid access token (65600)",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `LinkedIn does not accept Herald's access for this account. ${REAUTH_LI}`,
    sample: li(401, 65600, 65600),
  },
  {
    id: "li-401-revoked",
    provider: "linkedin",
    when: [{ httpStatus: [401], subcodes: [65601] }, { codes: ["REVOKED_ACCESS_TOKEN"] }],
    meaning: "token revoked by the user (65601); also seen transiently right after consent",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `The LinkedIn access was revoked. ${REAUTH_LI}`,
    refine: ({ ctx }) => {
      // LinkedIn has been seen answering 65601 for a token minted seconds earlier; one retry.
      const fresh =
        ctx.consentedAt !== undefined &&
        ctx.now !== undefined &&
        ctx.now.getTime() - ctx.consentedAt.getTime() < 10 * MINUTE;
      if (!fresh || (ctx.previousSameFailures ?? 0) > 0) return undefined;
      return {
        class: "transient",
        retry: "backoff",
        action: "retry",
        message:
          "LinkedIn reported the access as revoked just after it was granted, which it sometimes does briefly; Herald retries once.",
      };
    },
    sample: li(401, "REVOKED_ACCESS_TOKEN", 65601),
  },
  {
    id: "li-401-expired",
    provider: "linkedin",
    when: [{ httpStatus: [401], subcodes: [65602] }, { codes: ["EXPIRED_ACCESS_TOKEN"] }],
    meaning: "token expired (65602, after 60 days)",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `Herald's LinkedIn access expired (LinkedIn grants 60 days). ${REAUTH_LI}`,
    sample: li(401, "EXPIRED_ACCESS_TOKEN", 65602),
  },
  {
    id: "li-401",
    provider: "linkedin",
    when: [{ httpStatus: [401] }],
    meaning: "unauthorised (other or no service code)",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message: `LinkedIn refused Herald's access for this account. ${REAUTH_LI}`,
    sample: li(401, 401, 401),
  },
  {
    id: "li-403",
    provider: "linkedin",
    when: [{ httpStatus: [403] }],
    meaning: "ACCESS_DENIED: missing scope, author not you / not your organisation, product not approved",
    class: "auth",
    retry: "no",
    action: "reconnect",
    message:
      "LinkedIn denied the post: the connected member must be an administrator of the organisation (or the author themself) and must grant every requested permission. Check the role, reconnect the LinkedIn account in Herald and publish again.",
    sample: li(403, "ACCESS_DENIED", 100),
  },
  {
    id: "li-404",
    provider: "linkedin",
    when: [{ httpStatus: [404] }],
    meaning: "not found (unknown post, organisation or media)",
    class: "content",
    retry: "no",
    action: "fix_content",
    message:
      "LinkedIn could not find something the post refers to (the organisation, a media item or the post being commented on). Check that it still exists, then schedule again.",
    sample: li(404),
  },
  {
    id: "li-411-414",
    provider: "linkedin",
    when: [{ httpStatus: [411, 414] }],
    meaning: "411 empty POST without Content-Length / 414 URL or query too long",
    class: "config",
    retry: "backoff",
    action: "contact_support",
    message:
      "Herald sent LinkedIn a request it could not take (missing length or too long a URL). This is a Herald defect: an operator must report it; the delivery goes to the dead-letter queue for replay after the fix.",
    sample: li(414),
  },
  {
    id: "li-422-duplicate",
    provider: "linkedin",
    when: [{ codes: ["DUPLICATE_POST"] }],
    meaning: "identical content posted recently; the message names the existing post",
    class: "duplicate",
    retry: "no",
    action: "adopt_existing",
    message: ({ failure }) => {
      const urn = parseDuplicateUrn(failure.message);
      return urn
        ? `LinkedIn says this post already exists (${urn}); Herald records that post instead of publishing it twice.`
        : "LinkedIn says this exact post was published recently; Herald looks for it and records it. If it is not Herald's, change the text and schedule again.";
    },
    sample: {
      provider: "linkedin",
      httpStatus: 422,
      code: "DUPLICATE_POST",
      message: "Content is a duplicate of urn:li:share:7141138937766391808",
    },
  },
  {
    id: "li-400-422",
    provider: "linkedin",
    when: [{ httpStatus: [400, 422] }],
    meaning: "validation failed",
    class: "content",
    retry: "no",
    action: "fix_content",
    message: ({ failure }) =>
      `LinkedIn rejected the post: ${clean(failure.message) ?? "a field is invalid"}. ${FIX}`,
    sample: li(422),
  },
  {
    id: "li-version",
    provider: "linkedin",
    when: [{ httpStatus: [426] }, { codes: ["NONEXISTENT_VERSION", "VERSION_MISSING"] }],
    meaning: "LinkedIn-Version retired, unknown or missing",
    class: "config",
    retry: "backoff",
    action: "contact_support",
    message: ({ failure, ctx }) => {
      const v = versionFromMessage(failure.message);
      const what =
        failure.code === "VERSION_MISSING"
          ? "Herald called LinkedIn without a LinkedIn-Version header."
          : `LinkedIn no longer accepts API version ${v ?? "(not named in its answer)"} sent as LinkedIn-Version.`;
      return `${what} An operator must set ${settingsOf(ctx).linkedinVersion} to an active version (YYYYMM from the last 12 months) and redeploy; the delivery goes to the dead-letter queue for replay after the fix.`;
    },
    sample: {
      provider: "linkedin",
      httpStatus: 426,
      code: "NONEXISTENT_VERSION",
      message: "Requested version 20241101 is not active",
    },
  },
  {
    id: "li-429",
    provider: "linkedin",
    when: [{ httpStatus: [429] }],
    meaning: "daily throttle (application or member); resets at midnight UTC",
    class: "rate_limited",
    retry: "wait_window",
    action: "wait",
    limitScope: ({ failure }) => (/\bMEMBER\b/.test(failure.message ?? "") ? "target" : "app"),
    waitUntil: () => nextUtcMidnight,
    waitNote: "next 00:00 UTC",
    message:
      "LinkedIn's daily limit is reached; the post waits until the limit resets at midnight UTC and is then published automatically.",
    sample: {
      provider: "linkedin",
      httpStatus: 429,
      message: "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
    },
  },
  {
    id: "li-5xx",
    provider: "linkedin",
    when: [{ httpStatus: [500, 502, 503, 504] }],
    meaning: "internal / unavailable / gateway timeout",
    class: "transient",
    retry: "backoff",
    action: "retry",
    message: "LinkedIn had a temporary server error; Herald checks whether the post went out and retries.",
    sample: li(503, 503, 503),
  },
];

/** The row for anything no other row matches. */
export const UNKNOWN_RULE_ID = "unknown";

function label(provider: ProviderName): string {
  return provider === "meta" ? "Meta" : "LinkedIn";
}

/** Trim a provider message for a sentence: no `(#100) ` prefix, no trailing period, bounded. */
function clean(message: string | undefined): string | undefined {
  const m = message
    ?.replace(/^\(#-?\d+\)\s*/, "")
    .trim()
    .replace(/[.\s]+$/, "");
  if (!m) return undefined;
  return m.length > 200 ? `${m.slice(0, 197)}…` : m;
}

// ── matching ──────────────────────────────────────────────────────────────────────────────

function matches(m: Match, f: ProviderFailure): boolean {
  if (m.network) return f.network !== undefined && m.network.includes(f.network);
  if (f.network !== undefined) return false;
  if (m.noCode && (f.code !== undefined || f.subcode !== undefined)) return false;
  if (m.httpStatus && (f.httpStatus === undefined || !m.httpStatus.includes(f.httpStatus))) return false;
  if (m.codes && (f.code === undefined || !m.codes.includes(f.code))) return false;
  if (m.codeRange) {
    if (typeof f.code !== "number" || f.code < m.codeRange[0] || f.code > m.codeRange[1]) return false;
  }
  if (m.subcodes && (f.subcode === undefined || !m.subcodes.includes(f.subcode))) return false;
  return true;
}

/**
 * Higher is more specific. A subcode names one failure exactly; a code (or LinkedIn's symbolic
 * code) a family; a range or an HTTP status only a broad kind.
 */
function specificity(m: Match): number {
  let s = 0;
  if (m.network) s += 1000;
  if (m.subcodes) s += 100;
  if (m.codes) s += 50;
  if (m.codeRange) s += 20;
  if (m.httpStatus) s += 10;
  return s;
}

interface Hit {
  readonly rule: ErrorRule;
  readonly score: number;
}

function findRule(f: ProviderFailure): ErrorRule | undefined {
  let best: Hit | undefined;
  for (const rule of ERROR_RULES) {
    if (rule.provider !== "any" && rule.provider !== f.provider) continue;
    for (const m of rule.when) {
      if (!matches(m, f)) continue;
      const score = specificity(m) + (rule.provider === "any" ? 0 : 1);
      if (!best || score > best.score) best = { rule, score };
    }
  }
  return best?.rule;
}

/** The existing post LinkedIn names in a DUPLICATE_POST message (`urn:li:share:…`/`urn:li:ugcPost:…`). */
export function parseDuplicateUrn(message: string | undefined): string | undefined {
  return /urn:li:(?:share|ugcPost):\d+/.exec(message ?? "")?.[0];
}

/**
 * A LinkedIn 422 that says "duplicate of urn:li:…" is the duplicate answer even when the
 * `DUPLICATE_POST` code was lost on the way (clients that keep only the top-level fields).
 */
function withDuplicateCode(f: ProviderFailure): ProviderFailure {
  if (f.provider !== "linkedin" || f.httpStatus !== 422 || typeof f.code === "string") return f;
  if (!/\bduplicate\b/i.test(f.message ?? "")) return f;
  return { ...f, code: "DUPLICATE_POST" };
}

/**
 * The provider's own code for a failure (see `ClassifiedError.code`): never a placeholder for
 * a part the provider did not report.
 */
export function providerOwnCode(f: ProviderFailure): string {
  if (f.network) return `network ${f.network}`;
  if (f.provider === "meta") {
    if (f.code !== undefined && f.subcode !== undefined) return `${f.code}/${f.subcode}`;
    if (f.code !== undefined || f.subcode !== undefined) return String(f.code ?? f.subcode);
    if (f.containerError) return "container ERROR";
    return f.httpStatus === undefined ? "no code" : `HTTP ${f.httpStatus}`;
  }
  const parts: string[] = [];
  if (f.subcode !== undefined && f.subcode !== f.httpStatus) parts.push(String(f.subcode));
  if (typeof f.code === "string") parts.push(f.code);
  if (parts.length > 0) return parts.join(" ");
  return f.httpStatus === undefined ? "no code" : `HTTP ${f.httpStatus}`;
}

/** `meta 190/463`, `meta 2207026`, `linkedin 422 DUPLICATE_POST`, `linkedin 401 65601 REVOKED_ACCESS_TOKEN`. */
export function providerCodeOf(f: ProviderFailure): string {
  if (f.network) return `${f.provider} network ${f.network}`;
  if (f.provider === "meta") return `meta ${providerOwnCode(f).replace(/^HTTP /, "http ")}`;
  const parts = [`linkedin ${f.httpStatus ?? "?"}`];
  if (f.subcode !== undefined && f.subcode !== f.httpStatus) parts.push(String(f.subcode));
  if (typeof f.code === "string") parts.push(f.code);
  return parts.join(" ");
}

const ORDINAL_NOUN = (m: FailedMediaItem) => (m.carouselChild ? "Carousel item" : "Media item");

/** `Carousel item 2 of 3 (https://cdn.example/b.jpg)`: the item a failure is about, by position and URL. */
export function describeMediaItem(m: FailedMediaItem): string {
  return `${ORDINAL_NOUN(m)} ${m.position} of ${m.count} (${m.url})`;
}

/**
 * Classify a provider failure. Anything no row matches is `unknown`: retried with backoff, then
 * left to the dead-letter queue. A failure about one media item names it (position and URL)
 * at the start of the message.
 */
export function classifyProviderError(input: ProviderFailure, ctx: ClassifyContext = {}): ClassifiedError {
  const failure = withDuplicateCode(input);
  const code = providerOwnCode(failure);
  const providerCode = providerCodeOf(failure);
  const rule = findRule(failure);
  // The item is named when the row is about media, the container itself failed, or nothing is
  // known about the failure; an expired token met while uploading item 2 is not item 2's fault.
  const media = rule === undefined || rule.mediaItem || failure.containerError ? failure.media : undefined;
  const naming = (message: string) => (media ? `${describeMediaItem(media)}: ${message}` : message);
  if (!rule) {
    return {
      class: "unknown",
      retry: "backoff",
      action: "retry",
      message: naming(
        `${label(failure.provider)} answered with an error Herald does not recognise (${providerCode}); Herald retries a few times, then hands the delivery to an operator.`,
      ),
      code,
      providerCode,
      rule: UNKNOWN_RULE_ID,
      ...(media ? { media } : {}),
    };
  }
  const ri: RuleInput = { failure, ctx };
  const refined = rule.refine?.(ri);
  const waitUntil =
    refined?.retry === "backoff" && rule.retry !== "backoff" ? undefined : rule.waitUntil?.(ri);
  const limitScope = typeof rule.limitScope === "function" ? rule.limitScope(ri) : rule.limitScope;
  const existingUrn = rule.class === "duplicate" ? parseDuplicateUrn(failure.message) : undefined;
  return {
    class: refined?.class ?? rule.class,
    retry: refined?.retry ?? rule.retry,
    action: refined?.action ?? rule.action,
    message: naming(
      refined?.message ?? (typeof rule.message === "function" ? rule.message(ri) : rule.message),
    ),
    code,
    providerCode,
    rule: rule.id,
    ...(waitUntil ? { waitUntil } : {}),
    ...(limitScope ? { limitScope } : {}),
    ...(rule.container ? { container: rule.container } : {}),
    ...(existingUrn ? { existingUrn } : {}),
    ...(media ? { media } : {}),
  };
}

/**
 * The classification as stored on a delivery: `waitUntil` evaluated to an ISO time. `class`,
 * `code`, `message` and `action` are the fields a client reads (`lastError`).
 */
export interface StoredProviderError {
  readonly class: ErrorClass;
  readonly retry: RetryMode;
  readonly action: ErrorAction;
  readonly message: string;
  /**
   * The provider's own code (`9004/2207052`, `2207026`, `DUPLICATE_POST`); see
   * `ClassifiedError.code`. Absent on Herald's own refusals (target unusable, breaker open).
   */
  readonly code?: string;
  readonly providerCode: string;
  readonly rule: string;
  readonly waitUntil?: string;
  readonly existingUrn?: string;
  /** The media item the failure is about. */
  readonly media?: FailedMediaItem;
}

export function toStoredError(c: ClassifiedError, now: Date): StoredProviderError {
  return {
    class: c.class,
    retry: c.retry,
    action: c.action,
    message: c.message,
    code: c.code,
    providerCode: c.providerCode,
    rule: c.rule,
    ...(c.waitUntil ? { waitUntil: c.waitUntil(now).toISOString() } : {}),
    ...(c.existingUrn ? { existingUrn: c.existingUrn } : {}),
    ...(c.media ? { media: c.media } : {}),
  };
}
