/**
 * Reading deliveries: one, a filtered page, and the calendar (deliveries grouped by local day).
 *   handler → these functions → DeliveryStore (DynamoDB, GSI1 by the time a delivery really goes)
 */
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { type Delivery, goesAt } from "../domain/post.js";
import { localDate, localDateTime, nextDate, parseLocal, resolveLocal } from "../domain/time.js";
import { readPage } from "./pages.js";
import type { Actor, DeliveryFilter, Page, PostsDeps } from "./ports.js";

export async function getDelivery(
  deps: Pick<PostsDeps, "deliveries">,
  actor: Actor,
  id: string,
): Promise<Delivery> {
  const d = await deps.deliveries.get(actor.tenantId, id);
  if (!d) throw new NotFoundError(`No delivery ${id}.`);
  return d;
}

export async function listDeliveries(
  deps: Pick<PostsDeps, "deliveries">,
  actor: Actor,
  filter: DeliveryFilter,
): Promise<Page<Delivery>> {
  const norm = (v: string | undefined) =>
    v === undefined ? undefined : new Date(Date.parse(v)).toISOString();
  return readPage(filter, () =>
    deps.deliveries.list(actor.tenantId, {
      ...filter,
      ...(filter.from ? { from: norm(filter.from) } : {}),
      ...(filter.to ? { to: norm(filter.to) } : {}),
    }),
  );
}

/** Longest calendar range, in days. */
export const CALENDAR_MAX_DAYS = 93;
/** Upper bound on deliveries in one calendar answer. */
export const CALENDAR_MAX_ITEMS = 2000;

export interface CalendarDay {
  readonly date: string;
  readonly deliveries: readonly Delivery[];
}

/**
 * Deliveries from the start of local day `from` to the end of local day `to` in `timeZone`,
 * grouped by the local day they really go on (`goesAt`: the worker's next attempt when it
 * moved one, e.g. for Instagram's quota, else `publishAt`). Day boundaries are computed per day in the zone,
 * so a 23- or 25-hour DST day holds exactly its own deliveries.
 */
export async function calendar(
  deps: Pick<PostsDeps, "deliveries">,
  actor: Actor,
  input: { from: string; to: string; timeZone: string },
): Promise<CalendarDay[]> {
  const fromParts = parseLocal(`${input.from}T00:00`);
  const toParts = parseLocal(`${input.to}T00:00`);
  if (!fromParts || !toParts) {
    throw new ValidationError([
      { path: "query.from", code: "invalid_date", message: "from and to must be real dates (YYYY-MM-DD)." },
    ]);
  }
  const dates: string[] = [];
  for (let d = input.from; d <= input.to; d = nextDate(d)) {
    dates.push(d);
    if (dates.length > CALENDAR_MAX_DAYS) {
      throw new ValidationError([
        {
          path: "query.to",
          code: "range_too_long",
          message: `A calendar covers at most ${CALENDAR_MAX_DAYS} days.`,
        },
      ]);
    }
  }
  if (dates.length === 0) {
    throw new ValidationError([
      { path: "query.to", code: "invalid_range", message: "`to` must not be before `from`." },
    ]);
  }
  const start = resolveLocal(fromParts, input.timeZone).epochMs;
  const endParts = parseLocal(`${nextDate(input.to)}T00:00`);
  const end = resolveLocal(endParts as NonNullable<typeof endParts>, input.timeZone).epochMs;
  const found: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.deliveries.list(actor.tenantId, {
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && found.length < CALENDAR_MAX_ITEMS);
  const byDay = new Map<string, Delivery[]>(dates.map((d) => [d, []]));
  for (const d of found) byDay.get(localDate(Date.parse(goesAt(d)), input.timeZone))?.push(d);
  return dates.map((date) => ({ date, deliveries: byDay.get(date) ?? [] }));
}

/** `HH:mm` of an instant in a zone. */
export const localClock = (iso: string, timeZone: string) =>
  localDateTime(Date.parse(iso), timeZone).slice(11, 16);
