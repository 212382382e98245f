import { randomBytes } from "node:crypto";
import { SANDBOX_APPS } from "../core/apps.js";
import type { ErrorPreset, SandboxRequest, SandboxResponse } from "../core/types.js";

/** The fields of a Graph API error body (`{"error":{…}}`). */
export interface GraphErrorFields {
  readonly message: string;
  readonly type?: string;
  readonly code: number;
  readonly error_subcode?: number;
  readonly is_transient?: boolean;
  readonly error_user_title?: string;
  readonly error_user_msg?: string;
}

/** A random `fbtrace_id` in the shape Meta sends (11 base64url characters, leading A). */
export function fbtraceId(): string {
  return `A${randomBytes(15).toString("base64url").slice(0, 22)}`;
}

/** The version segment of a Graph path (`/meta/graph/v25.0/…`), default v25.0. */
export function graphVersion(req: SandboxRequest): string {
  return /^\/meta\/graph\/(v\d+\.\d+)\//.exec(req.path)?.[1] ?? "v25.0";
}

/** Headers every Graph answer carries. */
export function graphHeaders(req: SandboxRequest): Record<string, string> {
  return {
    "facebook-api-version": graphVersion(req),
    "x-fb-trace-id": fbtraceId().slice(1, 12),
    "x-fb-rev": "1029384756",
    "content-type": "application/json; charset=UTF-8",
    "cache-control": "private, no-cache, no-store, must-revalidate",
  };
}

/**
 * A Graph error answer: HTTP 400 unless told otherwise (Meta answers 400 for nearly
 * everything, auth included), `type` OAuthException unless told otherwise, a fresh
 * `fbtrace_id`, and `WWW-Authenticate` on auth errors (code 190, 102 and 2500/104).
 */
export function graphError(
  req: SandboxRequest,
  fields: GraphErrorFields,
  opts: { status?: number; wwwAuthenticate?: string } = {},
): SandboxResponse {
  const headers = graphHeaders(req);
  const auth = fields.code === 190 || fields.code === 102 || opts.wwwAuthenticate !== undefined;
  if (auth) {
    headers["www-authenticate"] =
      `OAuth "Facebook Platform" "${opts.wwwAuthenticate ?? "invalid_token"}" "${fields.message.replace(/"/g, "'")}"`;
  }
  return {
    status: opts.status ?? 400,
    headers,
    body: { error: { type: "OAuthException", ...fields, fbtrace_id: fbtraceId() } },
  };
}

const utcStamp = (ms: number) => {
  const d = new Date(ms);
  const weekday = d.toLocaleDateString("en-US", { weekday: "long", timeZone: "UTC" });
  const month = d.toLocaleDateString("en-US", { month: "short", timeZone: "UTC" });
  const dd = String(d.getUTCDate()).padStart(2, "0");
  const yy = String(d.getUTCFullYear() % 100).padStart(2, "0");
  return `${weekday}, ${dd}-${month}-${yy} ${d.toISOString().slice(11, 19)} UTC`;
};

