import { describe, expect, it } from "vitest";
import { parseSchedule } from "../../../../local/runtime/cron.js";
import { idsToDelete } from "../../../../local/runtime/poller.js";

const at = (iso: string) => new Date(iso);

describe("schedule expressions", () => {
  it("rate() fires every period from the start", () => {
    const s = parseSchedule("rate(15 minutes)", at("2026-01-01T00:00:00Z"));
    expect(s.next(at("2026-01-01T00:00:00Z"))?.toISOString()).toBe("2026-01-01T00:15:00.000Z");
    expect(s.next(at("2026-01-01T00:29:59Z"))?.toISOString()).toBe("2026-01-01T00:30:00.000Z");
    expect(
      parseSchedule("rate(1 day)", at("2026-01-01T10:00:00Z"))
        .next(at("2026-01-01T10:00:01Z"))
        ?.toISOString(),
    ).toBe("2026-01-02T10:00:00.000Z");
  });

  it("cron() honours minutes, hours, steps, lists and day names (1 = Sunday)", () => {
    expect(parseSchedule("cron(0/30 * * * ? *)").next(at("2026-03-04T10:07:00Z"))?.toISOString()).toBe(
      "2026-03-04T10:30:00.000Z",
    );
    expect(parseSchedule("cron(15 3 * * ? *)").next(at("2026-03-04T10:07:00Z"))?.toISOString()).toBe(
      "2026-03-05T03:15:00.000Z",
    );
    // 2026-03-04 is a Wednesday; next Monday is 2026-03-09.
    expect(parseSchedule("cron(0 9 ? * MON *)").next(at("2026-03-04T10:07:00Z"))?.toISOString()).toBe(
      "2026-03-09T09:00:00.000Z",
    );
    expect(parseSchedule("cron(0 9 ? * 2 *)").next(at("2026-03-04T10:07:00Z"))?.toISOString()).toBe(
      "2026-03-09T09:00:00.000Z",
    );
    expect(parseSchedule("cron(0 0 1 JAN,JUL ? *)").next(at("2026-03-04T10:07:00Z"))?.toISOString()).toBe(
      "2026-07-01T00:00:00.000Z",
    );
  });

  it("refuses what it cannot run", () => {
    expect(() => parseSchedule("every 5 minutes")).toThrow();
    expect(() => parseSchedule("cron(0 9 * *)")).toThrow(/six fields/);
    expect(() => parseSchedule("cron(0 9 L * ? *)")).toThrow(/not supported/);
    expect(() => parseSchedule("cron(61 9 * * ? *)")).toThrow();
  });
});

describe("which messages a poller deletes (ReportBatchItemFailures)", () => {
  const batch = ["a", "b", "c"];
  it("deletes all on an empty, null or missing failure list", () => {
    expect(idsToDelete(batch, undefined)).toEqual(batch);
    expect(idsToDelete(batch, { batchItemFailures: [] })).toEqual(batch);
    expect(idsToDelete(batch, { batchItemFailures: null })).toEqual(batch);
  });
  it("keeps only the listed failures", () => {
    expect(idsToDelete(batch, { batchItemFailures: [{ itemIdentifier: "b" }] })).toEqual(["a", "c"]);
  });
  it("treats a null, empty or unknown identifier as a failure of the whole batch", () => {
    expect(idsToDelete(batch, { batchItemFailures: [{ itemIdentifier: "" }] })).toBeUndefined();
    expect(idsToDelete(batch, { batchItemFailures: [{ itemIdentifier: null }] })).toBeUndefined();
    expect(idsToDelete(batch, { batchItemFailures: [{ itemIdentifier: "zzz" }] })).toBeUndefined();
  });
});
