/**
 * Deliveries of a target that can no longer be published to (ConnectionDisconnected v1:
 * disconnected, revoked, needs re-auth) are BLOCKED, with the reconnect action in their
 * ledger; after a reconnect (ConnectionRestored v1) they go back to SCHEDULED.
 *   event consumers → these functions → TargetLookup, DeliveryStore (conditional writes),
 *   ScheduleGateway
 *
 * Blocking keeps the schedule: if it fires while the delivery is BLOCKED the worker drops the
 * message (status is not SCHEDULED/RETRYING). Unblocking bumps the version and writes the
 * schedule again, so only the new firing counts. A delivery whose time is already (nearly)
 * past stays BLOCKED for an admin to reschedule.
 *
 * Ordering: the two events may arrive late (retries) or in either order; the later one (by
 * `occurredAt`) wins. Each side checks the target's current status (a disconnect whose target
 * is ACTIVE again was overtaken by a reconnect, a restore whose target is out of service again
 * by a later loss) and the ledger entries, which record the `occurredAt` of the event that
 * wrote them.
 */
import type { DeliveryStatus } from "../../../schemas/api/deliveries.js";
import { appendLedger, type Delivery } from "../domain/post.js";
import { deliveryFromStates } from "../domain/transitions.js";
import { type PostsDeps, WriteConflict } from "./ports.js";
import { nextDeliveryStatus } from "./transitions.js";

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
  /** Lost a race (e.g. the worker claimed it meanwhile) or overtaken by a later event: left as it is now. */
  readonly skipped: readonly string[];
  /** Targets left alone because a later event already applies to them (their status says so). */
  readonly overtaken: readonly string[];
}

/** When the event behind a ledger entry occurred (older entries only have `at`). */
const occurredAtOf = (e: Delivery["ledger"][number]) =>
  Date.parse(typeof e.occurredAt === "string" ? e.occurredAt : e.at);

export async function blockTargetDeliveries(
  deps: Pick<PostsDeps, "deliveries" | "targets" | "now">,
  input: {
    tenantId: string;
    targetIds: readonly string[];
    reason: string;
    action: string;
    /** The next step's kind (`reconnect`), kept in the ledger entry as `action` for clients. */
    actionType?: string;
    /**
     * When the connection was lost (the event's `occurredAt`). A target that is ACTIVE again,
     * and a delivery created or unblocked by a reconnect at or after it, are left alone: a
     * reconnect overtook this (late, retried) message.
     */
    occurredAt: string;
  },
): Promise<BlockOutcome> {
  const changed: Delivery[] = [];
  const skipped: string[] = [];
  const overtaken: string[] = [];
  // A delivery being published is the worker's to finish (it fails it itself on an auth error).
  const from: DeliveryStatus[] = deliveryFromStates("block").filter((s) => s !== "PUBLISHING");
  const lostAt = Date.parse(input.occurredAt);
  for (const targetId of input.targetIds) {
    // The connections context marks targets before it announces the loss; ACTIVE now means reconnected since.
    if ((await deps.targets.getTarget(input.tenantId, targetId))?.status === "ACTIVE") {
      overtaken.push(targetId);
      continue;
    }
    for (const d of await deliveriesOf(deps, input.tenantId, targetId)) {
      if (!from.includes(d.status)) continue;
      if (
        Date.parse(d.createdAt) >= lostAt ||
        d.ledger.some((e) => e.event === "unblocked" && occurredAtOf(e) >= lostAt)
      ) {
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
        ledger: appendLedger(d.ledger, {
          at,
          event: "blocked",
          status,
          by: "herald",
          detail: `${input.reason}: ${input.action}`,
          ...(input.actionType ? { action: input.actionType } : {}),
          occurredAt: input.occurredAt,
        }),
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
  return { changed, skipped, overtaken };
}

export async function unblockTargetDeliveries(
  deps: Pick<PostsDeps, "deliveries" | "targets" | "schedules" | "now" | "limits">,
  input: {
    tenantId: string;
    targetIds: readonly string[];
    correlationId: string;
    /**
     * When the connection was restored (the event's `occurredAt`). A target out of service
     * again, and a delivery blocked by a loss that occurred after it, are left alone.
     */
    occurredAt: string;
  },
): Promise<BlockOutcome> {
  const changed: Delivery[] = [];
  const skipped: string[] = [];
  const overtaken: string[] = [];
  const earliest = deps.now().getTime() + deps.limits.minLeadSeconds * 1000;
  const restoredAt = Date.parse(input.occurredAt);
  for (const targetId of input.targetIds) {
    if ((await deps.targets.getTarget(input.tenantId, targetId))?.status !== "ACTIVE") {
      overtaken.push(targetId);
      continue;
    }
    for (const d of await deliveriesOf(deps, input.tenantId, targetId)) {
      if (d.status !== "BLOCKED") continue;
      const blocked = d.ledger.findLast((e) => e.event === "blocked");
      if (Date.parse(d.publishAt) < earliest || (blocked && occurredAtOf(blocked) > restoredAt)) {
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
        // The schedule is written again for publishAt: a next attempt the worker planned is void.
        nextAttemptAt: undefined,
        deadLetter: undefined,
        ledger: appendLedger(d.ledger, {
          at,
          event: "unblocked",
          status,
          by: "herald",
          occurredAt: input.occurredAt,
        }),
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
  return { changed, skipped, overtaken };
}
