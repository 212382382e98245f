import { createHmac } from "node:crypto";
import type { RouteHandler, SandboxContext, SandboxRequest, SandboxResponse } from "../core/types.js";
import { type GraphErrorFields, graphError, graphHeaders, META_ERRORS } from "./errors.js";
import { findApp, findIgAccount } from "./seed.js";
import { type MetaState, metaState, type TokenRecord } from "./state.js";

/** A requested field: `name`, `name{sub,fields}`, `name.modifier(arg)`. */
export interface FieldSpec {
  readonly name: string;
  readonly sub?: FieldSpec[];
}

/** Parse a Graph `fields` parameter (`id,name,instagram_business_account{id,username},picture.type(large)`). */
export function parseFields(input: string | null): FieldSpec[] | undefined {
  if (!input) return undefined;
  const out: FieldSpec[] = [];
  let i = 0;
  const parseList = (): FieldSpec[] => {
    const list: FieldSpec[] = [];
    while (i < input.length) {
      let name = "";
      while (i < input.length && !",{}.(".includes(input[i]!)) name += input[i++];
      // Modifiers like .type(large) or .limit(5) are accepted and ignored.
      while (input[i] === "." || input[i] === "(") {
        if (input[i] === "(") {
          while (i < input.length && input[i] !== ")") i++;
          i++;
        } else {
          i++;
          while (i < input.length && !",{}.(".includes(input[i]!)) i++;
        }
      }
      let sub: FieldSpec[] | undefined;
      if (input[i] === "{") {
        i++;
        sub = parseList();
        i++; // closing brace
      }
      if (name.trim()) list.push({ name: name.trim(), sub });
      if (input[i] === ",") {
        i++;
        continue;
      }
      if (input[i] === "}") return list;
    }
    return list;
  };
  out.push(...parseList());
  return out;
}

/**
 * Select `fields` from a full object. Unknown top-level fields are an error, as on Graph
 * (`Tried accessing nonexisting field`); `id` is always included.
 */
export function pick(
  full: Record<string, unknown>,
  fields: FieldSpec[] | undefined,
  defaults: readonly string[],
  node: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; field: string } {
  const wanted: FieldSpec[] = fields ?? defaults.map((name) => ({ name }));
  const out: Record<string, unknown> = {};
  for (const f of wanted) {
    if (!(f.name in full)) return { ok: false, field: f.name };
    const v = full[f.name];
    if (v === undefined) continue;
    if (f.sub && v && typeof v === "object" && !Array.isArray(v)) {
      const inner: Record<string, unknown> = {};
      for (const s of f.sub) {
        const iv = (v as Record<string, unknown>)[s.name];
        if (iv !== undefined) inner[s.name] = iv;
      }
      if (!("id" in inner) && "id" in (v as object)) inner.id = (v as Record<string, unknown>).id;
      out[f.name] = inner;
    } else {
      out[f.name] = v;
    }
  }
  if ("id" in full && !("id" in out)) out.id = full.id;
  void node;
  return { ok: true, value: out };
}

/** What a Graph route handler gets. */
export interface GraphCall {
  readonly req: SandboxRequest;
  readonly ctx: SandboxContext;
  readonly st: MetaState;
  /** Query and body parameters merged (Graph takes either). */
  readonly p: URLSearchParams;
  /** The caller's token; an app token (`appId|secret`) leaves it undefined with `appId` set. */
  readonly token?: TokenRecord;
  readonly appId?: string;
  readonly now: number;
}

export const ok = (req: SandboxRequest, body: unknown, status = 200): SandboxResponse => ({
  status,
  headers: graphHeaders(req),
  body,
});

export const fail = (
  req: SandboxRequest,
  fields: GraphErrorFields,
  opts?: { status?: number },
): SandboxResponse => graphError(req, fields, opts);

/** The token a request carries: `access_token` parameter or `Authorization: Bearer|OAuth`. */
export function tokenOf(req: SandboxRequest, p: URLSearchParams): string | undefined {
  const fromParam = p.get("access_token");
  if (fromParam) return fromParam;
  const header = req.headers.authorization;
  const m = header ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim()) : null;
  return m?.[1];
}

/** Why a token no longer works, or undefined when it does. */
export function tokenProblem(st: MetaState, rec: TokenRecord, now: number): GraphErrorFields | undefined {
  const inv = st.invalidations.get(rec.userId);
  if (inv?.appRemovedSeq !== undefined && rec.seq < inv.appRemovedSeq)
    return META_ERRORS.appRemoved(rec.appId);
  if (inv?.passwordSeq !== undefined && rec.seq < inv.passwordSeq) return META_ERRORS.passwordChanged();
  if (rec.kind === "page" && st.removedRoles.has(`${rec.userId}|${rec.pageId}`))
    return META_ERRORS.lostPageRole();
  if (rec.expiresAt !== 0 && now >= rec.expiresAt) return META_ERRORS.tokenExpired(rec.expiresAt, now);
  return undefined;
}

type Auth = "user-or-page" | "app-or-user" | "none";

/**
 * Wrap a Graph handler: resolve and check the token, count the call against the usage
 * budget (throttling when enforced), and add Graph's headers and usage headers.
 */
