/**
 * Deliveries of a target that can no longer be published to (ConnectionDisconnected v1:
 * disconnected, revoked, needs re-auth) are BLOCKED, with the reconnect action in their
 * ledger; after a reconnect they go back to SCHEDULED.
 *   event consumer → these functions → DeliveryStore (conditional writes), ScheduleGateway
 *
 * Blocking keeps the schedule: if it fires while the delivery is BLOCKED the worker drops the
 * message (status is not SCHEDULED/RETRYING). Unblocking bumps the version and writes the
 * schedule again, so only the new firing counts. A delivery whose time is already (nearly)
 * past stays BLOCKED for an admin to reschedule.
 */
import type { DeliveryStatus } from "../../../schemas/api/deliveries.js";
import type { Delivery } from "../domain/post.js";
import { deliveryFromStates, nextDeliveryStatus } from "../domain/transitions.js";
import { type PostsDeps, WriteConflict } from "./ports.js";

async function deliveriesOf(
  deps: Pick<PostsDeps, "deliveries">,
  tenantId: string,
  targetId: string,
): Promise<Delivery[]> {
  const all: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.deliveries.list(tenantId, {
      targetId,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export interface BlockOutcome {
  readonly changed: readonly Delivery[];
  /** Lost a race (e.g. the worker claimed it meanwhile): left as it is now. */
  readonly skipped: readonly string[];
}

export async function blockTargetDeliveries(
  deps: Pick<PostsDeps, "deliveries" | "now">,
  input: {
    tenantId: string;
    targetIds: readonly string[];
    reason: string;
    action: string;
    /** The next step's kind (`reconnect`), kept in the ledger entry as `action` for clients. */
    actionType?: string;
    /**
     * When the connection was lost (the event's `occurredAt`). A delivery created or unblocked
     * at or after it is left alone: a reconnect overtook this (late, retried) message.
     */
    occurredAt?: string;
  },
): Promise<BlockOutcome> {
  const changed: Delivery[] = [];
  const skipped: string[] = [];
  // A delivery being published is the worker's to finish (it blocks it itself on an auth error).
  const from: DeliveryStatus[] = deliveryFromStates("block").filter((s) => s !== "PUBLISHING");
  for (const targetId of input.targetIds) {
    for (const d of await deliveriesOf(deps, input.tenantId, targetId)) {
      if (!from.includes(d.status)) continue;
      if (input.occurredAt && newerThan(d, input.occurredAt)) {
        skipped.push(d.id);
        continue;
      }
      const at = deps.now().toISOString();
      const status = nextDeliveryStatus(d.status, "block");
      const next: Delivery = {
        ...d,
        status,
        version: d.version + 1,
        updatedAt: at,
        ledger: [
          ...d.ledger,
          {
            at,
            event: "blocked",
            status,
            by: "herald",
            detail: `${input.reason}: ${input.action}`,
            ...(input.actionType ? { action: input.actionType } : {}),
          },
        ],
      };
      try {
        await deps.deliveries.replace(next, d.version, from);
        changed.push(next);
      } catch (error) {
        if (!(error instanceof WriteConflict)) throw error;
        skipped.push(d.id);
      }
    }
  }
  return { changed, skipped };
}

/** Created, or put back on schedule after a reconnect, at or after `instant` (ISO-8601 UTC). */
const newerThan = (d: Delivery, instant: string) => {
  const t = Date.parse(instant);
  return (
    Date.parse(d.createdAt) >= t || d.ledger.some((e) => e.event === "unblocked" && Date.parse(e.at) >= t)
  );
};

export async function unblockTargetDeliveries(
  deps: Pick<PostsDeps, "deliveries" | "schedules" | "now" | "limits">,
  input: { tenantId: string; targetIds: readonly string[]; correlationId: string },
): Promise<BlockOutcome> {
  const changed: Delivery[] = [];
  const skipped: string[] = [];
  const earliest = deps.now().getTime() + deps.limits.minLeadSeconds * 1000;
  for (const targetId of input.targetIds) {
    for (const d of await deliveriesOf(deps, input.tenantId, targetId)) {
      if (d.status !== "BLOCKED") continue;
      if (Date.parse(d.publishAt) < earliest) {
        skipped.push(d.id);
        continue;
      }
      const at = deps.now().toISOString();
      const status = nextDeliveryStatus(d.status, "unblock");
      const next: Delivery = {
        ...d,
        status,
        version: d.version + 1,
        updatedAt: at,
        ledger: [...d.ledger, { at, event: "unblocked", status, by: "herald" }],
      };
      try {
        await deps.deliveries.replace(next, d.version, ["BLOCKED"]);
      } catch (error) {
        if (!(error instanceof WriteConflict)) throw error;
        skipped.push(d.id);
        continue;
      }
      await deps.schedules.upsert(next, input.correlationId);
      changed.push(next);
    }
  }
  return { changed, skipped };
}
