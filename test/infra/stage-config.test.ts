import { describe, expect, it } from "vitest";
import { REAL_PROVIDER_URLS, resolveStage, StageConfigError } from "../../lib/stage-config.js";

describe("stage config", () => {
  it.each(["dev", "ci", "acme", "acme-prod", "t1", "a-b-c"])("accepts %s", (name) => {
    expect(resolveStage(name).name).toBe(name);
  });

  it.each([undefined, "", "x", "Dev", "1dev", "dev-", "a--b", "under_score", "a".repeat(25), 42])(
    "refuses %s with a message naming the rule",
    (name) => {
      expect(() => resolveStage(name)).toThrow(StageConfigError);
      expect(() => resolveStage(name)).toThrow(/lower-case letters/);
    },
  );

  it("keeps data and logs longer on prod-like stages only", () => {
    expect(resolveStage("prod")).toMatchObject({ retainData: true, logRetentionDays: 365 });
    expect(resolveStage("acme-prod")).toMatchObject({ retainData: true, logRetentionDays: 365 });
    expect(resolveStage("production")).toMatchObject({ retainData: false, logRetentionDays: 30 });
    expect(resolveStage("dev")).toMatchObject({
      retainData: false,
      code: "bundle",
      providers: REAL_PROVIDER_URLS,
    });
  });

  it("applies overrides over the derived defaults", () => {
    expect(resolveStage("dev", { code: "placeholder", retainData: true })).toMatchObject({
      code: "placeholder",
      retainData: true,
    });
  });
});
