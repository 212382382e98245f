/**
 * The ports the posts use cases depend on. Adapters (DynamoDB, Scheduler, fetch) implement
 * them in `../adapters/`; unit tests pass in-memory fakes (`test/unit/posts/fakes.ts`).
 */
import type { DeliveryStatus, LedgerEntry } from "../../../schemas/api/deliveries.js";
import type { PostStatus } from "../../../schemas/api/posts.js";
import type { TargetLookup } from "../../connections/use-cases/ports.js";
import type { TenantSettings } from "../../tenants/use-cases/ports.js";
import type { MediaInfo } from "../domain/media.js";
import type { Delivery, Post } from "../domain/post.js";

export { WriteConflict } from "../../platform/write-conflict.js";

/** Posts' item types, as the publishing context sees them through this port. */
export type { Delivery, DeliveryError, Post } from "../domain/post.js";

/** A page of results; `nextCursor` is opaque to clients. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface PostFilter {
  readonly status?: PostStatus;
  readonly targetId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly cursor?: string;
  readonly limit: number;
}

export interface PostStore {
  /** Insert a new post (fails if the id exists). */
  create(post: Post): Promise<void>;
  get(tenantId: string, id: string): Promise<Post | undefined>;
  /** Replace the post when the stored version is `expectedVersion`; WriteConflict otherwise. */
  replace(next: Post, expectedVersion: number): Promise<void>;
  /** Delete when the stored version is `expectedVersion` and its status is one of `statuses`. */
  delete(
    tenantId: string,
    id: string,
    expectedVersion: number,
    statuses: readonly PostStatus[],
  ): Promise<void>;
  /** Newest first. A malformed or foreign cursor → InvalidCursor. */
  list(tenantId: string, filter: PostFilter): Promise<Page<Post>>;
}

export interface DeliveryFilter {
  readonly status?: DeliveryStatus;
  readonly targetId?: string;
  /** publishAt ≥ from (UTC ISO). */
  readonly from?: string;
  /** publishAt < to (UTC ISO). */
  readonly to?: string;
  readonly cursor?: string;
  readonly limit: number;
}

export interface DeliveryStore {
  get(tenantId: string, id: string): Promise<Delivery | undefined>;
  /** Earliest publishAt first. */
  list(tenantId: string, filter: DeliveryFilter): Promise<Page<Delivery>>;
  /**
   * One transaction: insert every delivery and replace the post if it is still at
   * `expectedPostVersion`. WriteConflict when the post moved on.
   */
  createWithPost(deliveries: readonly Delivery[], post: Post, expectedPostVersion: number): Promise<void>;
  /**
   * Replace a delivery when its stored status is one of `fromStatuses` and its version is
   * `expectedVersion`; WriteConflict (with the stored status/version) otherwise.
   */
  replace(next: Delivery, expectedVersion: number, fromStatuses: readonly DeliveryStatus[]): Promise<void>;
}

/** A cursor that was not issued to this tenant for this list. */
export class InvalidCursor extends Error {}

/** One EventBridge Scheduler `at()` schedule per delivery. */
export interface ScheduleGateway {
  /** Create the delivery's schedule; if one with its name exists already, make it match. */
  upsert(delivery: Delivery, correlationId: string): Promise<void>;
  /** Delete the delivery's schedule; a missing one is fine. */
  remove(delivery: Delivery): Promise<void>;
}

export interface MediaInspector {
  /** Inspect each URL (fetch its first bytes); never throws for a bad URL, reports it instead. */
  inspect(urls: readonly string[]): Promise<ReadonlyMap<string, MediaInfo>>;
}

export interface SettingsReader {
  get(tenantId: string): Promise<TenantSettings>;
}

/** Where use cases report conditions they handle but an operator should see (Powertools in the wiring). */
export interface PostsLog {
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface PostsDeps {
  readonly posts: PostStore;
  readonly deliveries: DeliveryStore;
  readonly targets: TargetLookup;
  readonly media: MediaInspector;
  readonly schedules: ScheduleGateway;
  readonly settings: SettingsReader;
  readonly log: PostsLog;
  readonly now: () => Date;
  readonly newId: (prefix: "pst" | "dlv") => string;
  readonly limits: {
    /** Earliest schedulable time, seconds from now. */
    readonly minLeadSeconds: number;
    /** Latest schedulable time, days from now. */
    readonly horizonDays: number;
  };
}

/**
 * What the publishing context may do with posts' items, implemented by the posts context
 * (`postsForPublishing`, ./aggregate.ts) and plugged in by the publishing wiring: deliveries
 * are read and replaced through the same `DeliveryStore` rule (conditional on version and
 * status; ledger appended with `appendLedger`), posts are only read, and a post's aggregate
 * status is settled by posts' one rule (`settlePostStatus`).
 */
export interface PostsForPublishing {
  readonly deliveries: Pick<DeliveryStore, "get" | "replace"> & {
    /** The one ledger rule (append, keep the newest `MAX_LEDGER`): every writer of a delivery's ledger uses it. */
    appendLedger(ledger: readonly LedgerEntry[], entry: LedgerEntry): LedgerEntry[];
  };
  readonly posts: {
    get(tenantId: string, id: string): Promise<Post | undefined>;
    /** Recompute the post's aggregate status after `changed` was written (version-guarded, re-read on conflict). */
    settle(changed: Delivery, by: string): Promise<void>;
  };
}

/** Who is acting, from the verified token. */
export interface Actor {
  readonly tenantId: string;
  readonly userId: string;
}
