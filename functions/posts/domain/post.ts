/** Post and Delivery as stored and used by the use cases (pure types). */
import type {
  DeliveryErrorResponse,
  DeliveryStatus,
  LedgerEntry,
} from "../../../schemas/entities/deliveries.js";
import type { Content, HistoryEntry, PostStatus, Variants } from "../../../schemas/entities/posts.js";
import type { Platform } from "../../connections/use-cases/ports.js";

export interface Post {
  readonly tenantId: string;
  readonly id: string;
  readonly status: PostStatus;
  /** Starts at 1; +1 on every change; the ETag. */
  readonly version: number;
  readonly content: Content;
  readonly variants?: Variants;
  readonly targetIds: readonly string[];
  readonly deliveryIds: readonly string[];
  readonly history: readonly HistoryEntry[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export interface Delivery {
  readonly tenantId: string;
  readonly id: string;
  readonly postId: string;
  readonly targetId: string;
  readonly platform: Platform;
  readonly status: DeliveryStatus;
  /** Starts at 1; +1 on reschedule/cancel and on every worker step; carried in PublishRequested. */
  readonly version: number;
  /** UTC ISO-8601. */
  readonly publishAt: string;
  /** IANA zone for display. */
  readonly timeZone: string;
  readonly scheduleName: string;
  readonly ledger: readonly LedgerEntry[];
  readonly providerPostId?: string;
  readonly permalink?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * When the publish worker moved the next attempt past `publishAt` (a retry, a rate limit,
   * Instagram's publishing quota): the time it really goes. Cleared by a reschedule.
   */
  readonly nextAttemptAt?: string;
  /** The last failure as the worker classified it. */
  readonly lastError?: DeliveryError;
  readonly publishedAt?: string;
  /** Handed to the dead-letter queue (NEEDS_ATTENTION): a replay of that message resumes it. */
  readonly deadLetter?: { readonly fromVersion: number; readonly messageId: string; readonly at: string };
  /** The worker's lease on a claim: which message claimed it, until when. */
  readonly lease?: { readonly until: string; readonly fromVersion: number; readonly messageId: string };
  /** The worker's handover to a wait: which message handed it over, when the next try is due, how. */
  readonly handoff?: {
    readonly fromVersion: number;
    readonly at: string;
    readonly via: "queue" | "scheduler";
  };
  /** The publishing context's step state, opaque here (it parses it: `publishing/domain/publish-state.ts`). */
  readonly publishing?: unknown;
}

/** A delivery's last failure: the API's `lastError` plus what the worker keeps for itself. */
export interface DeliveryError extends DeliveryErrorResponse {
  readonly retry?: string;
  /** The error-table row that matched. */
  readonly rule?: string;
  readonly waitUntil?: string;
  readonly existingUrn?: string;
  /** The provider's raw answer, kept for support; never shown in the API. */
  readonly raw?: unknown;
}

/**
 * When the delivery really goes (or went): the next attempt the worker planned, else its
 * publish time. The one time lists (GSI1SK), their from/to and the calendar use.
 */
export const goesAt = (d: Pick<Delivery, "publishAt" | "nextAttemptAt">): string =>
  d.nextAttemptAt ?? d.publishAt;

/** Ledger lines kept per delivery; older ones are dropped (an item stays far below 400 KB). */
export const MAX_LEDGER = 200;

/** The one ledger rule for every writer (posts and the publish worker): append, keep the newest MAX_LEDGER. */
export function appendLedger(ledger: readonly LedgerEntry[], entry: LedgerEntry): LedgerEntry[] {
  const out = [...ledger, entry];
  return out.length > MAX_LEDGER ? out.slice(out.length - MAX_LEDGER) : out;
}

/** The EventBridge Scheduler schedule name of a delivery (≤ 64 chars of `[0-9a-zA-Z-_.]`). */
export const scheduleNameFor = (deliveryId: string) => `dlv-${deliveryId}`.slice(0, 64);
