/** Post and Delivery as stored and used by the use cases (pure types). */
import type { DeliveryStatus, LedgerEntry } from "../../../schemas/api/deliveries.js";
import type { Content, HistoryEntry, PostStatus, Variants } from "../../../schemas/api/posts.js";
import type { Platform } from "../../connections/domain/target.js";

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
}

/** The EventBridge Scheduler schedule name of a delivery (≤ 64 chars of `[0-9a-zA-Z-_.]`). */
export const scheduleNameFor = (deliveryId: string) => `dlv-${deliveryId}`.slice(0, 64);
