import { describe, expect, it } from "vitest";
import {
  failureFromProviderError,
  networkFailureKind,
  ProviderNetworkError,
} from "../../../functions/providers/errors.js";
import { linkedInErrorFrom, linkedinFailure } from "../../../functions/providers/linkedin/errors.js";
import { igContainerFailure, metaErrorFrom, metaFailure } from "../../../functions/providers/meta/errors.js";
import {
  type ClassifiedError,
  classifyProviderError,
  ERROR_RULES,
  nextUtcMidnight,
  type ProviderFailure,
  parseDuplicateUrn,
  toStoredError,
  versionFromMessage,
} from "../../../functions/publishing/domain/provider-errors.js";

const NOW = new Date("2026-03-10T13:45:12.000Z");
const meta = (code: number, subcode?: number, httpStatus = 400): ProviderFailure => ({
  provider: "meta",
  httpStatus,
  code,
  ...(subcode === undefined ? {} : { subcode }),
});
const li = (httpStatus: number, body?: unknown): ProviderFailure => linkedinFailure(httpStatus, body);

type Expect = [ClassifiedError["class"], ClassifiedError["retry"], ClassifiedError["action"]];
const T: Expect = ["transient", "backoff", "retry"];
const RL: Expect = ["rate_limited", "wait_window", "wait"];
const AUTH: Expect = ["auth", "no", "reconnect"];
const CONTENT: Expect = ["content", "no", "fix_content"];
const DUP: Expect = ["duplicate", "no", "adopt_existing"];
const QUOTA: Expect = ["quota", "wait_window", "reschedule"];
const CONFIG: Expect = ["config", "backoff", "contact_support"];
const UNKNOWN: Expect = ["unknown", "backoff", "retry"];