export function graph(
  handler: (g: GraphCall) => SandboxResponse | Promise<SandboxResponse>,
  auth: Auth = "user-or-page",
): RouteHandler {
  return async (req, ctx) => {
    const st = metaState(ctx);
    const p = req.params2();
    const now = ctx.clock.now();
    let token: TokenRecord | undefined;
    let appId: string | undefined;
    if (auth !== "none") {
      const raw = tokenOf(req, p);
      if (!raw) {
        return fail(
          req,
          req.path.includes("/me") ? META_ERRORS.activeTokenRequired() : META_ERRORS.tokenRequired(),
        );
      }
      const appToken = /^(\d+)\|(.+)$/.exec(raw);
      if (appToken) {
        const app = findApp(appToken[1]);
        if (!app || app.appSecret !== appToken[2] || auth !== "app-or-user") {
          return fail(req, {
            message:
              app && app.appSecret === appToken[2]
                ? "(#100) An app access token is not allowed here"
                : "Invalid OAuth access token signature.",
            code: app && app.appSecret === appToken[2] ? 100 : 190,
          });
        }
        appId = app.appId;
      } else {
        token = st.tokens.get(raw);
        if (!token) {
          return fail(
            req,
            raw.startsWith("EAA") ? META_ERRORS.sessionInvalid() : META_ERRORS.cannotParseToken(),
          );
        }
        const problem = tokenProblem(st, token, now);
        if (problem) return fail(req, problem);
        appId = token.appId;
        // Optional appsecret_proof: hex HMAC-SHA256 of the token keyed with the app secret.
        const proof = p.get("appsecret_proof");
        const secret = findApp(token.appId)?.appSecret ?? "";
        if (proof !== null && proof !== createHmac("sha256", secret).update(raw).digest("hex")) {
          return fail(req, {
            message: "Invalid appsecret_proof provided in the API argument",
            type: "GraphMethodException",
            code: 100,
          });
        }
      }
    }
    const g: GraphCall = { req, ctx, st, p, token, appId, now };
    const usage = usageKey(g);
    if (usage && ctx.config.meta.enforceUsageLimits) {
      const pct = usagePercent(g, usage);
      if (pct > 100) {
        const fields =
          usage.type === "app"
            ? META_ERRORS.appLimit4()
            : usage.type === "instagram"
              ? META_ERRORS.igThrottled80002()
              : META_ERRORS.pageThrottled80001();
        const answer = fail(req, fields);
        return withUsage(g, usage, answer);
      }
    }
    if (usage) {
      const list = st.usage.get(usage.key) ?? [];
      list.push(now);
      st.usage.set(usage.key, list);
    }
    const answer = await handler(g);
    return usage ? withUsage(g, usage, answer) : answer;
  };
}

interface UsageKey {
  readonly key: string;
  readonly type: "app" | "pages" | "instagram";
  readonly id: string;
}

/** Which budget a call counts against: the IG account, the Page (Page tokens) or the app. */
function usageKey(g: GraphCall): UsageKey | undefined {
  const id = g.req.params.id ?? g.req.params.target;
  const ig =
    findIgAccount(id) ??
    findIgAccount(g.st.containers.get(id ?? "")?.igUserId) ??
    findIgAccount(g.st.igMedia.get(id ?? "")?.igUserId);
  if (ig) return { key: `instagram|${ig.page.instagram.id}`, type: "instagram", id: ig.page.instagram.id };
  if (g.token?.kind === "page" && g.token.pageId) {
    return { key: `pages|${g.token.pageId}`, type: "pages", id: g.token.pageId };
  }
  if (g.appId) return { key: `app|${g.appId}`, type: "app", id: g.appId };
  return undefined;
}

const HOUR = 3_600_000;

function usagePercent(g: GraphCall, u: UsageKey): number {
  const list = (g.st.usage.get(u.key) ?? []).filter((t) => t > g.now - HOUR);
  g.st.usage.set(u.key, list);
  const budget =
    u.type === "app" ? g.ctx.config.meta.appCallBudgetPerHour : g.ctx.config.meta.bucCallBudgetPerHour;
  return Math.floor((list.length * 100) / Math.max(1, budget));
}

function withUsage(g: GraphCall, u: UsageKey, answer: SandboxResponse): SandboxResponse {
  const pct = usagePercent(g, u);
  const headers: Record<string, string> = { ...graphHeaders(g.req), ...(answer.headers ?? {}) };
  const cpu = Math.floor(pct / 2);
  if (u.type === "app") {
    headers["x-app-usage"] = JSON.stringify({ call_count: pct, total_cputime: cpu, total_time: cpu });
  } else {
    const budget = g.ctx.config.meta.bucCallBudgetPerHour;
    const list = g.st.usage.get(u.key) ?? [];
    // Minutes until enough calls leave the moving hour to bring usage back to 100 %.
    const excess = list.length - budget;
    const regain = excess > 0 ? Math.ceil((list[excess - 1]! + HOUR - g.now) / 60_000) : 0;
    headers["x-business-use-case-usage"] = JSON.stringify({
      [u.id]: [
        {
          type: u.type,
          call_count: pct,
          total_cputime: cpu,
          total_time: cpu,
          estimated_time_to_regain_access: regain,
        },
      ],
    });
  }
  return { ...answer, headers };
}
