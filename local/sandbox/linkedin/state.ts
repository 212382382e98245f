import { createHash, randomBytes } from "node:crypto";
import type { SandboxContext } from "../core/types.js";
import {
  LINKEDIN_SEED,
  type LinkedInSeedAcl,
  type LinkedInSeedApp,
  type LinkedInSeedMember,
  type LinkedInSeedOrganization,
  organizationUrn,
  personUrn,
} from "./seed.js";

/**
 * LinkedIn-only knobs that are not part of the shared `SandboxConfig` (which refuses unknown
 * keys). Read and changed through `GET/PUT /_sandbox/linkedin/settings`; reset with the state.
 */
export interface LinkedInSettings {
  /** Accept any `http://127.0.0.1:<port>/…` and `http://localhost:<port>/…` redirect URI. */
  allowLoopbackRedirects: boolean;
  /** Extra redirect URIs accepted for every app (on top of each app's registered ones). */
  extraRedirectUris: string[];
  /** Access-token lifetime (LinkedIn: 60 days). */
  accessTokenSeconds: number;
  /** Refresh-token lifetime, fixed at the first authorization (LinkedIn: 365 days). */
  refreshTokenSeconds: number;
  /** Authorization-code lifetime (LinkedIn: 30 minutes). */
  codeSeconds: number;
  /** Refuse `/rest` calls without `X-Restli-Protocol-Version: 2.0.0` (400). */
  requireRestliProtocolHeader: boolean;
  /** Tokens holding only `w_member_social` cannot read image/document status (postiz saw this). */
  mediaStatusNeedsReadScope: boolean;
  /** `/v2/userinfo` answers `locale` as `{"country","language"}` instead of `"en-US"`. */
  userinfoLocaleAsObject: boolean;
  /** Asking for a different scope set revokes the member's earlier tokens for the app (LinkedIn docs). */
  scopeChangeRevokesTokens: boolean;
  /** Upload URLs stay valid this long after `initializeUpload`. */
  uploadUrlSeconds: number;
}

export function defaultSettings(): LinkedInSettings {
  return {
    allowLoopbackRedirects: true,
    extraRedirectUris: [],
    accessTokenSeconds: 5_184_000,
    refreshTokenSeconds: 31_536_000,
    codeSeconds: 1_800,
    requireRestliProtocolHeader: true,
    mediaStatusNeedsReadScope: false,
    userinfoLocaleAsObject: false,
    scopeChangeRevokesTokens: true,
    uploadUrlSeconds: 86_400,
  };
}

export interface AuthCode {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly member: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  used: boolean;
}

/** A consent page shown and not yet answered. */
export interface PendingAuthorization {
  readonly id: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state?: string;
  readonly scopes: readonly string[];
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly expiresAt: number;
}

