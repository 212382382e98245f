import { deepMergeInto } from "./config.js";
import { parseFaultRule } from "./faults.js";
import type { RouteTable } from "./router.js";
import type { SandboxInternals } from "./server.js";
import type { ProviderName, SandboxResponse } from "./types.js";

const bad = (message: string): SandboxResponse => ({ status: 400, body: { error: message } });

/**
 * The control API under `/_sandbox` (never part of a real provider): health, reset, the
 * publication and request logs, seeds, the clock, configuration and fault rules.
 * Providers add their own controls under `/_sandbox/<provider>/…` through the same router.
 */
export function registerControlRoutes(router: RouteTable, s: SandboxInternals): void {
  const { ctx } = s;
  const now = () => ({ now: new Date(ctx.clock.now()).toISOString(), epochMs: ctx.clock.now() });

  router.add("GET", "/_sandbox/health", () => ({
    status: 200,
    body: { ok: true, providers: s.providers.map((p) => p.name), ...now() },
  }));

  router.add("POST", "/_sandbox/reset", () => {
    s.reset();
    return { status: 200, body: { ok: true, ...now() } };
  });

  router.add("GET", "/_sandbox/published", (req) => {
    const provider = req.query.get("provider") ?? undefined;
    if (provider !== undefined && provider !== "meta" && provider !== "linkedin") {
      return bad("provider must be meta or linkedin");
    }
    const items = ctx.published.list({
      provider: provider as ProviderName | undefined,
      target: req.query.get("target") ?? undefined,
    });
    return { status: 200, body: { count: items.length, items } };
  });

  router.add("GET", "/_sandbox/requests", (req) => {
    const provider = req.query.get("provider");
    const path = req.query.get("path");
    let pathRe: RegExp | undefined;
    try {
      pathRe = path ? new RegExp(path) : undefined;
    } catch {
      return bad("path must be a RegExp source");
    }
    const items = s.requests.filter(
      (r) => (!provider || r.provider === provider) && (!pathRe || pathRe.test(r.path)),
    );
    return { status: 200, body: { count: items.length, items } };
  });

  router.add("GET", "/_sandbox/seed", () => {
    const body: Record<string, unknown> = {};
    for (const p of s.providers) if (p.seed) body[p.name] = p.seed(ctx);
    return { status: 200, body };
  });

  router.add("GET", "/_sandbox/clock", () => ({ status: 200, body: now() }));
  router.add("POST", "/_sandbox/clock", (req) => {
    const input = req.json() as { advanceMs?: unknown; set?: unknown } | undefined;
    if (input && typeof input.advanceMs === "number" && Number.isFinite(input.advanceMs)) {
      ctx.clock.advance(input.advanceMs);
    } else if (input && (typeof input.set === "number" || typeof input.set === "string")) {
      const at = typeof input.set === "number" ? input.set : Date.parse(input.set);
      if (!Number.isFinite(at)) return bad("set must be epoch milliseconds or an ISO-8601 date");
      ctx.clock.set(at);
    } else {
      return bad('body must be {"advanceMs": <ms>} or {"set": <epoch ms | ISO-8601>}');
    }
    return { status: 200, body: now() };
  });

  router.add("GET", "/_sandbox/config", () => ({ status: 200, body: ctx.config }));
  router.add("PUT", "/_sandbox/config", (req) => {
    const patch = req.json();
    // Check on a copy first so a bad patch changes nothing.
    try {
      deepMergeInto(structuredClone(ctx.config) as unknown as Record<string, unknown>, patch);
    } catch (err) {
      return bad((err as Error).message);
    }
    deepMergeInto(ctx.config as unknown as Record<string, unknown>, patch);
    return { status: 200, body: ctx.config };
  });

  router.add("GET", "/_sandbox/faults/presets", () => ({
    status: 200,
    body: { presets: [...s.presets.keys()].sort() },
  }));
  router.add("GET", "/_sandbox/faults", () => ({ status: 200, body: { faults: s.faults.list() } }));
  router.add("POST", "/_sandbox/faults", (req) => {
    try {
      const rule = parseFaultRule(req.json(), new Set(s.presets.keys()));
      const active = s.faults.add(rule);
      return { status: 201, body: { id: active.id } };
    } catch (err) {
      return bad((err as Error).message);
    }
  });
  router.add("DELETE", "/_sandbox/faults", () => {
    s.faults.clear();
    return { status: 204 };
  });
  router.add("DELETE", "/_sandbox/faults/:id", (req) =>
    s.faults.remove(req.params.id!) ? { status: 204 } : { status: 404, body: { error: "no such fault" } },
  );
}