/** The Graph errors the sandbox answers with, by name; the fault presets are built from them. */
export const META_ERRORS = {
  tokenExpired: (expiredAtMs: number, nowMs: number): GraphErrorFields => ({
    message: `Error validating access token: Session has expired on ${utcStamp(expiredAtMs)}. The current time is ${utcStamp(nowMs)}.`,
    code: 190,
    error_subcode: 463,
  }),
  appRemoved: (appId: string): GraphErrorFields => ({
    message: `Error validating access token: The user has not authorized application ${appId}.`,
    code: 190,
    error_subcode: 458,
  }),
  passwordChanged: (): GraphErrorFields => ({
    message:
      "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
    code: 190,
    error_subcode: 460,
  }),
  sessionInvalid: (): GraphErrorFields => ({
    message: "Error validating access token: The session is invalid because the user logged out.",
    code: 190,
    error_subcode: 467,
  }),
  lostPageRole: (): GraphErrorFields => ({
    message: "Error validating access token: The user is not an admin, editor, or moderator of the page.",
    code: 190,
    error_subcode: 492,
  }),
  cannotParseToken: (): GraphErrorFields => ({
    message: "Invalid OAuth access token - Cannot parse access token",
    code: 190,
  }),
  tokenRequired: (): GraphErrorFields => ({
    message: "An access token is required to request this resource.",
    code: 104,
  }),
  activeTokenRequired: (): GraphErrorFields => ({
    message: "An active access token must be used to query information about the current user.",
    code: 2500,
  }),
  permission10: (): GraphErrorFields => ({
    message: "(#10) Application does not have permission for this action",
    code: 10,
  }),
  pagePermission200: (): GraphErrorFields => ({
    message:
      "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission",
    code: 200,
  }),
  appLimit4: (): GraphErrorFields => ({
    message: "(#4) Application request limit reached",
    code: 4,
    is_transient: true,
  }),
  userLimit17: (): GraphErrorFields => ({
    message: "(#17) User request limit reached",
    code: 17,
    is_transient: true,
  }),
  pageLimit32: (): GraphErrorFields => ({
    message: "(#32) Page request limit reached",
    code: 32,
    is_transient: true,
  }),
  customLimit613: (): GraphErrorFields => ({
    message: "(#613) Calls to this api have exceeded the rate limit.",
    code: 613,
    is_transient: true,
  }),
  pageThrottled80001: (): GraphErrorFields => ({
    message:
      "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    code: 80001,
    is_transient: true,
  }),
  igThrottled80002: (): GraphErrorFields => ({
    message:
      "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    code: 80002,
    is_transient: true,
  }),
  transient1: (): GraphErrorFields => ({
    message: "An unknown error has occurred.",
    code: 1,
    is_transient: true,
  }),
  transient2: (): GraphErrorFields => ({
    message: "An unexpected error has occurred. Please retry your request later.",
    code: 2,
    is_transient: true,
  }),
  duplicate506: (): GraphErrorFields => ({
    message: "(#506) Duplicate status message",
    code: 506,
    error_subcode: 1455006,
    is_transient: false,
    error_user_title: "Duplicate Status Update",
    error_user_msg:
      "This status update is identical to the last one you posted. Try posting something different, or delete your previous update.",
  }),
  invalidParam: (message: string, subcode?: number): GraphErrorFields => ({
    message: message.startsWith("(#100)") ? message : `(#100) ${message}`,
    code: 100,
    error_subcode: subcode,
  }),
  unknownObject: (id: string): GraphErrorFields => ({
    message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: "GraphMethodException",
    code: 100,
    error_subcode: 33,
  }),
  unknownPath: (path: string): GraphErrorFields => ({
    message: `Unknown path components: ${path}`,
    code: 2500,
  }),
  nonexistingField: (field: string, node: string): GraphErrorFields => ({
    message: `(#100) Tried accessing nonexisting field (${field}) on node type (${node})`,
    code: 100,
  }),
  photoRejected1366046: (): GraphErrorFields => ({
    message:
      "Your photos couldn't be uploaded. Photos should be smaller than 4 MB and saved as JPG, PNG, GIF, TIFF, HEIF or WebP files.",
    code: 100,
    error_subcode: 1366046,
    is_transient: false,
    error_user_title: "Can't Read Files",
    error_user_msg:
      "Your photos couldn't be uploaded. Photos should be smaller than 4 MB and saved as JPG, PNG, GIF, TIFF, HEIF or WebP files.",
  }),
  photoMissing324: (): GraphErrorFields => ({ message: "(#324) Missing or invalid image file", code: 324 }),
  photosAlreadyPosted: (): GraphErrorFields => ({
    message: "These photos were already posted.",
    code: 100,
    error_subcode: 1366051,
    error_user_title: "Photos already posted",
    error_user_msg: "These photos were already posted.",
  }),
  videoFetch389: (): GraphErrorFields => ({
    message: "(#389) Unable to fetch video file from URL.",
    code: 389,
  }),
  videoFormat352: (): GraphErrorFields => ({
    message: "(#352) The video file you selected is in a format that we don't support.",
    code: 352,
  }),
  server500: (): GraphErrorFields => ({
    message: "An unexpected error has occurred. Please retry your request later.",
    code: 2,
    is_transient: true,
  }),
  // Instagram content publishing (all HTTP 400).
  igNotReady: (): GraphErrorFields => ({
    message: "Media ID is not available",
    code: 9007,
    error_subcode: 2207027,
    is_transient: false,
    error_user_title: "Media not ready for publishing",
    error_user_msg: "The media is not ready for publishing, please wait for a moment",
  }),
  igQuota: (): GraphErrorFields => ({
    message: "Application request limit reached",
    code: 9,
    error_subcode: 2207042,
    is_transient: false,
    error_user_title: "Reached publishing limit",
    error_user_msg:
      "You reached maximum number of posts that is allowed to be published by Content Publishing API.",
  }),
  igDownloadTimeout: (): GraphErrorFields => ({
    message: "Media download has timed out",
    code: -2,
    error_subcode: 2207003,
    is_transient: true,
    error_user_title: "Timeout",
    error_user_msg: "It took too long to download the media. Please try again.",
  }),
  igContainerExpired: (): GraphErrorFields => ({
    message: "The media container has expired",
    code: -2,
    error_subcode: 2207020,
    is_transient: false,
    error_user_title: "Media expired",
    error_user_msg: "The media you are trying to publish has expired. Please try again with a new media.",
  }),
  igSpam: (): GraphErrorFields => ({
    message: "Application request limit reached",
    code: 4,
    error_subcode: 2207051,
    is_transient: false,
    error_user_title: "Action Blocked",
    error_user_msg:
      "We restrict certain activity to protect our community. Let us know if you think that we made a mistake.",
  }),
  igFetchFailed: (url: string): GraphErrorFields => ({
    message: "Only photo or video can be accepted as media type.",
    code: 9004,
    error_subcode: 2207052,
    is_transient: false,
    error_user_title: "Media download has failed.",
    error_user_msg: `The media could not be fetched from this uri: ${url}. Please check the uri and try again.`,
  }),
  igImageTooLarge: (): GraphErrorFields => ({
    message: "The image size is too large.",
    code: 36000,
    error_subcode: 2207004,
    is_transient: false,
    error_user_title: "Image size too large",
    error_user_msg: "The image is too large to download. It should be less than 8 MiB.",
  }),
  igImageFormat: (): GraphErrorFields => ({
    message: "The image format is not supported.",
    code: 36001,
    error_subcode: 2207005,
    is_transient: false,
    error_user_title: "Unsupported format",
    error_user_msg: "The image format is not supported. Supported formats are: JPEG",
  }),
  igAspectRatio: (w: number, h: number): GraphErrorFields => ({
    message: `The submitted image with aspect ratio ('${w}/${h}',) cannot be published. Please submit an image with a valid aspect ratio.`,
    code: 36003,
    error_subcode: 2207009,
    is_transient: false,
    error_user_title: "Invalid aspect ratio",
    error_user_msg: "The aspect ratio of the image is not supported. It should be between 4:5 and 1.91:1.",
  }),
  igCaption: (): GraphErrorFields => ({
    message: "The caption is too long.",
    code: 36004,
    error_subcode: 2207010,
    is_transient: false,
    error_user_title: "Caption too long",
    error_user_msg: "The caption must be at most 2,200 characters, 30 hashtags and 20 @ tags.",
  }),
  igMediaType: (detail: string): GraphErrorFields => ({
    message: `The media type is not supported. ${detail}`,
    code: 100,
    error_subcode: 2207023,
    is_transient: false,
    error_user_title: "Unknown media type",
    error_user_msg: detail,
  }),
  igCarouselSize: (): GraphErrorFields => ({
    message: "The carousel must have between 2 and 10 items.",
    code: 100,
    error_subcode: 2207028,
    is_transient: false,
    error_user_title: "Carousel validation failed",
    error_user_msg: "Carousels must contain between 2 and 10 photos or videos.",
  }),
  igMediaNotFound: (id: string): GraphErrorFields => ({
    message: `The media with id ${id} cannot be found.`,
    code: 24,
    error_subcode: 2207006,
    is_transient: false,
    error_user_title: "Media not found",
    error_user_msg: "The media could not be found. It may have been removed or the access token has expired.",
  }),
  igAlreadyPublished: (): GraphErrorFields => ({
    message: "(#100) This media container has already been published and cannot be published again.",
    code: 100,
    is_transient: false,
    error_user_title: "Media already published",
    error_user_msg: "This media has already been published.",
  }),
} as const;

