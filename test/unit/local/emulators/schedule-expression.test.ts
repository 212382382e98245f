import { describe, expect, it } from "vitest";
import {
  isValidTimeZone,
  parseScheduleExpression,
  zonedTimeToUtcMs,
} from "../../../../local/emulators/schedule-expression.js";

const iso = (ms: number) => new Date(ms).toISOString();

describe("parseScheduleExpression", () => {
  it("accepts at(), rate() and cron() in AWS syntax", () => {
    expect(parseScheduleExpression("at(2026-12-01T09:30:00)")).toEqual({
      kind: "at",
      local: "2026-12-01T09:30:00",
    });
    expect(parseScheduleExpression("rate(1 hour)")).toEqual({ kind: "rate", value: 1, unit: "hour" });
    expect(parseScheduleExpression("rate(5 minutes)")).toEqual({ kind: "rate", value: 5, unit: "minute" });
    expect(parseScheduleExpression("cron(0 3 * * ? *)")?.kind).toBe("cron");
    expect(parseScheduleExpression("cron(15 10 ? * MON-FRI 2027)")?.kind).toBe("cron");
  });

  it.each([
    "at(2026-02-30T10:00:00)",
    "at(2026-12-01 09:30:00)",
    "at(2026-12-01T09:30)",
    "rate(1 hours)",
    "rate(5 minute)",
    "rate(0 minutes)",
    "rate(2 weeks)",
    "cron(0 3 * * * *)",
    "cron(0 3 ? * ? *)",
    "cron(0 3 * *)",
    "every day",
    "",
  ])("refuses %s", (expression) => {
    expect(parseScheduleExpression(expression)).toBeUndefined();
  });
});

describe("zonedTimeToUtcMs", () => {
  it("is the identity for UTC", () => {
    expect(iso(zonedTimeToUtcMs("2026-12-01T09:30:00", "UTC"))).toBe("2026-12-01T09:30:00.000Z");
  });

  it("applies standard and summer offsets", () => {
    expect(iso(zonedTimeToUtcMs("2026-01-15T12:00:00", "Europe/Paris"))).toBe("2026-01-15T11:00:00.000Z");
    expect(iso(zonedTimeToUtcMs("2026-07-15T12:00:00", "Europe/Paris"))).toBe("2026-07-15T10:00:00.000Z");
    expect(iso(zonedTimeToUtcMs("2026-07-15T12:00:00", "America/New_York"))).toBe("2026-07-15T16:00:00.000Z");
    expect(iso(zonedTimeToUtcMs("2026-07-15T12:00:00", "Asia/Kolkata"))).toBe("2026-07-15T06:30:00.000Z");
  });

  it("crosses the date line", () => {
    expect(iso(zonedTimeToUtcMs("2026-01-01T00:30:00", "Pacific/Auckland"))).toBe("2025-12-31T11:30:00.000Z");
  });

  it("moves a time in the spring-forward gap past the gap", () => {
    // Paris skips 02:00–03:00 on 2026-03-29; 02:30 becomes 03:30 CEST.
    expect(iso(zonedTimeToUtcMs("2026-03-29T02:30:00", "Europe/Paris"))).toBe("2026-03-29T01:30:00.000Z");
  });

  it("resolves a time in the autumn overlap to its first occurrence", () => {
    // Paris lives 02:00–03:00 twice on 2026-10-25; the first pass is still CEST (+2).
    expect(iso(zonedTimeToUtcMs("2026-10-25T02:30:00", "Europe/Paris"))).toBe("2026-10-25T00:30:00.000Z");
  });
});

describe("isValidTimeZone", () => {
  it("knows IANA zones and refuses made-up ones", () => {
    expect(isValidTimeZone("Europe/Paris")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
