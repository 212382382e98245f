/**
 * Route matching the way API Gateway HTTP APIs do it: literal paths win over path
 * variables, and a greedy `{proxy+}` only catches what nothing more specific matched.
 */
import type { FunctionSpec, HttpRoute } from "../../functions/manifest.js";
import { routeKey } from "../../functions/manifest.js";

export interface CompiledRoute {
  readonly fn: FunctionSpec;
  readonly route: HttpRoute;
  readonly routeKey: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  /** Sort key: more literal segments first, greedy last. */
  readonly rank: number;
}

export interface RouteMatch {
  readonly compiled: CompiledRoute;
  readonly pathParameters: Record<string, string>;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function compileRoute(fn: FunctionSpec, route: HttpRoute): CompiledRoute {
  const params: string[] = [];
  let literal = 0;
  let greedy = false;
  const segments = route.path
    .split("/")
    .filter((s) => s.length > 0)
    .map((segment) => {
      const m = /^\{([A-Za-z0-9_]+)(\+)?\}$/.exec(segment);
      if (!m) {
        literal++;
        return escapeRegExp(segment);
      }
      params.push(m[1]!);
      if (m[2]) {
        greedy = true;
        return "(.+)";
      }
      return "([^/]+)";
    });
  const pattern = new RegExp(`^/${segments.join("/")}/?$`);
  return {
    fn,
    route,
    routeKey: routeKey(route),
    pattern,
    params,
    rank: (greedy ? 0 : 1_000_000) + literal * 1000 + segments.length,
  };
}

/** A route table over the manifest's HTTP routes. */
export class RouteTable {
  private readonly routes: CompiledRoute[];

  constructor(entries: readonly { fn: FunctionSpec; route: HttpRoute }[]) {
    this.routes = entries.map(({ fn, route }) => compileRoute(fn, route)).sort((a, b) => b.rank - a.rank);
  }

  match(method: string, path: string): RouteMatch | undefined {
    for (const compiled of this.routes) {
      if (compiled.route.method !== method) continue;
      const m = compiled.pattern.exec(path);
      if (!m) continue;
      const pathParameters: Record<string, string> = {};
      compiled.params.forEach((name, i) => {
        const raw = m[i + 1] ?? "";
        try {
          pathParameters[name] = decodeURIComponent(raw);
        } catch {
          pathParameters[name] = raw;
        }
      });
      return { compiled, pathParameters };
    }
    return undefined;
  }

  get size(): number {
    return this.routes.length;
  }
}
