import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSandboxServer, type RunningSandbox } from "../../../local/sandbox/core/server.js";
import type { ProviderModule } from "../../../local/sandbox/core/types.js";

/**
 * The sandbox core with a small test provider: routing, control API, clock, publication
 * log, config and each fault kind.
 */
const probe: ProviderModule = {
  name: "meta",
  errorPresets: {
    teapot: () => ({ status: 418, headers: { "x-preset": "teapot" }, body: { error: { code: 418 } } }),
  },
  seed: () => ({ apps: ["probe"] }),
  register(router, ctx) {
    router.add(
      "POST",
      "/meta/graph/:version(v\\d+\\.\\d+)/:target/items",
      (req) => {
        const p = ctx.published.record({
          provider: "meta",
          target: req.params.target!,
          kind: "item",
          providerId: `item-${ctx.published.list().length + 1}`,
          text: req.params2().get("message") ?? undefined,
        });
        return { status: 200, body: { id: p.providerId, version: req.params.version } };
      },
      { target: (req) => req.params.target },
    );
    router.add("GET", "/meta/graph/:version/now", () => ({ status: 200, body: { now: ctx.clock.now() } }));
    router.add("GET", "/meta/graph/:version/config", () => ({ status: 200, body: ctx.config.meta }));
    router.add("GET", "/meta/graph/:version/state", () => {
      const s = ctx.state("meta", () => ({ hits: 0 }));
      s.hits += 1;
      return { status: 200, body: s };
    });
  },
};

let sandbox: RunningSandbox;
const post = (path: string, body?: unknown, method = "POST") =>
  fetch(sandbox.url + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const addFault = async (rule: unknown) => {
  const res = await post("/_sandbox/faults", rule);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
};
const publish = (target = "p1", message = "hello") =>
  fetch(`${sandbox.url}/meta/graph/v25.0/${target}/items`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ message }),
  });
const publishedCount = async (target?: string) => {
  const q = target ? `?provider=meta&target=${target}` : "";
  return ((await (await fetch(`${sandbox.url}/_sandbox/published${q}`)).json()) as { count: number }).count;
};

beforeAll(async () => {
  sandbox = await createSandboxServer({ providers: [probe], config: { meta: { igPublishQuota: 7 } } });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  expect((await post("/_sandbox/reset")).status).toBe(200);
});

