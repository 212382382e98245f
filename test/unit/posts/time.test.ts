/** Local times across DST in two zones, and calendar day boundaries. */
import { describe, expect, it } from "vitest";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import { localDate, localDateTime, parseLocal, resolveLocal } from "../../../functions/posts/domain/time.js";
import { calendar } from "../../../functions/posts/use-cases/deliveries.js";
import { resolveWhen } from "../../../functions/posts/use-cases/scheduling.js";
import { world } from "./fakes.js";

const at = (local: string, zone: string) => {
  const r = resolveLocal(parseLocal(local)!, zone);
  return { iso: new Date(r.epochMs).toISOString(), adjusted: r.adjusted, ambiguous: r.ambiguous };
};

describe("resolveLocal", () => {
  it.each([
    // Europe/London: clocks go forward 2026-03-29 01:00 GMT → 02:00 BST, back 2026-10-25 02:00 BST → 01:00 GMT.
    ["2026-03-29T00:59", "Europe/London", "2026-03-29T00:59:00.000Z", false, false],
    ["2026-03-29T01:30", "Europe/London", "2026-03-29T01:30:00.000Z", true, false], // gap → 02:30 BST
    ["2026-03-29T02:00", "Europe/London", "2026-03-29T01:00:00.000Z", false, false],
    ["2026-10-25T00:30", "Europe/London", "2026-10-24T23:30:00.000Z", false, false],
    ["2026-10-25T01:30", "Europe/London", "2026-10-25T00:30:00.000Z", false, true], // overlap → first (BST)
    ["2026-10-25T02:00", "Europe/London", "2026-10-25T02:00:00.000Z", false, false],
    // America/New_York: forward 2026-03-08 02:00 EST → 03:00 EDT, back 2026-11-01 02:00 EDT → 01:00 EST.
    ["2026-03-08T01:59", "America/New_York", "2026-03-08T06:59:00.000Z", false, false],
    ["2026-03-08T02:30", "America/New_York", "2026-03-08T07:30:00.000Z", true, false], // gap → 03:30 EDT
    ["2026-03-08T03:00", "America/New_York", "2026-03-08T07:00:00.000Z", false, false],
    ["2026-11-01T01:30", "America/New_York", "2026-11-01T05:30:00.000Z", false, true], // first (EDT)
    ["2026-11-01T02:30", "America/New_York", "2026-11-01T07:30:00.000Z", false, false],
    ["2026-07-01T09:00", "Asia/Kolkata", "2026-07-01T03:30:00.000Z", false, false],
  ])("%s in %s → %s", (local, zone, iso, adjusted, ambiguous) => {
    expect(at(local, zone)).toEqual({ iso, adjusted, ambiguous });
  });

  it("round-trips: the resolved instant shows the requested wall time (or the shifted one in a gap)", () => {
    expect(localDateTime(Date.parse("2026-03-29T01:30:00.000Z"), "Europe/London")).toBe(
      "2026-03-29T02:30:00",
    );
    expect(localDateTime(Date.parse("2026-03-08T07:30:00.000Z"), "America/New_York")).toBe(
      "2026-03-08T03:30:00",
    );
  });

  it("refuses impossible dates", () => {
    expect(parseLocal("2026-02-29T10:00")).toBeUndefined();
    expect(parseLocal("2026-04-31T10:00")).toBeUndefined();
    expect(parseLocal("2026-01-01T24:00")).toBeUndefined();
    expect(parseLocal("2028-02-29T10:00")).toBeDefined();
  });
});

/** The issue codes of a ValidationError thrown by `fn`. */
const codesThrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { issues?: { code: string }[] }).issues?.map((i) => i.code);
  }
  return [];
};