export interface AccessToken {
  readonly token: string;
  readonly clientId: string;
  readonly member: string;
  readonly scopes: readonly string[];
  readonly createdAt: number;
  /** When the member first authorized the app (ms). */
  readonly authorizedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshToken {
  readonly token: string;
  readonly clientId: string;
  readonly member: string;
  readonly scopes: readonly string[];
  readonly authorizedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export type MediaKind = "image" | "video" | "document";

export interface UploadPart {
  readonly firstByte: number;
  readonly lastByte: number;
  readonly token: string;
  etag?: string;
}

export interface MediaAsset {
  readonly urn: string;
  readonly kind: MediaKind;
  readonly owner: string;
  readonly createdAt: number;
  readonly uploadExpiresAt: number;
  /** Video only: the announced size. */
  readonly fileSizeBytes?: number;
  readonly parts: UploadPart[];
  /** When processing began (upload complete / finalize); undefined while WAITING_UPLOAD. */
  processingStartedAt?: number;
  /** A failure decided at upload (bad bytes) or by the control route. */
  failureReason?: string;
  finalized: boolean;
  bytes: number;
  /** Format sniffed from the uploaded bytes. */
  format?: string;
  width?: number;
  height?: number;
}

export interface Post {
  readonly urn: string;
  readonly author: string;
  /** Commentary as accepted (LinkedIn "little text", cut at the first unescaped reserved char). */
  commentary: string;
  /** What readers see: escapes removed, mentions and hashtags rendered. */
  text: string;
  readonly visibility: string;
  readonly distribution: unknown;
  readonly content?: Record<string, unknown>;
  readonly reshareContext?: unknown;
  readonly lifecycleState: string;
  readonly isReshareDisabledByAuthor: boolean;
  readonly createdAt: number;
  lastModifiedAt: number;
  readonly duplicateKey: string;
  deleted: boolean;
}

export interface Comment {
  readonly urn: string;
  readonly id: string;
  readonly actor: string;
  readonly object: string;
  readonly text: string;
  readonly createdAt: number;
}

/** Everything the LinkedIn sandbox remembers; rebuilt from the seeds by `POST /_sandbox/reset`. */
export interface LinkedInState {
  settings: LinkedInSettings;
  apps: LinkedInSeedApp[];
  members: LinkedInSeedMember[];
  organizations: LinkedInSeedOrganization[];
  acls: LinkedInSeedAcl[];
  seq: number;
  pending: Map<string, PendingAuthorization>;
  codes: Map<string, AuthCode>;
  tokens: Map<string, AccessToken>;
  refreshTokens: Map<string, RefreshToken>;
  posts: Map<string, Post>;
  comments: Map<string, Comment>;
  media: Map<string, MediaAsset>;
  /** Upload token (the `ut` of an upload URL) → media URN and part index. */
  uploads: Map<string, { urn: string; part: number }>;
  /** Daily call counters keyed by `<scope>|<key>|<UTC day number>`. */
  counters: Map<string, number>;
}

function initialState(): LinkedInState {
  return {
    settings: defaultSettings(),
    apps: LINKEDIN_SEED.apps.map((a) => ({ ...a, redirectUris: [...a.redirectUris], scopes: [...a.scopes] })),
    members: LINKEDIN_SEED.members.map((m) => ({ ...m })),
    organizations: LINKEDIN_SEED.organizations.map((o) => ({ ...o })),
    acls: LINKEDIN_SEED.acls.map((a) => ({ ...a })),
    seq: 0,
    pending: new Map(),
    codes: new Map(),
    tokens: new Map(),
    refreshTokens: new Map(),
    posts: new Map(),
    comments: new Map(),
    media: new Map(),
    uploads: new Map(),
    counters: new Map(),
  };
}

/** The provider's state for this sandbox (fresh after every reset). */
export function liState(ctx: SandboxContext): LinkedInState {
  return ctx.state("linkedin", initialState);
}

/** Next number of the state's sequence (restarts at reset, so ids are reproducible). */
export function nextSeq(st: LinkedInState): number {
  st.seq += 1;
  return st.seq;
}

/** A LinkedIn-looking opaque token (`AQ…`, about 500 characters; LinkedIn says plan for 1,000). */
export function opaqueToken(prefix = "AQ", bytes = 372): string {
  return prefix + randomBytes(bytes).toString("base64url");
}

/** A share/comment id: 19 digits, increasing, like LinkedIn's activity ids. */
export function activityId(st: LinkedInState): string {
  return (7141138937766391808n + BigInt(nextSeq(st)) * 7919n).toString();
}

/** A media asset id like `C4E10AQH-oV1qvnFtKA`: a kind prefix and 12 deterministic characters. */
export function assetId(st: LinkedInState, kind: MediaKind): string {
  const prefix = kind === "image" ? "D4E10AQ" : kind === "video" ? "C5505AQ" : "D4D10AQ";
  const tail = createHash("sha256")
    .update(`${kind}:${nextSeq(st)}`)
    .digest("base64url")
    .slice(0, 12);
  return prefix + tail;
}

/** The UTC day number of an epoch-ms instant (LinkedIn's limits reset at midnight UTC). */
export function utcDay(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

export function findApp(st: LinkedInState, clientId: string | null | undefined): LinkedInSeedApp | undefined {
  return clientId ? st.apps.find((a) => a.clientId === clientId) : undefined;
}

export function findMember(
  st: LinkedInState,
  sub: string | null | undefined,
): LinkedInSeedMember | undefined {
  return sub ? st.members.find((m) => m.sub === sub) : undefined;
}

/** Organisation ids the member holds an APPROVED ADMINISTRATOR role on. */
export function administeredOrgs(st: LinkedInState, member: string): number[] {
  return st.acls
    .filter((a) => a.member === member && a.role === "ADMINISTRATOR" && a.state === "APPROVED")
    .map((a) => a.organization);
}

/** Whether the member may act as `urn` (it is them, or an organisation they administer). */
export function mayActAs(st: LinkedInState, member: string, urn: string): boolean {
  if (urn === personUrn(member)) return true;
  return administeredOrgs(st, member).some((id) => organizationUrn(id) === urn);
}
