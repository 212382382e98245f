import { describe, expect, it } from "vitest";
import { eventPatternError, matchesEventPattern } from "../../../../local/emulators/event-pattern.js";

const event = {
  version: "0",
  source: "herald.publishing",
  "detail-type": "DeliveryPublished",
  resources: ["arn:a", "arn:b"],
  detail: { provider: "meta", tenantId: "t-1", attempts: 2, target: { kind: "page" }, tags: ["x", "y"] },
};

describe("matchesEventPattern", () => {
  it.each([
    [{ source: ["herald.publishing"] }, true],
    [{ source: ["herald.other", "herald.publishing"] }, true],
    [{ source: ["herald.other"] }, false],
    [{ "detail-type": ["DeliveryPublished"], detail: { provider: ["meta"] } }, true],
    [{ "detail-type": ["DeliveryPublished"], detail: { provider: ["linkedin"] } }, false],
    [{ detail: { target: { kind: ["page"] } } }, true],
    [{ detail: { target: { kind: ["group"] } } }, false],
    [{ detail: { provider: { missing: ["x"] } } }, false],
    [{ source: [{ prefix: "herald." }] }, true],
    [{ source: [{ prefix: "other." }] }, false],
    [{ source: [{ suffix: ".publishing" }] }, true],
    [{ "detail-type": [{ "equals-ignore-case": "deliverypublished" }] }, true],
    [{ source: [{ wildcard: "herald.*ing" }] }, true],
    [{ detail: { provider: [{ "anything-but": "linkedin" }] } }, true],
    [{ detail: { provider: [{ "anything-but": ["meta", "linkedin"] }] } }, false],
    [{ detail: { provider: [{ "anything-but": { prefix: "me" } }] } }, false],
    [{ detail: { nothing: [{ "anything-but": "x" }] } }, false],
    [{ detail: { tenantId: [{ exists: true }] } }, true],
    [{ detail: { nothing: [{ exists: false }] } }, true],
    [{ detail: { tenantId: [{ exists: false }] } }, false],
    [{ detail: { attempts: [{ numeric: [">", 1, "<=", 2] }] } }, true],
    [{ detail: { attempts: [{ numeric: [">", 2] }] } }, false],
    [{ detail: { attempts: [2] } }, true],
    [{ detail: { attempts: ["2"] } }, false],
    [{ detail: { tags: ["y"] } }, true],
    [{ resources: ["arn:b"] }, true],
  ])("%j → %s", (pattern, expected) => {
    expect(eventPatternError(pattern)).toBeUndefined();
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });
});

describe("eventPatternError", () => {
  it.each<[unknown, string]>([
    [[], "array at top"],
    [{}, "empty"],
    [{ source: "herald" }, "leaf not in an array"],
    [{ source: [] }, "empty array"],
    [{ source: [{ prefix: 1 }] }, "prefix not a string"],
    [{ source: [{ regex: ".*" }] }, "unknown matcher"],
    [{ detail: { n: [{ numeric: [">"] }] } }, "numeric without a number"],
    [{ detail: { n: [{ exists: "yes" }] } }, "exists not boolean"],
  ])("refuses %j (%s)", (pattern) => {
    expect(eventPatternError(pattern)).toBeTypeOf("string");
  });
});