describe("resolveWhen", () => {
  const now = new Date("2026-03-01T12:00:00.000Z");
  const limits = { minLeadSeconds: 60, horizonDays: 365 };
  it("needs exactly one of publishAt and localTime", () => {
    expect(codesThrown(() => resolveWhen({}, "UTC", now, limits))).toEqual(["when_required"]);
    expect(
      codesThrown(() =>
        resolveWhen({ publishAt: "2026-03-02T00:00:00Z", localTime: "2026-03-02T00:00" }, "UTC", now, limits),
      ),
    ).toEqual(["when_required"]);
  });
  it("accepts an offset instant and keeps the zone for display", () => {
    expect(
      resolveWhen({ publishAt: "2026-03-02T09:00:00+01:00", timeZone: "Europe/Paris" }, "UTC", now, limits),
    ).toEqual({
      publishAt: "2026-03-02T08:00:00.000Z",
      timeZone: "Europe/Paris",
      adjusted: false,
    });
  });
  it("enforces at least the minimum lead and at most the horizon", () => {
    expect(codesThrown(() => resolveWhen({ publishAt: "2026-03-01T12:00:59Z" }, "UTC", now, limits))).toEqual(
      ["too_soon"],
    );
    expect(resolveWhen({ publishAt: "2026-03-01T12:01:00Z" }, "UTC", now, limits).publishAt).toBe(
      "2026-03-01T12:01:00.000Z",
    );
    expect(codesThrown(() => resolveWhen({ publishAt: "2027-03-02T12:00:00Z" }, "UTC", now, limits))).toEqual(
      ["too_far"],
    );
    expect(codesThrown(() => resolveWhen({ localTime: "2026-02-30T10:00" }, "UTC", now, limits))).toEqual([
      "invalid_local_time",
    ]);
  });
  it("uses the tenant's default zone for a local time without one, and reports a DST-gap shift", () => {
    const r = resolveWhen({ localTime: "2026-03-08T02:30" }, "America/New_York", now, limits);
    expect(r).toEqual({
      publishAt: "2026-03-08T07:30:00.000Z",
      timeZone: "America/New_York",
      adjusted: true,
    });
  });
});

describe("calendar", () => {
  const delivery = (id: string, publishAt: string): Delivery => ({
    tenantId: "acme",
    id,
    postId: "pst_1",
    targetId: "fb",
    platform: "facebook",
    status: "SCHEDULED",
    version: 1,
    publishAt,
    timeZone: "UTC",
    scheduleName: `dlv-${id}`,
    ledger: [],
    createdAt: publishAt,
    updatedAt: publishAt,
  });

  it("groups by local day across London's fall-back (a 25-hour day)", async () => {
    const w = world();
    for (const d of [
      delivery("a", "2026-10-24T22:59:00.000Z"), // 23:59 BST on the 24th
      delivery("b", "2026-10-24T23:00:00.000Z"), // 00:00 BST on the 25th
      delivery("c", "2026-10-25T23:30:00.000Z"), // 23:30 GMT on the 25th (the 25th has 25 hours)
      delivery("d", "2026-10-26T00:00:00.000Z"), // 00:00 GMT on the 26th
      delivery("other", "2026-10-25T12:00:00.000Z"),
    ]) {
      w.deliveries.items.set(`${d.id === "other" ? "other" : "acme"}/${d.id}`, {
        ...d,
        tenantId: d.id === "other" ? "other" : "acme",
      });
    }
    const days = await calendar(
      w.deps,
      { tenantId: "acme", userId: "u" },
      {
        from: "2026-10-24",
        to: "2026-10-26",
        timeZone: "Europe/London",
      },
    );
    expect(days.map((d) => [d.date, d.deliveries.map((x) => x.id)])).toEqual([
      ["2026-10-24", ["a"]],
      ["2026-10-25", ["b", "c"]],
      ["2026-10-26", ["d"]],
    ]);
  });

  it("groups by local day across New York's spring-forward (a 23-hour day)", async () => {
    const w = world();
    for (const d of [
      delivery("a", "2026-03-08T04:59:00.000Z"), // 23:59 EST on the 7th
      delivery("b", "2026-03-08T05:00:00.000Z"), // 00:00 EST on the 8th
      delivery("c", "2026-03-09T03:59:00.000Z"), // 23:59 EDT on the 8th
      delivery("d", "2026-03-09T04:00:00.000Z"), // 00:00 EDT on the 9th (outside the range)
    ]) {
      w.deliveries.items.set(`acme/${d.id}`, d);
    }
    const days = await calendar(
      w.deps,
      { tenantId: "acme", userId: "u" },
      {
        from: "2026-03-07",
        to: "2026-03-08",
        timeZone: "America/New_York",
      },
    );
    expect(days.map((d) => [d.date, d.deliveries.map((x) => x.id)])).toEqual([
      ["2026-03-07", ["a"]],
      ["2026-03-08", ["b", "c"]],
    ]);
    expect(localDate(Date.parse("2026-03-09T03:59:00.000Z"), "America/New_York")).toBe("2026-03-08");
  });

  it("refuses ranges that are reversed or longer than 93 days", async () => {
    const w = world();
    const actor = { tenantId: "acme", userId: "u" };
    await expect(
      calendar(w.deps, actor, { from: "2026-03-02", to: "2026-03-01", timeZone: "UTC" }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ code: "invalid_range" })],
    });
    await expect(
      calendar(w.deps, actor, { from: "2026-01-01", to: "2026-06-01", timeZone: "UTC" }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ code: "range_too_long" })],
    });
  });
});
