import { describe, expect, it } from "vitest";
import {
  REAL_PROVIDER_URLS,
  resolveStage,
  StageConfigError,
  stageOverridesFromContext,
} from "../../lib/stage-config.js";

const ALARMS = { alarmTargets: { emails: ["ops@herald.test"], httpsEndpoints: [] } };
const context = (values: Record<string, string>) => (key: string) => values[key];

describe("stage config", () => {
  it.each(["dev", "ci", "acme", "acme-prod", "t1", "a-b-c"])("accepts %s", (name) => {
    expect(resolveStage(name, ALARMS).name).toBe(name);
  });

  it.each([undefined, "", "x", "Dev", "1dev", "dev-", "a--b", "under_score", "a".repeat(25), 42])(
    "refuses %s with a message naming the rule",
    (name) => {
      expect(() => resolveStage(name)).toThrow(StageConfigError);
      expect(() => resolveStage(name)).toThrow(/lower-case letters/);
    },
  );

  it("keeps data and logs longer on prod-like stages only", () => {
    expect(resolveStage("prod", ALARMS)).toMatchObject({ retainData: true, logRetentionDays: 365 });
    expect(resolveStage("acme-prod", ALARMS)).toMatchObject({ retainData: true, logRetentionDays: 365 });
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

  it("refuses a prod-like stage whose alarms would reach nobody, naming the context keys", () => {
    for (const name of ["prod", "acme-prod"]) {
      expect(() => resolveStage(name)).toThrow(StageConfigError);
      expect(() => resolveStage(name)).toThrow(/-c alarmEmail=.*-c alarmWebhook=/);
    }
    expect(resolveStage("dev").alarmTargets).toEqual({ emails: [], httpsEndpoints: [] });
  });

  it("takes alarm e-mails and HTTPS webhooks from context, comma-separated", () => {
    const overrides = stageOverridesFromContext(
      context({ alarmEmail: "ops@acme.test, oncall@acme.test", alarmWebhook: "https://hooks.acme.test/sns" }),
    );
    expect(resolveStage("acme-prod", overrides).alarmTargets).toEqual({
      emails: ["ops@acme.test", "oncall@acme.test"],
      httpsEndpoints: ["https://hooks.acme.test/sns"],
    });
    expect(
      resolveStage("prod", stageOverridesFromContext(context({ alarmWebhook: "https://h.test/x" }))).name,
    ).toBe("prod");
    expect(stageOverridesFromContext(context({}))).toEqual({});
  });

  it("refuses an alarm address that is not an e-mail and a webhook that is not https", () => {
    expect(() => stageOverridesFromContext(context({ alarmEmail: "ops" }))).toThrow(/not an e-mail/);
    expect(() => stageOverridesFromContext(context({ alarmWebhook: "http://hooks.test/x" }))).toThrow(
      /not an https:\/\/ URL/,
    );
  });
});