describe("sandbox core: routing and control API", () => {
  it("listens on an ephemeral loopback port and reports health", async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.port).toBeGreaterThan(0);
    const res = await fetch(`${sandbox.url}/_sandbox/health`);
    expect(await res.json()).toMatchObject({ ok: true, providers: ["meta"] });
  });

  it("routes by pattern with narrowed segments, answers 404 and 405 otherwise", async () => {
    const ok = await publish();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ id: "item-1", version: "v25.0" });
    expect((await fetch(`${sandbox.url}/meta/graph/latest/p1/items`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${sandbox.url}/meta/graph/v25.0/p1/items`)).status).toBe(405);
  });

  it("records publications and filters them by provider and target", async () => {
    await publish("p1", "one");
    await publish("p2", "two");
    await publish("p1", "three");
    expect(await publishedCount()).toBe(3);
    expect(await publishedCount("p1")).toBe(2);
    const body = (await (await fetch(`${sandbox.url}/_sandbox/published?target=p2`)).json()) as {
      items: { text: string; at: string }[];
    };
    expect(body.items.map((i) => i.text)).toEqual(["two"]);
    expect(Number.isNaN(Date.parse(body.items[0]!.at))).toBe(false);
  });

  it("moves the clock forward and to a set instant, and reset brings it back", async () => {
    const before = ((await (await fetch(`${sandbox.url}/meta/graph/v1.0/now`)).json()) as { now: number })
      .now;
    await post("/_sandbox/clock", { advanceMs: 86_400_000 });
    const later = ((await (await fetch(`${sandbox.url}/meta/graph/v1.0/now`)).json()) as { now: number }).now;
    expect(later - before).toBeGreaterThanOrEqual(86_400_000);
    const set = await post("/_sandbox/clock", { set: "2030-01-01T00:00:00Z" });
    expect(((await set.json()) as { now: string }).now.startsWith("2030-01-01T00:00:0")).toBe(true);
    expect((await post("/_sandbox/clock", { bogus: 1 })).status).toBe(400);
    await post("/_sandbox/reset");
    const after = ((await (await fetch(`${sandbox.url}/_sandbox/clock`)).json()) as { epochMs: number })
      .epochMs;
    expect(after).toBeLessThan(Date.parse("2030-01-01T00:00:00Z"));
    expect(after - before).toBeLessThan(86_400_000);
  });

  it("deep-merges config, refuses unknown or mistyped keys, and resets to the start config", async () => {
    const start = (await (await fetch(`${sandbox.url}/_sandbox/config`)).json()) as {
      meta: { igPublishQuota: number; enforceUsageLimits: boolean };
    };
    expect(start.meta.igPublishQuota).toBe(7);
    const put = await post("/_sandbox/config", { meta: { enforceUsageLimits: true } }, "PUT");
    expect(put.status).toBe(200);
    const seen = (await (await fetch(`${sandbox.url}/meta/graph/v1.0/config`)).json()) as typeof start.meta;
    expect(seen).toMatchObject({ igPublishQuota: 7, enforceUsageLimits: true });
    expect((await post("/_sandbox/config", { meta: { igPublishQuot: 1 } }, "PUT")).status).toBe(400);
    expect((await post("/_sandbox/config", { meta: { igPublishQuota: "1" } }, "PUT")).status).toBe(400);
    await post("/_sandbox/reset");
    const reset = (await (await fetch(`${sandbox.url}/_sandbox/config`)).json()) as typeof start;
    expect(reset.meta).toMatchObject({ igPublishQuota: 7, enforceUsageLimits: false });
  });

  it("keeps provider state until reset", async () => {
    const hit = async () =>
      ((await (await fetch(`${sandbox.url}/meta/graph/v1.0/state`)).json()) as { hits: number }).hits;
    expect(await hit()).toBe(1);
    expect(await hit()).toBe(2);
    await post("/_sandbox/reset");
    expect(await hit()).toBe(1);
  });

  it("serves the providers' seeds", async () => {
    expect(await (await fetch(`${sandbox.url}/_sandbox/seed`)).json()).toEqual({ meta: { apps: ["probe"] } });
  });
});

describe("sandbox core: fault injection", () => {
  it("answers with a provider preset for the next N matching calls only", async () => {
    await addFault({
      provider: "meta",
      path: "/items$",
      fault: { kind: "error", preset: "meta.teapot" },
      times: 2,
    });
    for (let i = 0; i < 2; i++) {
      const res = await publish();
      expect(res.status).toBe(418);
      expect(res.headers.get("x-preset")).toBe("teapot");
      expect(await res.json()).toEqual({ error: { code: 418 } });
    }
    expect((await publish()).status).toBe(200);
    expect(await publishedCount()).toBe(1);
  });

  it("matches on target and method, and refuses unknown presets", async () => {
    await addFault({
      target: "p2",
      method: "POST",
      fault: { kind: "error", preset: "teapot" },
      provider: "meta",
    });
    expect((await publish("p1")).status).toBe(200);
    expect((await publish("p2")).status).toBe(418);
    expect((await publish("p2")).status).toBe(418);
    const bad = await post("/_sandbox/faults", { fault: { kind: "error", preset: "meta.nope" } });
    expect(bad.status).toBe(400);
    const presets = (await (await fetch(`${sandbox.url}/_sandbox/faults/presets`)).json()) as {
      presets: string[];
    };
    expect(presets.presets).toContain("meta.teapot");
  });

  it("answers a literal response", async () => {
    await addFault({
      path: "/items$",
      times: 1,
      fault: { kind: "response", status: 503, body: { down: true } },
    });
    const res = await publish();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ down: true });
    expect(await publishedCount()).toBe(0);
  });

  it("adds latency and then proceeds normally", async () => {
    await addFault({ path: "/items$", times: 1, fault: { kind: "latency", ms: 50 } });
    const res = await publish();
    expect(res.status).toBe(200);
    expect(await publishedCount()).toBe(1);
    const requests = (await (await fetch(`${sandbox.url}/_sandbox/requests?path=items`)).json()) as {
      items: { status: unknown; fault?: string }[];
    };
    expect(requests.items[0]!.status).toBe(200);
    expect(requests.items[0]!.fault).toMatch(/latency$/);
  });

  it("drops the connection before the provider acts: the client fails and nothing is recorded", async () => {
    await addFault({ path: "/items$", times: 1, fault: { kind: "drop-before" } });
    await expect(publish()).rejects.toThrow(TypeError);
    expect(await publishedCount()).toBe(0);
    expect((await publish()).status).toBe(200);
  });

  it("drops the answer after the provider acted: the client fails but the publication exists", async () => {
    await addFault({ path: "/items$", times: 1, fault: { kind: "drop-after" } });
    await expect(publish("p1", "lost answer")).rejects.toThrow(TypeError);
    const log = (await (await fetch(`${sandbox.url}/_sandbox/published`)).json()) as {
      items: { text: string }[];
    };
    expect(log.items.map((i) => i.text)).toEqual(["lost answer"]);
    const requests = (await (await fetch(`${sandbox.url}/_sandbox/requests?path=items`)).json()) as {
      items: { status: unknown; fault?: string }[];
    };
    expect(requests.items[0]).toMatchObject({ status: "dropped" });
    expect(requests.items[0]!.fault).toMatch(/drop-after$/);
  });

  it("fires with a probability: 0 never, 1 always", async () => {
    const never = await addFault({
      path: "/items$",
      probability: 0,
      fault: { kind: "response", status: 500 },
    });
    expect((await publish()).status).toBe(200);
    expect((await fetch(`${sandbox.url}/_sandbox/faults/${never}`, { method: "DELETE" })).status).toBe(204);
    await addFault({ path: "/items$", probability: 1, fault: { kind: "response", status: 500 } });
    expect((await publish()).status).toBe(500);
    expect((await publish()).status).toBe(500);
  });

  it("lists, deletes and never faults the control API", async () => {
    await addFault({ fault: { kind: "response", status: 500 } });
    expect((await fetch(`${sandbox.url}/_sandbox/health`)).status).toBe(200);
    const list = (await (await fetch(`${sandbox.url}/_sandbox/faults`)).json()) as { faults: unknown[] };
    expect(list.faults).toHaveLength(1);
    expect((await publish()).status).toBe(500);
    expect((await fetch(`${sandbox.url}/_sandbox/faults`, { method: "DELETE" })).status).toBe(204);
    expect((await publish()).status).toBe(200);
  });

  it("refuses malformed rules", async () => {
    for (const rule of [
      {},
      { fault: { kind: "explode" } },
      { path: "(", fault: { kind: "drop-before" } },
      { times: 0, fault: { kind: "drop-before" } },
      { probability: 2, fault: { kind: "drop-before" } },
    ]) {
      expect((await post("/_sandbox/faults", rule)).status).toBe(400);
    }
  });
});
