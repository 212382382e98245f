import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMetaUsage, usageForObject } from "../../../functions/providers/meta/usage.js";

const NOW = new Date("2026-03-10T12:00:00.000Z");

describe("parseMetaUsage", () => {
  it("reads X-App-Usage as the highest of its three percentages", () => {
    const u = parseMetaUsage({ "X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":31}' }, NOW);
    expect(u.app).toEqual({ pct: 31 });
    expect(u.max).toEqual({ pct: 31 });
  });

  it("reads X-Business-Use-Case-Usage per object, with the regain time in minutes", () => {
    const header = JSON.stringify({
      "1234567890": [
        {
          type: "pages",
          call_count: 95,
          total_cputime: 20,
          total_time: 20,
          estimated_time_to_regain_access: 0,
        },
      ],
      "17841405822304914": [
        {
          type: "instagram",
          call_count: 101,
          total_cputime: 40,
          total_time: 12,
          estimated_time_to_regain_access: 7,
        },
        { type: "pages", call_count: 3, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 2 },
      ],
    });
    const u = parseMetaUsage(new Headers({ "x-business-use-case-usage": header }), NOW);
    expect(u.objects).toEqual({
      "1234567890": { pct: 95, types: ["pages"] },
      "17841405822304914": { pct: 101, types: ["instagram", "pages"], regainAt: "2026-03-10T12:07:00.000Z" },
    });
    expect(u.max).toEqual({ pct: 101, regainAt: "2026-03-10T12:07:00.000Z" });
    expect(usageForObject(u, "1234567890")).toEqual({ pct: 95 });
    expect(usageForObject(u, "nope")).toBeUndefined();
  });

  it("reads the legacy X-Page-Usage, whose percentages can exceed 100 and omit fields", () => {
    const u = parseMetaUsage({ "x-page-usage": '{"call_count":140}' }, NOW);
    expect(u.page).toEqual({ pct: 140 });
    expect(usageForObject(u, "any-page")).toEqual({ pct: 140 });
  });

  it("combines the page header with the object's BUC entry", () => {
    const u = parseMetaUsage(
      {
        "x-page-usage": '{"call_count":50}',
        "x-business-use-case-usage":
          '{"p1":[{"type":"pages","call_count":70,"estimated_time_to_regain_access":3}]}',
      },
      NOW,
    );
    expect(usageForObject(u, "p1")).toEqual({ pct: 70, regainAt: "2026-03-10T12:03:00.000Z" });
  });

  it("accepts numeric strings and header arrays", () => {
    const u = parseMetaUsage({ "x-app-usage": ['{"call_count":"12","total_time":"7"}'] }, NOW);
    expect(u.app).toEqual({ pct: 12 });
  });

  it.each([
    ["no headers", {}],
    ["empty", { "x-app-usage": "" }],
    ["not JSON", { "x-app-usage": "call_count=5" }],
    ["JSON null", { "x-app-usage": "null" }],
    ["an array", { "x-app-usage": "[1,2,3]" }],
    ["no percentages", { "x-app-usage": '{"foo":1}' }],
    [
      "negative and non-numeric values",
      { "x-app-usage": '{"call_count":-4,"total_time":"lots","total_cputime":null}' },
    ],
    ["a BUC entry that is not a list of objects", { "x-business-use-case-usage": '{"p":[1,"x",null]}' }],
    ["a BUC value that is a string", { "x-business-use-case-usage": '"p"' }],
  ])("tolerates %s", (_name, headers) => {
    const u = parseMetaUsage(headers as Record<string, string>, NOW);
    expect(u.max).toBeUndefined();
    expect(u.app).toBeUndefined();
    expect(u.objects).toEqual({});
  });

  it("caps an absurd regain estimate at one day", () => {
    const u = parseMetaUsage(
      {
        "x-business-use-case-usage": '{"p":[{"call_count":100,"estimated_time_to_regain_access":99999999}]}',
      },
      NOW,
    );
    expect(u.objects.p?.regainAt).toBe("2026-03-11T12:00:00.000Z");
  });

  it("never throws and never reports a negative or non-finite percentage, whatever the headers say", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom("x-app-usage", "X-Page-Usage", "x-business-use-case-usage", "other"),
          fc.oneof(fc.string(), fc.json()),
        ),
        (headers) => {
          const u = parseMetaUsage(headers, NOW);
          const readings = [u.app, u.page, u.max, ...Object.values(u.objects)].filter(Boolean);
          for (const r of readings) {
            expect(Number.isFinite(r!.pct) && r!.pct >= 0).toBe(true);
            if (r!.regainAt) expect(Date.parse(r!.regainAt)).toBeGreaterThan(NOW.getTime());
          }
        },
      ),
    );
  });
});
