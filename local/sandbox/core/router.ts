import type { ProviderName, RouteHandler, Router, SandboxRequest } from "./types.js";

/** One registered route. */
export interface Route {
  readonly method: string;
  readonly regex: RegExp;
  readonly handler: RouteHandler;
  readonly target?: (req: SandboxRequest) => string | undefined;
}

/** The route that answers a request, with the named groups of its pattern. */
export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/**
 * Turn `/meta/graph/:version(v\d+\.\d+)/:id/feed` into an anchored RegExp with named groups.
 * A `:name` segment matches one path segment; `(regex)` after it narrows what it matches.
 */
export function compilePattern(pattern: string): RegExp {
  if (pattern.length > 1 && pattern.endsWith("/")) pattern = pattern.slice(0, -1);
  let source = "";
  let last = 0;
  for (const m of pattern.matchAll(/:([A-Za-z_]\w*)(\([^)]*\))?/g)) {
    source += escapeRegex(pattern.slice(last, m.index));
    source += `(?<${m[1]}>${m[2] ? m[2].slice(1, -1) : "[^/]+"})`;
    last = m.index + m[0].length;
  }
  source += escapeRegex(pattern.slice(last));
  return new RegExp(`^${source}/?$`);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The route table shared by the core's control API and every provider module. */
export class RouteTable implements Router {
  readonly routes: Route[] = [];

  add(
    method: string,
    pattern: string | RegExp,
    handler: RouteHandler,
    options?: { target?: (req: SandboxRequest) => string | undefined },
  ): void {
    const regex = typeof pattern === "string" ? compilePattern(pattern) : pattern;
    this.routes.push({ method: method.toUpperCase(), regex, handler, target: options?.target });
  }

  /**
   * The first route whose pattern and method match. When the path matches but no method
   * does, `methodNotAllowed` is set so the caller can answer 405 rather than 404.
   */
  match(method: string, path: string): RouteMatch | { methodNotAllowed: boolean } {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      const ok =
        route.method === "*" || route.method === method || (method === "HEAD" && route.method === "GET");
      if (ok) return { route, params: decodeGroups(m.groups) };
    }
    return { methodNotAllowed: pathMatched };
  }
}

function decodeGroups(groups: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(groups ?? {})) {
    if (v === undefined) continue;
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** The provider a path belongs to (`/meta/…`, `/linkedin/…`), or undefined (control, media). */
export function providerOfPath(path: string): ProviderName | undefined {
  if (path.startsWith("/meta/")) return "meta";
  if (path.startsWith("/linkedin/")) return "linkedin";
  return undefined;
}
