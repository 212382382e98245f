import { randomBytes } from "node:crypto";
import type { SandboxContext } from "../core/types.js";

/** An access token the sandbox issued. */
export interface TokenRecord {
  readonly token: string;
  readonly kind: "user" | "page";
  readonly appId: string;
  readonly userId: string;
  /** For Page tokens: the Page. */
  readonly pageId?: string;
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  /** Epoch ms; 0 = never expires. Mutable so a test can expire it. */
  expiresAt: number;
  readonly longLived: boolean;
  /** Issue order, compared with the user's invalidation marks. */
  readonly seq: number;
  /** The Page tokens `/me/accounts` handed out for this user token (same token every time). */
  readonly pageTokens: Map<string, string>;
}

/** One consent: what a user granted an app. */
export interface Grant {
  readonly scopes: string[];
  readonly declined: string[];
  readonly pageIds: string[];
}

/** A login-dialog code. */
export interface AuthCode {
  readonly appId: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly createdAt: number;
  used: boolean;
}

export interface FbPost {
  readonly id: string;
  readonly pageId: string;
  readonly message?: string;
  readonly link?: string;
  readonly createdAt: number;
  /** When it goes (or went) live; equals createdAt unless scheduled. */
  readonly publishAt: number;
  readonly published: boolean;
  readonly attachedMedia: readonly string[];
  readonly kind: "status" | "photo" | "video";
  deleted: boolean;
}

export interface FbPhoto {
  readonly id: string;
  readonly pageId: string;
  readonly url?: string;
  readonly caption?: string;
  readonly published: boolean;
  readonly postId?: string;
  readonly createdAt: number;
  /** Set when a multi-photo post uses it. */
  attachedTo?: string;
}

export interface FbVideo {
  readonly id: string;
  readonly pageId: string;
  readonly title?: string;
  readonly description?: string;
  readonly createdAt: number;
  readonly readyAt: number;
  readonly postId?: string;
  deleted: boolean;
}

export interface Comment {
  readonly id: string;
  readonly objectId: string;
  readonly ownerId: string;
  readonly message: string;
  readonly createdAt: number;
}

export type ContainerKind = "IMAGE" | "REELS" | "STORIES" | "VIDEO" | "CAROUSEL";

export interface IgContainer {
  readonly id: string;
  readonly igUserId: string;
  readonly kind: ContainerKind;
  readonly isCarouselItem: boolean;
  readonly mediaUrl?: string;
  readonly caption?: string;
  readonly children: readonly string[];
  readonly createdAt: number;
  /** When processing ends; pushed out while a resumable upload is awaited. */
  readyAt: number;
  /** Resumable upload (`upload_type=resumable`): bytes expected and received so far. */
  upload?: { fileSize?: number; received: number; head?: Buffer };
  /** Set when processing failed: the subcode reported in `status`. */
  errorSubcode?: number;
  publishedMediaId?: string;
  readonly extra: Record<string, string>;
}

export interface IgMedia {
  readonly id: string;
  readonly igUserId: string;
  readonly containerId: string;
  readonly kind: ContainerKind;
  readonly caption?: string;
  readonly shortcode: string;
  readonly permalink: string;
  readonly publishedAt: number;
}

/** Everything the Meta sandbox remembers; reset with the sandbox. */
export interface MetaState {
  seq: number;
  readonly codes: Map<string, AuthCode>;
  readonly tokens: Map<string, TokenRecord>;
  readonly grants: Map<string, Grant>;
  /** Per user: the seq before which tokens died, and why. */
  readonly invalidations: Map<string, { appRemovedSeq?: number; passwordSeq?: number }>;
  readonly posts: Map<string, FbPost>;
  /** Page id → its latest text post (the 506 duplicate check compares with it). */
  readonly latestStatus: Map<string, FbPost>;
  readonly photos: Map<string, FbPhoto>;
  readonly videos: Map<string, FbVideo>;
  readonly comments: Map<string, Comment>;
  readonly containers: Map<string, IgContainer>;
  readonly igMedia: Map<string, IgMedia>;
  /** IG user id → publish times (ms), for the moving 24 h quota. */
  readonly igPublishes: Map<string, number[]>;
  /** Usage key → call times (ms), for the usage headers. */
  readonly usage: Map<string, number[]>;
  /** `userId|pageId` pairs whose Page role was taken away (Page tokens answer 190/492). */
  readonly removedRoles: Set<string>;
  /** Page id → app id → subscribed webhook fields (`POST /{page}/subscribed_apps`). */
  readonly subscriptions: Map<string, Map<string, string[]>>;
}

export const metaState = (ctx: SandboxContext): MetaState =>
  ctx.state<MetaState>("meta", () => ({
    seq: 0,
    codes: new Map(),
    tokens: new Map(),
    grants: new Map(),
    invalidations: new Map(),
    posts: new Map(),
    latestStatus: new Map(),
    photos: new Map(),
    videos: new Map(),
    comments: new Map(),
    containers: new Map(),
    igMedia: new Map(),
    igPublishes: new Map(),
    usage: new Map(),
    removedRoles: new Set(),
    subscriptions: new Map(),
  }));

// Ids stay unique across resets within a process so stale ids never alias new objects.
const idBase = Date.now() % 1_000_000_000;
let idSeq = 0;

/** A fresh numeric object id, like Graph ids (digits only). */
export function newId(prefix = "1"): string {
  idSeq += 1;
  return `${prefix}${String(idBase).padStart(9, "0")}${String(idSeq).padStart(5, "0")}`;
}

/** A fresh opaque access token (Graph user/Page tokens start with `EAA`). */
export function newToken(): string {
  return `EAAB${randomBytes(48).toString("base64url").replace(/[-_]/g, "Z")}`;
}

/** An Instagram shortcode (11 characters). */
export function newShortcode(): string {
  return randomBytes(9).toString("base64url").slice(0, 11);
}

export const grantKey = (appId: string, userId: string) => `${appId}|${userId}`;

/** Graph timestamps: `2026-11-26T11:00:00+0000`. */
export function graphTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}