describe("the error table", () => {
  it("classifies each row's own sample to that row (no row is shadowed by another)", () => {
    for (const rule of ERROR_RULES) {
      const c = classifyProviderError(rule.sample, { now: NOW });
      expect({ id: rule.id, got: c.rule }).toEqual({ id: rule.id, got: rule.id });
      expect([c.class, c.retry, c.action]).toEqual([rule.class, rule.retry, rule.action]);
    }
  });

  it("has unique row ids", () => {
    const ids = ERROR_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("gives every row a message that names a next step and carries no placeholder", () => {
    for (const rule of ERROR_RULES) {
      const { message } = classifyProviderError(rule.sample, { now: NOW });
      expect(message, rule.id).toMatch(/[.)]$/);
      expect(message, rule.id).not.toMatch(/undefined|NaN|\[object/);
      expect(message.length, rule.id).toBeGreaterThan(30);
    }
  });

  it("gives every wait_window row a wait time after now", () => {
    for (const rule of ERROR_RULES.filter((r) => r.retry === "wait_window")) {
      const c = classifyProviderError(rule.sample, { now: NOW });
      expect(c.waitUntil, rule.id).toBeDefined();
      expect(c.waitUntil!(NOW).getTime(), rule.id).toBeGreaterThan(NOW.getTime());
    }
  });
});

describe("Meta (providers.md A7)", () => {
  const cases: [string, ProviderFailure, Expect, string][] = [
    ["1 API unknown", meta(1), T, "meta 1"],
    ["2 API service", meta(2), T, "meta 2"],
    ["3 capability", meta(3), CONFIG, "meta 3"],
    ["4 app limit", meta(4), RL, "meta 4"],
    ["10 permission denied", meta(10), AUTH, "meta 10"],
    ["17 user limit", meta(17), RL, "meta 17"],
    ["32 page limit", meta(32), RL, "meta 32"],
    ["100 invalid parameter", meta(100), CONTENT, "meta 100"],
    ["102 session", meta(102), AUTH, "meta 102"],
    ["190 without subcode", meta(190), AUTH, "meta 190"],
    ["200 permission", meta(200), AUTH, "meta 200"],
    ["299 permission", meta(299), AUTH, "meta 299"],
    ["341 app limit", meta(341), RL, "meta 341"],
    ["368 policy block", meta(368), RL, "meta 368"],
    ["506 duplicate", meta(506), DUP, "meta 506"],
    ["613 custom limit", meta(613), RL, "meta 613"],
    ["1609005 link scrape", meta(1609005), CONTENT, "meta 1609005"],
    ["80001 pages BUC", meta(80001), RL, "meta 80001"],
    ["80002 IG BUC", meta(80002), RL, "meta 80002"],
    // 190 subcodes
    ["190/458 app removed", meta(190, 458), AUTH, "meta 190/458"],
    ["190/459 checkpoint", meta(190, 459), AUTH, "meta 190/459"],
    ["190/460 password", meta(190, 460), AUTH, "meta 190/460"],
    ["190/463 expired", meta(190, 463), AUTH, "meta 190/463"],
    ["190/464 unconfirmed", meta(190, 464), AUTH, "meta 190/464"],
    ["190/467 invalid", meta(190, 467), AUTH, "meta 190/467"],
    ["190/492 lost role", meta(190, 492), AUTH, "meta 190/492"],
    ["190/unknown subcode", meta(190, 12345), AUTH, "meta 190/12345"],
    // Page publishing subcodes (the code in front varies)
    ["1366046 photo format", meta(100, 1366046), CONTENT, "meta 100/1366046"],
    ["1390008 too fast", meta(368, 1390008), RL, "meta 368/1390008"],
    ["1346003 abusive", meta(368, 1346003), CONTENT, "meta 368/1346003"],
    ["1404078 PPA", meta(200, 1404078), AUTH, "meta 200/1404078"],
    ["1366051 already posted", meta(100, 1366051), DUP, "meta 100/1366051"],
    ["1609008 fb link", meta(100, 1609008), CONTENT, "meta 100/1609008"],
    ["2061006 invalid URL", meta(100, 2061006), CONTENT, "meta 100/2061006"],
    ["1404102 community standards", meta(368, 1404102), CONTENT, "meta 368/1404102"],
    ["4854002 confirm identity", meta(200, 4854002), AUTH, "meta 200/4854002"],
    ["1363047 unavailable", meta(1, 1363047), T, "meta 1/1363047"],
    ["1609010 unavailable", meta(100, 1609010), T, "meta 100/1609010"],
    ["1363030 resumable upload", meta(1, 1363030), T, "meta 1/1363030"],
    // Instagram publishing
    ["-2/2207003 download timeout", meta(-2, 2207003), T, "meta -2/2207003"],
    ["-2/2207020 container expired", meta(-2, 2207020), T, "meta -2/2207020"],
    ["-1/2207001 server error", meta(-1, 2207001), T, "meta -1/2207001"],
    ["-1/2207032 create failed", meta(-1, 2207032), T, "meta -1/2207032"],
    ["-1/2207053 upload unknown", meta(-1, 2207053), T, "meta -1/2207053"],
    ["1/2207057 thumb offset", meta(1, 2207057), CONTENT, "meta 1/2207057"],
    ["4/2207051 spam", meta(4, 2207051), CONTENT, "meta 4/2207051"],
    ["9/2207042 quota", meta(9, 2207042), QUOTA, "meta 9/2207042"],
    ["24/2207006 media not found", meta(24, 2207006), T, "meta 24/2207006"],
    ["24/2207008 builder expired", meta(24, 2207008), T, "meta 24/2207008"],
    ["25/2207050 restricted", meta(25, 2207050), AUTH, "meta 25/2207050"],
    ["100/2207023 media type", meta(100, 2207023), CONTENT, "meta 100/2207023"],
    ["100/2207028 carousel", meta(100, 2207028), CONTENT, "meta 100/2207028"],
    ["100/2207035 product tags", meta(100, 2207035), CONTENT, "meta 100/2207035"],
    ["100/2207036 product tags", meta(100, 2207036), CONTENT, "meta 100/2207036"],
    ["100/2207037 product tags", meta(100, 2207037), CONTENT, "meta 100/2207037"],
    ["100/2207040 > 20 tags", meta(100, 2207040), CONTENT, "meta 100/2207040"],
    ["352/2207026 video format", meta(352, 2207026), CONTENT, "meta 352/2207026"],
    ["9004/2207052 media url", meta(9004, 2207052), CONTENT, "meta 9004/2207052"],
    ["9007/2207027 not ready", meta(9007, 2207027), T, "meta 9007/2207027"],
    ["36000/2207004 image size", meta(36000, 2207004), CONTENT, "meta 36000/2207004"],
    ["36001/2207005 image format", meta(36001, 2207005), CONTENT, "meta 36001/2207005"],
    ["36003/2207009 aspect", meta(36003, 2207009), CONTENT, "meta 36003/2207009"],
    ["36004/2207010 caption", meta(36004, 2207010), CONTENT, "meta 36004/2207010"],
    ["2207081 trial reels", meta(100, 2207081), CONTENT, "meta 100/2207081"],
    ["2207082 could not upload", meta(-1, 2207082), T, "meta -1/2207082"],
    // IG codes met without a known subcode
    ["-1 alone", meta(-1), T, "meta -1"],
    ["-2 alone", meta(-2), T, "meta -2"],
    ["9 alone", meta(9), QUOTA, "meta 9"],
    ["24 alone", meta(24), T, "meta 24"],
    ["25 alone", meta(25), AUTH, "meta 25"],
    ["352 alone", meta(352), CONTENT, "meta 352"],
    ["9004 alone", meta(9004), CONTENT, "meta 9004"],
    ["9007 alone", meta(9007), T, "meta 9007"],
    ["36000 alone", meta(36000), CONTENT, "meta 36000"],
    ["36002 alone", meta(36002), CONTENT, "meta 36002"],
    ["36004 alone", meta(36004), CONTENT, "meta 36004"],
    // no body code at all: the HTTP status is all there is
    ["502 without code", { provider: "meta", httpStatus: 502 }, T, "meta http 502"],
    ["429 without code", { provider: "meta", httpStatus: 429 }, RL, "meta http 429"],
    ["400 without code", { provider: "meta", httpStatus: 400 }, UNKNOWN, "meta http 400"],
    ["unknown code", meta(987654), UNKNOWN, "meta 987654"],
  ];

  it.each(cases)("%s", (_name, failure, [cls, retry, action], providerCode) => {
    const c = classifyProviderError(failure, { now: NOW });
    expect([c.class, c.retry, c.action]).toEqual([cls, retry, action]);
    expect(c.providerCode).toBe(providerCode);
  });

  it("branches on the body code, not the HTTP status", () => {
    // A 400 that is really transient, and a 500 that is really an auth failure.
    expect(classifyProviderError(meta(2, undefined, 400)).class).toBe("transient");
    expect(classifyProviderError(meta(190, 463, 500)).class).toBe("auth");
    expect(classifyProviderError(meta(4, undefined, 400)).class).toBe("rate_limited");
  });

  it("reads codes from the raw Graph body (providers/meta/errors.ts parses it)", () => {
    const body = {
      error: {
        message: "Error validating access token: Session has expired on Monday.",
        type: "OAuthException",
        code: 190,
        error_subcode: 463,
        fbtrace_id: "AbCdEf123",
      },
    };
    const c = classifyProviderError(metaFailure(400, body));
    expect(c.rule).toBe("meta-190-463");
    expect(c.providerCode).toBe("meta 190/463");
    expect(c.code).toBe("190/463");
    expect(metaFailure(400, body)).toMatchObject({ code: 190, subcode: 463, message: body.error.message });
  });

  it("uses Meta's regain time for throttles, else a 15-minute window", () => {
    const regainAt = new Date(NOW.getTime() + 42 * 60_000);
    const withRegain = classifyProviderError(meta(80001), { now: NOW, regainAt });
    expect(withRegain.waitUntil!(NOW)).toEqual(regainAt);
    expect(withRegain.limitScope).toBe("target");
    const without = classifyProviderError(meta(4), { now: NOW });
    expect(without.waitUntil!(NOW)).toEqual(new Date(NOW.getTime() + 15 * 60_000));
    expect(without.limitScope).toBe("app");
    // A regain time already past is ignored.
    const stale = classifyProviderError(meta(32), { now: NOW, regainAt: new Date(NOW.getTime() - 1) });
    expect(stale.waitUntil!(NOW)).toEqual(new Date(NOW.getTime() + 15 * 60_000));
  });

  it("moves an Instagram quota hit to when a slot frees, else re-checks in an hour", () => {
    const quotaFreesAt = new Date("2026-03-11T08:00:00.000Z");
    const c = classifyProviderError(meta(9, 2207042), { now: NOW, quotaFreesAt });
    expect(c.waitUntil!(NOW)).toEqual(quotaFreesAt);
    expect(c.message).toContain("2026-03-11T08:00:00.000Z");
    const unknown = classifyProviderError(meta(9, 2207042), { now: NOW });
    expect(unknown.waitUntil!(NOW)).toEqual(new Date(NOW.getTime() + 3_600_000));
  });

  it("tells the worker what to do with a stored Instagram container", () => {
    expect(classifyProviderError(meta(9007, 2207027)).container).toBe("poll_container");
    expect(classifyProviderError(meta(-2, 2207020)).container).toBe("new_container");
    expect(classifyProviderError(meta(24, 2207006)).container).toBe("new_container");
    expect(classifyProviderError(meta(36000, 2207004)).container).toBeUndefined();
  });

  it("quotes Meta's own reason in content messages, without the (#code) prefix", () => {
    const c = classifyProviderError({
      ...meta(100),
      message: "(#100) The specified scheduled publish time is invalid.",
    });
    expect(c.message).toBe(
      "Meta rejected the post: The specified scheduled publish time is invalid. Edit the post and schedule it again.",
    );
  });
});

describe("Instagram container status sentences", () => {
  it.each([
    ["Error: Media upload has failed with error code 2207026", 2207026, "ig-video-format", "content"],
    ["Error: Media upload has failed with error code 2207082", 2207082, "ig-server-error", "transient"],
    ["Error: Media upload has failed with error code 2207076", 2207076, "unknown", "unknown"],
  ])("%s", (status, subcode, rule, cls) => {
    const f = igContainerFailure(status);
    expect(f.subcode).toBe(subcode);
    const c = classifyProviderError(f);
    expect(c.rule).toBe(rule);
    expect(c.class).toBe(cls);
  });

  it("tolerates a sentence without a code", () => {
    const f = igContainerFailure("Error: something else");
    expect(f.subcode).toBeUndefined();
    expect(classifyProviderError(f).class).toBe("unknown");
    expect(igContainerFailure(undefined)).toEqual({ provider: "meta", containerError: true });
    expect(classifyProviderError(igContainerFailure(undefined)).providerCode).toBe("meta container ERROR");
  });

  it("shows the code Instagram reported, never a `?` for the part it did not", () => {
    const c = classifyProviderError(
      igContainerFailure("Error: Media upload has failed with error code 2207026"),
    );
    expect(c.providerCode).toBe("meta 2207026");
    expect(c.code).toBe("2207026");
    expect(c.providerCode).not.toContain("?");
    expect(toStoredError(c, NOW)).toMatchObject({ class: "content", code: "2207026", action: "fix_content" });
  });
});

describe("failures about one media item name it", () => {
  const child = { position: 2, count: 3, url: "https://cdn.example/b.jpg", carouselChild: true as const };
  const single = { position: 1, count: 1, url: "https://cdn.example/a.jpg" };

  it("names a carousel child refused with 9004/2207052 by position and URL, with the real code", () => {
    const c = classifyProviderError({ ...meta(9004, 2207052), media: child });
    expect(c.rule).toBe("ig-media-url");
    expect(c.message).toMatch(
      /^Carousel item 2 of 3 \(https:\/\/cdn\.example\/b\.jpg\): Instagram could not download/,
    );
    expect(c.code).toBe("9004/2207052");
    expect(c.providerCode).toBe("meta 9004/2207052");
    const stored = toStoredError(c, NOW);
    expect(stored).toMatchObject({
      class: "content",
      code: "9004/2207052",
      action: "fix_content",
      media: child,
    });
    expect(stored.message).toContain("https://cdn.example/b.jpg");
  });

  it("names the item of a container that ended in ERROR", () => {
    const c = classifyProviderError({
      ...igContainerFailure("Error: Media upload has failed with error code 2207026"),
      media: single,
    });
    expect(c.message).toMatch(
      /^Media item 1 of 1 \(https:\/\/cdn\.example\/a\.jpg\): Instagram cannot use this video/,
    );
    expect(c.media).toEqual(single);
  });

  it("names the item of a container in ERROR even when the code is unknown", () => {
    const c = classifyProviderError({
      ...igContainerFailure("Error: Media upload has failed with error code 2207076"),
      media: child,
    });
    expect(c.rule).toBe("unknown");
    expect(c.message).toMatch(/^Carousel item 2 of 3 \(https:\/\/cdn\.example\/b\.jpg\): /);
    expect(c.providerCode).toBe("meta 2207076");
  });

  it("does not blame the item for a failure that is not about media (an expired token)", () => {
    const c = classifyProviderError({ ...meta(190, 463), media: child });
    expect(c.rule).toBe("meta-190-463");
    expect(c.message).not.toContain("Carousel item");
    expect(c.media).toBeUndefined();
  });
});

describe("LinkedIn (providers.md B7)", () => {
  const duplicateBody = {
    errorDetailType: "com.linkedin.common.error.BadRequest",
    message:
      "com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808",
    errorDetails: {
      inputErrors: [{ description: "Duplicate post is detected", input: {}, code: "DUPLICATE_POST" }],
    },
    status: 422,
  };
  const cases: [string, ProviderFailure, Expect, string][] = [
    [
      "401 65600",
      li(401, { status: 401, serviceErrorCode: 65600, message: "Invalid access token" }),
      AUTH,
      "linkedin 401 65600",
    ],
    [
      "401 65601 revoked",
      li(401, { status: 401, serviceErrorCode: 65601, code: "REVOKED_ACCESS_TOKEN", message: "revoked" }),
      AUTH,
      "linkedin 401 65601 REVOKED_ACCESS_TOKEN",
    ],
    [
      "401 65602 expired",
      li(401, { status: 401, serviceErrorCode: 65602, code: "EXPIRED_ACCESS_TOKEN" }),
      AUTH,
      "linkedin 401 65602 EXPIRED_ACCESS_TOKEN",
    ],
    [
      "401 classic empty token",
      li(401, { message: "Empty oauth2_access_token", serviceErrorCode: 401, status: 401 }),
      AUTH,
      "linkedin 401",
    ],
    [
      "403 ACCESS_DENIED",
      li(403, {
        status: 403,
        serviceErrorCode: 100,
        code: "ACCESS_DENIED",
        message: "Not enough permissions to access: partnerApiPostsExternal.CREATE.20250101",
      }),
      AUTH,
      "linkedin 403 100 ACCESS_DENIED",
    ],
    [
      "404",
      li(404, { status: 404, serviceErrorCode: 0, code: "NOT_FOUND" }),
      CONTENT,
      "linkedin 404 0 NOT_FOUND",
    ],
    ["411", li(411), CONFIG, "linkedin 411"],
    ["414", li(414), CONFIG, "linkedin 414"],
    ["422 DUPLICATE_POST", li(422, duplicateBody), DUP, "linkedin 422 DUPLICATE_POST"],
    [
      "422 validation",
      li(422, {
        status: 422,
        message: "ERROR :: /commentary :: too long",
        errorDetails: { inputErrors: [{ code: "INVALID_VALUE" }] },
      }),
      CONTENT,
      "linkedin 422 INVALID_VALUE",
    ],
    [
      "426 NONEXISTENT_VERSION",
      li(426, {
        status: 426,
        code: "NONEXISTENT_VERSION",
        message: "Requested version 20241101 is not active",
      }),
      CONFIG,
      "linkedin 426 NONEXISTENT_VERSION",
    ],
    [
      "400 VERSION_MISSING",
      li(400, { status: 400, code: "VERSION_MISSING", message: "A version must be present." }),
      CONFIG,
      "linkedin 400 VERSION_MISSING",
    ],
    [
      "429 application day",
      li(429, {
        message: "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
        status: 429,
      }),
      RL,
      "linkedin 429",
    ],
    [
      "429 documented 101",
      li(429, { message: "Resource level throttle limit", serviceErrorCode: 101, status: 429 }),
      RL,
      "linkedin 429 101",
    ],
    ["500", li(500), T, "linkedin 500"],
    ["503", li(503), T, "linkedin 503"],
    ["504", li(504), T, "linkedin 504"],
    ["network reset", { provider: "linkedin", network: "reset" }, T, "linkedin network reset"],
    ["418 unknown", li(418), UNKNOWN, "linkedin 418"],
  ];

  it.each(cases)("%s", (_name, failure, [cls, retry, action], providerCode) => {
    const c = classifyProviderError(failure, { now: NOW });
    expect([c.class, c.retry, c.action]).toEqual([cls, retry, action]);
    expect(c.providerCode).toBe(providerCode);
  });

  it("adopts the post a duplicate answer names", () => {
    const c = classifyProviderError(li(422, duplicateBody));
    expect(c.existingUrn).toBe("urn:li:share:7141138937766391808");
    expect(c.message).toContain("urn:li:share:7141138937766391808");
  });

  it("parses share and ugcPost URNs out of duplicate messages", () => {
    expect(parseDuplicateUrn("Content is a duplicate of urn:li:share:7141138937766391808")).toBe(
      "urn:li:share:7141138937766391808",
    );
    expect(parseDuplicateUrn("… duplicate of urn:li:ugcPost:6999 (x)")).toBe("urn:li:ugcPost:6999");
    expect(parseDuplicateUrn("Duplicate post is detected")).toBeUndefined();
    expect(parseDuplicateUrn(undefined)).toBeUndefined();
  });

  it("names the retired version and the variable to change on 426", () => {
    const versionSettings = { metaGraphVersion: "X_META", linkedinVersion: "X_LINKEDIN" };
    const c = classifyProviderError(
      li(426, {
        status: 426,
        code: "NONEXISTENT_VERSION",
        message: "Requested version 20241101 is not active",
      }),
      { versionSettings },
    );
    expect(c.message).toContain("202411");
    expect(c.message).toContain("set X_LINKEDIN to an active version");
    const missing = classifyProviderError(
      li(400, { status: 400, code: "VERSION_MISSING", message: "A version must be present." }),
      { versionSettings },
    );
    expect(missing.message).toMatch(/without a LinkedIn-Version header.*X_LINKEDIN/);
    expect(versionFromMessage("Requested version 20250102 is not active")).toBe("202501");
    expect(versionFromMessage("Requested version 202501.02 is not active")).toBe("202501.02");
  });

  it("describes the version setting by meaning when the caller names none", () => {
    const c = classifyProviderError(li(426, { status: 426, code: "NONEXISTENT_VERSION" }));
    expect(c.message).toContain("set the LinkedIn-Version setting to an active version");
    const meta12 = classifyProviderError(
      { provider: "meta", httpStatus: 400, code: 12 },
      {
        versionSettings: { metaGraphVersion: "X_META", linkedinVersion: "X_LINKEDIN" },
      },
    );
    expect(meta12.message).toContain("must raise X_META to a supported Graph version");
  });

  it("waits for LinkedIn's daily reset at the next midnight UTC", () => {
    const c = classifyProviderError(li(429, { status: 429, message: "APPLICATION DAY limit" }), { now: NOW });
    expect(c.waitUntil!(NOW).toISOString()).toBe("2026-03-11T00:00:00.000Z");
    expect(c.limitScope).toBe("app");
    const member = classifyProviderError(li(429, { status: 429, message: "throttle MEMBER DAY limit" }));
    expect(member.limitScope).toBe("target");
    expect(nextUtcMidnight(new Date("2026-12-31T23:59:59.999Z")).toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
    expect(nextUtcMidnight(new Date("2026-03-11T00:00:00.000Z")).toISOString()).toBe(
      "2026-03-12T00:00:00.000Z",
    );
  });

  it("retries a 65601 once when the consent was just given", () => {
    const revoked = li(401, { status: 401, serviceErrorCode: 65601, code: "REVOKED_ACCESS_TOKEN" });
    const justConsented = { now: NOW, consentedAt: new Date(NOW.getTime() - 2 * 60_000) };
    const first = classifyProviderError(revoked, justConsented);
    expect([first.class, first.retry, first.action]).toEqual(T);
    const second = classifyProviderError(revoked, { ...justConsented, previousSameFailures: 1 });
    expect([second.class, second.retry, second.action]).toEqual(AUTH);
    const old = classifyProviderError(revoked, {
      now: NOW,
      consentedAt: new Date(NOW.getTime() - 3_600_000),
    });
    expect(old.class).toBe("auth");
  });
});

describe("network failures", () => {
  it.each([
    [Object.assign(new Error("x"), { code: "ECONNRESET" }), "reset"],
    [Object.assign(new Error("x"), { code: "ECONNREFUSED" }), "refused"],
    [Object.assign(new Error("x"), { code: "ENOTFOUND" }), "dns"],
    [Object.assign(new Error("x"), { code: "ETIMEDOUT" }), "timeout"],
    [Object.assign(new Error("aborted"), { name: "TimeoutError" }), "timeout"],
    [
      new TypeError("fetch failed", { cause: Object.assign(new Error("s"), { code: "UND_ERR_SOCKET" }) }),
      "reset",
    ],
    [new Error("plain"), undefined],
  ])("%s → %s", (error, kind) => {
    expect(networkFailureKind(error)).toBe(kind);
  });

  it("classifies every kind as transient for both providers", () => {
    for (const provider of ["meta", "linkedin"] as const) {
      for (const network of ["timeout", "reset", "refused", "dns"] as const) {
        const c = classifyProviderError({ provider, network });
        expect([c.class, c.retry, c.action]).toEqual(T);
      }
    }
  });
});

describe("bridging the provider clients' ProviderError", () => {
  it("maps a Meta client error", () => {
    const e = metaErrorFrom(
      400,
      { error: { message: "(#80001) There have been too many calls to this Page account.", code: 80001 } },
      "POST /123/feed",
    );
    const c = classifyProviderError(failureFromProviderError(e), { now: NOW });
    expect(c.rule).toBe("meta-buc-throttle");
    expect(c.providerCode).toBe("meta 80001");
  });

  it("maps a LinkedIn client error, swapping its code/subcode convention", () => {
    const revoked = linkedInErrorFrom(
      401,
      { status: 401, serviceErrorCode: 65601, code: "REVOKED_ACCESS_TOKEN", message: "revoked" },
      "POST /rest/posts",
    );
    const f = failureFromProviderError(revoked);
    expect(f).toMatchObject({ code: "REVOKED_ACCESS_TOKEN", subcode: 65601, httpStatus: 401 });
    expect(classifyProviderError(f).rule).toBe("li-401-revoked");
  });

  it("recognises a duplicate whose DUPLICATE_POST code the client did not keep", () => {
    const e = linkedInErrorFrom(
      422,
      {
        message: "BadRequestResponseException: Content is a duplicate of urn:li:share:123",
        errorDetails: { inputErrors: [{ code: "DUPLICATE_POST" }] },
        status: 422,
      },
      "POST /rest/posts",
    );
    const c = classifyProviderError(failureFromProviderError(e));
    expect(c.class).toBe("duplicate");
    expect(c.existingUrn).toBe("urn:li:share:123");
  });

  it("keeps LinkedIn's nested DUPLICATE_POST code even when the message does not say duplicate", () => {
    const e = linkedInErrorFrom(
      422,
      {
        message: "Content already exists: urn:li:share:456",
        errorDetails: { inputErrors: [{ code: "DUPLICATE_POST" }] },
        status: 422,
      },
      "POST /rest/posts",
    );
    expect(e.subcode).toBe("DUPLICATE_POST");
    const c = classifyProviderError(failureFromProviderError(e));
    expect(c).toMatchObject({ class: "duplicate", code: "DUPLICATE_POST", existingUrn: "urn:li:share:456" });
  });

  it("maps a network error to a transient failure", () => {
    const e = new ProviderNetworkError(
      "meta GET /me: no answer within 10000 ms",
      { provider: "meta", classification: "transient" },
      { cause: Object.assign(new Error("t"), { name: "TimeoutError" }) },
    );
    const f = failureFromProviderError(e);
    expect(f.network).toBe("timeout");
    expect(classifyProviderError(f).class).toBe("transient");
  });
});

describe("storing a classification", () => {
  it("evaluates the wait time to an ISO string", () => {
    const c = classifyProviderError(li(429, { status: 429, message: "APPLICATION DAY" }), { now: NOW });
    const stored = toStoredError(c, NOW);
    expect(stored).toMatchObject({
      class: "rate_limited",
      waitUntil: "2026-03-11T00:00:00.000Z",
      rule: "li-429",
    });
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
  });
});
