import { describe, expect, it } from "vitest";
import { formatActivityLine } from "../../../../local/stack/activity-format.js";

describe("activity lines for npm run tail", () => {
  it("shows time, source, type and the key fields, counting the rest", () => {
    const line = JSON.stringify({
      at: "2026-11-26T11:24:50.989Z",
      source: "gateway",
      type: "request",
      detail: { method: "GET", path: "/v1/me", status: 200, latencyMs: 3, requestId: "abc" },
    });
    expect(formatActivityLine(line)).toBe(
      "11:24:50.989 gateway        request          method=GET path=/v1/me status=200 latencyMs=3 (+1)",
    );
  });

  it("shortens long values and skips lines that are not JSON", () => {
    const text = formatActivityLine(
      JSON.stringify({
        at: "2026-11-26T11:24:50.989Z",
        source: "sqs",
        type: "message-sent",
        detail: { error: "x".repeat(200) },
      }),
    );
    expect(text).toContain(`error=${"x".repeat(77)}…`);
    expect(formatActivityLine("{not json")).toBeUndefined();
  });
});
