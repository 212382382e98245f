import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox } from "../../../local/sandbox/index.js";
import { META_ERROR_PRESETS } from "../../../local/sandbox/meta/errors.js";
import {
  BAKERY,
  BOOKS,
  control,
  expectGraphError,
  graph,
  mint,
  published,
  type Sandbox,
} from "./meta-support.js";

/** Fault injection on the Meta provider: every preset in the Graph envelope, and each fault kind. */
let sb: Sandbox;
let pageTokens: Record<string, string>;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());
beforeEach(async () => {
  await control(sb, "POST", "/_sandbox/reset");
  pageTokens = (await mint(sb)).page_tokens;
});

const addFault = async (rule: unknown) => {
  const res = await control(sb, "POST", "/_sandbox/faults", rule);
  expect(res.status).toBe(201);
};
const post = (message: string, page = BAKERY) =>
  graph(sb, "POST", `${page}/feed`, { access_token: pageTokens[page]!, message });

/** Code and subcode each preset must carry (from the reference tables). */
const EXPECTED: Record<string, [number, number | undefined, number?]> = {
  "token-expired": [190, 463],
  "token-revoked": [190, 458],
  "password-changed": [190, 460],
  "token-invalid": [190, 467],
  "page-role-lost": [190, 492],
  "permission-10": [10, undefined],
  "permission-200": [200, undefined],
  "rate-limit-app": [4, undefined],
  "user-limit-17": [17, undefined],
  "page-limit-32": [32, undefined],
  "custom-limit-613": [613, undefined],
  "page-throttled": [80001, undefined],
  "page-throttled-80001": [80001, undefined],
  "ig-throttled": [80002, undefined],
  "ig-throttled-80002": [80002, undefined],
  "transient-1": [1, undefined],
  "transient-2": [2, undefined],
  "server-500": [2, undefined, 500],
  "duplicate-506": [506, 1455006],
  "photo-1366046": [100, 1366046],
  "ig-not-ready-9007": [9007, 2207027],
  "ig-quota-9": [9, 2207042],
  "ig-download-timeout": [-2, 2207003],
  "ig-container-expired": [-2, 2207020],
  "ig-fetch-failed": [9004, 2207052],
  "ig-image-too-large": [36000, 2207004],
  "ig-aspect-ratio": [36003, 2207009],
  "spam-restricted": [4, 2207051],
};

describe("Meta error presets", () => {
  it("covers every preset the module exports", () => {
    expect(Object.keys(META_ERROR_PRESETS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, [code, subcode, status]] of Object.entries(EXPECTED)) {
    it(`meta.${name} answers code ${code}${subcode ? `/${subcode}` : ""} in the Graph envelope`, async () => {
      await addFault({
        provider: "meta",
        path: "/feed$",
        times: 1,
        fault: { kind: "error", preset: `meta.${name}` },
      });
      const a = await post(`fault ${name}`);
      const e = expectGraphError(a, code, subcode, status ?? 400);
      expect(e.type).toBe("OAuthException");
      if (code === 190) {
        expect(a.headers.get("www-authenticate")).toMatch(
          /^OAuth "Facebook Platform" "invalid_token" "Error validating access token/,
        );
      } else {
        expect(a.headers.get("www-authenticate")).toBeNull();
      }
      // The provider never acted.
      expect((await published(sb)).count).toBe(0);
      expect((await post(`after ${name}`)).status).toBe(200);
    });
  }
});

describe("fault kinds on Meta routes", () => {
  it("targets one Page only", async () => {
    await addFault({ provider: "meta", target: BOOKS, fault: { kind: "error", preset: "page-throttled" } });
    expect((await post("bakery")).status).toBe(200);
    expectGraphError(await post("books", BOOKS), 80001);
  });

  it("drop-before: the client sees a socket error and nothing is posted", async () => {
    await addFault({
      provider: "meta",
      method: "POST",
      path: "/feed$",
      times: 1,
      fault: { kind: "drop-before" },
    });
    await expect(post("lost")).rejects.toThrow();
    expect((await published(sb, BAKERY)).count).toBe(0);
  });

  it("drop-after: the client sees a socket error but the post exists (and a retry is a duplicate)", async () => {
    await addFault({
      provider: "meta",
      method: "POST",
      path: "/feed$",
      times: 1,
      fault: { kind: "drop-after" },
    });
    await expect(post("made it")).rejects.toThrow();
    const log = await published(sb, BAKERY);
    expect(log.count).toBe(1);
    expect(log.items[0]!.text).toBe("made it");
    const feed = await graph(sb, "GET", `${BAKERY}/feed`, {
      access_token: pageTokens[BAKERY]!,
      fields: "message",
    });
    expect((feed.body.data as { message: string }[]).map((p) => p.message)).toEqual(["made it"]);
    expectGraphError(await post("made it"), 506, 1455006);
  });

  it("latency then the normal answer; a literal response", async () => {
    await addFault({ provider: "meta", path: "/feed$", times: 1, fault: { kind: "latency", ms: 20 } });
    expect((await post("slow")).status).toBe(200);
    await addFault({
      provider: "meta",
      path: "/feed$",
      times: 1,
      fault: { kind: "response", status: 502, body: "Bad Gateway" },
    });
    const a = await fetch(`${sb.url}/meta/graph/v25.0/${BAKERY}/feed`, { method: "POST" });
    expect(a.status).toBe(502);
    expect(await a.text()).toBe("Bad Gateway");
  });
});
