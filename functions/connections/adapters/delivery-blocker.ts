/**
 * DeliveryBlocker over the posts context's delivery store: every SCHEDULED or RETRYING
 * delivery to the given targets (publish time from 7 days ago on) becomes BLOCKED with a
 * ledger entry carrying the reconnect action. Version-guarded: a delivery the worker claimed
 * meanwhile is left to the worker (its publish then fails with the provider's auth error).
 * The schedule is left in place: the worker drops a message whose delivery is not
 * SCHEDULED/RETRYING or whose version moved (PublishRequested v1), and rescheduling a BLOCKED
 * delivery rewrites its schedule.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { deliveryRepository } from "../../posts/adapters/delivery-repository.js";
import type { Delivery } from "../../posts/domain/post.js";
import { type DeliveryStore, WriteConflict } from "../../posts/use-cases/ports.js";
import type { DeliveryBlocker } from "../use-cases/ports.js";

const LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;
const BLOCKABLE = ["SCHEDULED", "RETRYING"] as const;

export function storeDeliveryBlocker(
  store: DeliveryStore,
  now: () => Date = () => new Date(),
): DeliveryBlocker {
  return {
    async blockForTargets({ tenantId, targetIds, action, by }) {
      let blocked = 0;
      const from = new Date(now().getTime() - LOOKBACK_MS).toISOString();
      for (const targetId of targetIds) {
        for (const status of BLOCKABLE) {
          let cursor: string | undefined;
          do {
            const page = await store.list(tenantId, { targetId, status, from, cursor, limit: 100 });
            for (const d of page.items) if (await block(store, d, action, by, now)) blocked++;
            cursor = page.nextCursor;
          } while (cursor);
        }
      }
      return blocked;
    },
  };
}

async function block(
  store: DeliveryStore,
  d: Delivery,
  action: { type: "reconnect"; message: string },
  by: string,
  now: () => Date,
): Promise<boolean> {
  const at = now().toISOString();
  try {
    await store.replace(
      {
        ...d,
        status: "BLOCKED",
        version: d.version + 1,
        ledger: [
          ...d.ledger,
          { at, event: "blocked", status: "BLOCKED", detail: action.message, by, action: action.type },
        ],
        updatedAt: at,
      },
      d.version,
      BLOCKABLE,
    );
    return true;
  } catch (error) {
    if (error instanceof WriteConflict) return false;
    throw error;
  }
}

export const dynamoDeliveryBlocker = (client: DynamoDBDocumentClient, table: string) =>
  storeDeliveryBlocker(deliveryRepository(client, table));
