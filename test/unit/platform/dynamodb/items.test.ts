import { describe, expect, it } from "vitest";
import { CorruptItemError, itemFields, parseItem } from "../../../../functions/platform/dynamodb/items.js";
import * as z from "../../../../schemas/zod.js";

const Thing = z.object({
  id: itemFields.id(),
  count: z.number(),
  at: itemFields.instant(),
  note: z.optional(z.string()),
});

describe("parseItem", () => {
  it("answers the domain shape without the key and index attributes", () => {
    const item = {
      PK: "TENANT#acme#THING#t1",
      SK: "THING",
      GSI1PK: "TENANT#acme#THINGS",
      entity: "Thing",
      id: "t1",
      count: 3,
      at: "2026-12-05T08:00:00.000Z",
    };
    expect(parseItem(Thing, item, "thing")).toEqual({ id: "t1", count: 3, at: "2026-12-05T08:00:00.000Z" });
  });

  it("throws a CorruptItemError naming the key and every bad field", () => {
    const item = { PK: "TENANT#acme#THING#t1", SK: "THING", id: "", count: "3", at: "yesterday" };
    let error: unknown;
    try {
      parseItem(Thing, item, "thing");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CorruptItemError);
    const corrupt = error as CorruptItemError;
    expect(corrupt.what).toBe("thing");
    expect(corrupt.key).toEqual({ PK: "TENANT#acme#THING#t1", SK: "THING" });
    expect(corrupt.problems.map((p) => p.split(":")[0])).toEqual(["id", "count", "at"]);
    expect(corrupt.message).toContain("Corrupt thing item PK=TENANT#acme#THING#t1 SK=THING");
  });

  it("names an item without keys with empty key parts", () => {
    expect(() => parseItem(Thing, { id: "x" }, "thing")).toThrow(/PK= SK=: count/);
  });
});