const preset =
  (fields: () => GraphErrorFields, status = 400): ErrorPreset =>
  (req) =>
    graphError(req, fields(), { status });

/** Fault presets (`meta.<name>`), each exactly in the reference envelope. */
export const META_ERROR_PRESETS: Record<string, ErrorPreset> = {
  "token-expired": (req, ctx) =>
    graphError(req, META_ERRORS.tokenExpired(ctx.clock.now() - 60_000, ctx.clock.now())),
  "token-revoked": (req) => graphError(req, META_ERRORS.appRemoved(SANDBOX_APPS.meta.appId)),
  "password-changed": preset(META_ERRORS.passwordChanged),
  "token-invalid": preset(META_ERRORS.sessionInvalid),
  "page-role-lost": preset(META_ERRORS.lostPageRole),
  "permission-10": preset(META_ERRORS.permission10),
  "permission-200": preset(META_ERRORS.pagePermission200),
  "rate-limit-app": preset(META_ERRORS.appLimit4),
  "user-limit-17": preset(META_ERRORS.userLimit17),
  "page-limit-32": preset(META_ERRORS.pageLimit32),
  "custom-limit-613": preset(META_ERRORS.customLimit613),
  "page-throttled": preset(META_ERRORS.pageThrottled80001),
  "page-throttled-80001": preset(META_ERRORS.pageThrottled80001),
  "ig-throttled": preset(META_ERRORS.igThrottled80002),
  "ig-throttled-80002": preset(META_ERRORS.igThrottled80002),
  "transient-1": preset(META_ERRORS.transient1),
  "transient-2": preset(META_ERRORS.transient2),
  "server-500": preset(META_ERRORS.server500, 500),
  "duplicate-506": preset(META_ERRORS.duplicate506),
  "photo-1366046": preset(META_ERRORS.photoRejected1366046),
  "ig-not-ready-9007": preset(META_ERRORS.igNotReady),
  "ig-quota-9": preset(META_ERRORS.igQuota),
  "ig-download-timeout": preset(META_ERRORS.igDownloadTimeout),
  "ig-container-expired": preset(META_ERRORS.igContainerExpired),
  "ig-fetch-failed": (req) => graphError(req, META_ERRORS.igFetchFailed("https://example.invalid/media.jpg")),
  "ig-image-too-large": preset(META_ERRORS.igImageTooLarge),
  "ig-aspect-ratio": (req) => graphError(req, META_ERRORS.igAspectRatio(2000, 800)),
  "spam-restricted": preset(META_ERRORS.igSpam),
};
