import { describe, expect, it } from "vitest";
import { isAllowedReturnUrl, withQuery } from "../../../functions/connections/domain/return-url.js";

describe("return URL allow-list", () => {
  const list = ["https://app.acme.com/settings/connections", "http://localhost"];
  it.each([
    ["https://app.acme.com/settings/connections", true],
    ["https://app.acme.com/settings/connections/done?x=1", true],
    ["https://app.acme.com/settings/connectionsevil", false],
    ["https://app.acme.com/settings", false],
    ["https://app.acme.com.evil.com/settings/connections", false],
    ["http://app.acme.com/settings/connections", false],
    ["https://user:pw@app.acme.com/settings/connections", false],
    ["https://app.acme.com/settings/connections#frag", false],
    ["https://app.acme.com:8443/settings/connections", false],
    ["http://localhost:5173/cb", true],
    ["http://localhost/cb", true],
    ["http://127.0.0.1:5173/cb", false],
    ["javascript:alert(1)", false],
    ["not a url", false],
  ])("%s → %s", (url, ok) => {
    expect(isAllowedReturnUrl(url, list)).toBe(ok);
  });

  it("does not accept any port for a loopback entry that names one", () => {
    expect(isAllowedReturnUrl("http://127.0.0.1:9999/x", ["http://127.0.0.1:3000"])).toBe(false);
    expect(isAllowedReturnUrl("http://127.0.0.1:3000/x", ["http://127.0.0.1:3000"])).toBe(true);
  });

  it("adds parameters and keeps existing ones", () => {
    expect(withQuery("https://a.test/x?keep=1", { error: "access_denied", skip: undefined })).toBe(
      "https://a.test/x?keep=1&error=access_denied",
    );
  });
});
