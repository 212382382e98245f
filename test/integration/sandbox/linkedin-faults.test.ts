import { describe, expect, it } from "vitest";
import {
  ADA_URN,
  control,
  createPost,
  mintToken,
  ORG_ADMIN,
  type Sandbox,
  useLinkedInSandbox,
} from "./linkedin-support.js";

/**
 * Fault injection against the LinkedIn provider through the core's fault API: every LinkedIn
 * error preset, a literal response, latency, and a connection dropped before or after the post
 * was made (the duplicate answer then names the post the client never heard about).
 */

let sb: Sandbox;
let token: string;
useLinkedInSandbox({
  started: (running) => {
    sb = running;
  },
  afterReset: async (running) => {
    token = await mintToken(running);
  },
});

async function addFault(rule: Record<string, unknown>): Promise<string> {
  const res = await control(sb, "/_sandbox/faults", {
    provider: "linkedin",
    method: "POST",
    path: "/rest/posts$",
    ...rule,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const publishedCount = async (target = ADA_URN) =>
  (
    (await (
      await fetch(`${sb.url}/_sandbox/published?provider=linkedin&target=${encodeURIComponent(target)}`)
    ).json()) as {
      count: number;
    }
  ).count;

const PRESETS: [string, number, Record<string, unknown>][] = [
  ["invalid-65600", 401, { status: 401, serviceErrorCode: 65600, code: "INVALID_ACCESS_TOKEN" }],
  ["revoked-65601", 401, { status: 401, serviceErrorCode: 65601, code: "REVOKED_ACCESS_TOKEN" }],
  ["expired-65602", 401, { status: 401, serviceErrorCode: 65602, code: "EXPIRED_ACCESS_TOKEN" }],
  ["empty-token-401", 401, { serviceErrorCode: 401, message: "Empty oauth2_access_token" }],
  [
    "access-denied",
    403,
    {
      status: 403,
      serviceErrorCode: 100,
      code: "ACCESS_DENIED",
      message: "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260101",
    },
  ],
  ["duplicate-post", 422, { status: 422, errorDetails: { inputErrors: [{ code: "DUPLICATE_POST" }] } }],
  [
    "daily-limit-429",
    429,
    {
      message: "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
      status: 429,
    },
  ],
  [
    "member-daily-limit-429",
    429,
    {
      message: "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
      status: 429,
    },
  ],
  ["throttle-429", 429, { serviceErrorCode: 101, status: 429 }],
  [
    "nonexistent-version",
    426,
    { status: 426, code: "NONEXISTENT_VERSION", message: "Requested version 20260101 is not active" },
  ],
  ["version-missing", 400, { status: 400, code: "VERSION_MISSING" }],
  ["not-found-404", 404, { status: 404 }],
  ["server-500", 500, { status: 500 }],
  ["unavailable-503", 503, { status: 503, message: "Service Unavailable" }],
  ["gateway-timeout-504", 504, { status: 504 }],
];

describe("error presets", () => {
  it("the core lists every LinkedIn preset", async () => {
    const res = await fetch(`${sb.url}/_sandbox/faults/presets`);
    const text = await res.text();
    for (const [name] of PRESETS) expect(text).toContain(`linkedin.${name}`);
  });

  it.each(PRESETS)(
    "linkedin.%s → %i with LinkedIn's body and headers, once, nothing published",
    async (preset, status, body) => {
      await addFault({ times: 1, fault: { kind: "error", preset: `linkedin.${preset}` } });
      const res = await createPost(sb, token, { commentary: `preset ${preset}` });
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject(body);
      expect(res.headers.get("x-li-uuid")).toBeTruthy();
      expect(res.headers.get("x-restli-protocol-version")).toBe("2.0.0");
      expect(await publishedCount()).toBe(0);
      // `times: 1` → the next call goes through.
      expect((await createPost(sb, token, { commentary: `preset ${preset}` })).status).toBe(201);
      expect(await publishedCount()).toBe(1);
    },
  );
});

describe("other fault kinds", () => {
  it("a literal response", async () => {
    await addFault({ times: 1, fault: { kind: "response", status: 502, body: { message: "Bad Gateway" } } });
    const res = await createPost(sb, token, { commentary: "literal" });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ message: "Bad Gateway" });
  });

  it("latency, then the provider acts normally", async () => {
    await addFault({ times: 1, fault: { kind: "latency", ms: 50 } });
    const res = await createPost(sb, token, { commentary: "slow" });
    expect(res.status).toBe(201);
    expect(await publishedCount()).toBe(1);
  });

  it("drop-before: the client sees a socket error and nothing is published", async () => {
    await addFault({ times: 1, fault: { kind: "drop-before" } });
    await expect(createPost(sb, token, { commentary: "lost before" })).rejects.toThrow();
    expect(await publishedCount()).toBe(0);
    expect((await createPost(sb, token, { commentary: "lost before" })).status).toBe(201);
    expect(await publishedCount()).toBe(1);
  });

  it("drop-after: the post exists though the client saw a socket error; the retry's 422 names it", async () => {
    await addFault({ times: 1, fault: { kind: "drop-after" } });
    await expect(createPost(sb, token, { commentary: "lost after" })).rejects.toThrow();
    const log = (await (await fetch(`${sb.url}/_sandbox/published?provider=linkedin`)).json()) as {
      items: { providerId: string }[];
    };
    expect(log.items).toHaveLength(1);
    const retry = await createPost(sb, token, { commentary: "lost after" });
    expect(retry.status).toBe(422);
    expect(((await retry.json()) as { message: string }).message).toContain(
      `Content is a duplicate of ${log.items[0]?.providerId}`,
    );
    expect(await publishedCount()).toBe(1);
  });

  it("target matching: a rule for the org author leaves the member's posts alone", async () => {
    await addFault({ target: ORG_ADMIN, fault: { kind: "error", preset: "linkedin.server-500" } });
    expect((await createPost(sb, token, { commentary: "me" })).status).toBe(201);
    expect((await createPost(sb, token, { commentary: "org", author: ORG_ADMIN })).status).toBe(500);
    expect((await createPost(sb, token, { commentary: "org again", author: ORG_ADMIN })).status).toBe(500);
  });

  it("probability 0 never fires, probability 1 always does", async () => {
    const id = await addFault({
      probability: 0,
      fault: { kind: "error", preset: "linkedin.unavailable-503" },
    });
    expect((await createPost(sb, token, { commentary: "p0" })).status).toBe(201);
    await control(sb, `/_sandbox/faults/${id}`, undefined, "DELETE");
    await addFault({ probability: 1, fault: { kind: "error", preset: "linkedin.unavailable-503" } });
    expect((await createPost(sb, token, { commentary: "p1" })).status).toBe(503);
  });
});
