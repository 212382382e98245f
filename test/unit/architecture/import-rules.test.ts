/**
 * The layering rules of docs/contributing.md ("Import rules"), checked over the import graph
 * of functions/, lib/, schemas/ and events/ (import-graph.ts, read with the TypeScript parser).
 * Each rule is its own test and prints the offending edges (`importer -> imported`).
 *
 * KNOWN_VIOLATIONS lists, per rule, the edges that broke it when the test was written and are
 * being fixed in parallel. It may only shrink: a violation not in the list fails its rule, and
 * so does a listed one that no longer exists (delete it from the list when it is fixed).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  describeEdge,
  type ImportEdge,
  importGraph,
  processEnvReads,
  REPO_ROOT,
  sourceFiles,
} from "./import-graph.js";

type Rule =
  | "use cases and domain stay free of AWS, middy, Powertools, Lambda types, adapters and handlers"
  | "use cases and domain reach none of those packages through our own modules either"
  | "domain imports no HTTP errors, API schemas or env names"
  | "adapters import only ports.ts from use-cases"
  | "contexts meet only in wiring.ts, through ports.ts types, or in the shared kernels"
  | "every context with use cases has use-cases/ports.ts"
  | "process.env is read only in functions/platform/config.ts"
  | "lib imports only schemas, events, functions/manifest.ts and lib"
  | "schemas import only schemas; events import only schemas and events";

/**
 * Violations still open. Shrink only. The one left: the provider-error table's operator messages
 * name the API-version settings through `ENV`; the classifier should take those names from its
 * caller (the publish wiring) instead.
 */
const KNOWN_VIOLATIONS: Record<Rule, readonly string[]> = {
  "use cases and domain stay free of AWS, middy, Powertools, Lambda types, adapters and handlers": [],
  "use cases and domain reach none of those packages through our own modules either": [],
  "domain imports no HTTP errors, API schemas or env names": [],
  "adapters import only ports.ts from use-cases": [],
  "contexts meet only in wiring.ts, through ports.ts types, or in the shared kernels": [],
  "every context with use cases has use-cases/ports.ts": [],
  "process.env is read only in functions/platform/config.ts": [],
  "lib imports only schemas, events, functions/manifest.ts and lib": [],
  "schemas import only schemas; events import only schemas and events": [],
};

const files = sourceFiles(["functions", "lib", "schemas", "events"]);
const edges = importGraph(files);
const byFile = new Map<string, ImportEdge[]>();
for (const e of edges) byFile.set(e.from, [...(byFile.get(e.from) ?? []), e]);

/** Shared kernels every context may use; every other folder of functions/ with files is a context. */
const KERNELS = new Set(["platform", "providers"]);
const contextOf = (path: string | undefined): string | undefined => {
  const m = /^functions\/([^/]+)\//.exec(path ?? "");
  return m && !KERNELS.has(m[1]!) ? m[1] : undefined;
};
const isUseCaseOrDomain = (p: string) => /^functions\/[^/]+\/(use-cases|domain)\//.test(p);
const isDomain = (p: string) => /^functions\/[^/]+\/domain\//.test(p);
const isAdapter = (p: string) => /^functions\/(.+\/)?adapters\//.test(p);

const FORBIDDEN_PACKAGES = /^(@aws-sdk\/|@middy\/|@aws-lambda-powertools\/|aws-lambda$)/;
/** Files a use case or domain module may not import (they are the edge, not the core). */
const edgeFile = (to: string) =>
  /(^|\/)adapters\//.test(to) ||
  to.startsWith("functions/platform/aws/") ||
  /(^|\/)handlers\//.test(to) ||
  /(^|\/)wiring\.ts$/.test(to);

/** Check a rule's violations against its known list: nothing new, nothing stale. */
function check(rule: Rule, violations: readonly string[]) {
  const found = [...new Set(violations)].sort();
  const known = new Set(KNOWN_VIOLATIONS[rule]);
  const unexpected = found.filter((v) => !known.has(v));
  const stale = [...known].filter((v) => !found.includes(v));
  expect(unexpected, `new violations of "${rule}":\n  ${unexpected.join("\n  ")}`).toEqual([]);
  expect(stale, `fixed (delete from KNOWN_VIOLATIONS["${rule}"]):\n  ${stale.join("\n  ")}`).toEqual([]);
}

describe("import graph", () => {
  it("reads the sources and resolves every relative import to an existing file", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.path === "functions/platform/config.ts")).toBe(true);
    const unresolved = edges.filter((e) => e.to !== undefined && !existsSync(join(REPO_ROOT, e.to)));
    expect(unresolved.map(describeEdge)).toEqual([]);
  });
});

describe("import rules", () => {
  it("use cases and domain import no AWS SDK, middy, Powertools, aws-lambda, adapters, platform/aws, handlers or wiring", () => {
    const rule: Rule =
      "use cases and domain stay free of AWS, middy, Powertools, Lambda types, adapters and handlers";
    const bad = edges.filter(
      (e) =>
        isUseCaseOrDomain(e.from) &&
        (e.to === undefined ? FORBIDDEN_PACKAGES.test(e.specifier) : edgeFile(e.to)),
    );
    check(rule, bad.map(describeEdge));
  });

  it("use cases and domain do not load those packages through our own modules either (run-time imports, transitively)", () => {
    const rule: Rule = "use cases and domain reach none of those packages through our own modules either";
    // For each of our files: the forbidden packages it loads at run time, directly or not.
    const memo = new Map<string, Set<string>>();
    const reach = (file: string, seen: Set<string>): Set<string> => {
      const cached = memo.get(file);
      if (cached) return cached;
      if (seen.has(file)) return new Set();
      seen.add(file);
      const out = new Set<string>();
      for (const e of byFile.get(file) ?? []) {
        if (e.typeOnly) continue;
        if (e.to === undefined) {
          if (FORBIDDEN_PACKAGES.test(e.specifier)) out.add(e.specifier);
        } else for (const p of reach(e.to, seen)) out.add(p);
      }
      memo.set(file, out);
      return out;
    };
    const bad: string[] = [];
    for (const e of edges) {
      // Direct package imports are the rule above; this one names the module that brings them in.
      if (!isUseCaseOrDomain(e.from) || e.typeOnly || e.to === undefined) continue;
      const packages = [...reach(e.to, new Set())];
      if (packages.length > 0) bad.push(`${describeEdge(e)} (loads ${packages.sort().join(", ")})`);
    }
    check(rule, bad);
  });

  it("domain imports no functions/platform/errors.ts, schemas/api/** or schemas/env.ts", () => {
    const rule: Rule = "domain imports no HTTP errors, API schemas or env names";
    const bad = edges.filter(
      (e) =>
        isDomain(e.from) &&
        e.to !== undefined &&
        (e.to === "functions/platform/errors.ts" ||
          e.to.startsWith("schemas/api/") ||
          e.to === "schemas/env.ts"),
    );
    check(rule, bad.map(describeEdge));
  });

  it("adapters import no use-cases file except use-cases/ports.ts", () => {
    const rule: Rule = "adapters import only ports.ts from use-cases";
    const bad = edges.filter(
      (e) =>
        isAdapter(e.from) &&
        e.to !== undefined &&
        /(^|\/)use-cases\//.test(e.to) &&
        !e.to.endsWith("/use-cases/ports.ts"),
    );
    check(rule, bad.map(describeEdge));
  });

  it("a context imports another context only from wiring.ts, or that context's use-cases/ports.ts as types", () => {
    const rule: Rule = "contexts meet only in wiring.ts, through ports.ts types, or in the shared kernels";
    const bad = edges.filter((e) => {
      const mine = contextOf(e.from);
      const theirs = contextOf(e.to);
      if (!mine || !theirs || mine === theirs) return false;
      if (e.from.endsWith("/wiring.ts")) return false;
      if (e.typeOnly && e.to === `functions/${theirs}/use-cases/ports.ts`) return false;
      return true;
    });
    check(rule, bad.map(describeEdge));
  });

  it("every context folder with use-cases/ has use-cases/ports.ts", () => {
    const rule: Rule = "every context with use cases has use-cases/ports.ts";
    const contexts = [
      ...new Set(
        files.flatMap((f) => {
          const m = /^functions\/([^/]+)\/use-cases\//.exec(f.path);
          return m ? [m[1]!] : [];
        }),
      ),
    ];
    expect(contexts.length).toBeGreaterThan(0);
    const missing = contexts
      .filter((c) => !existsSync(join(REPO_ROOT, "functions", c, "use-cases", "ports.ts")))
      .map((c) => `functions/${c}/use-cases/ports.ts (missing)`);
    check(rule, missing);
  });

  it("process.env appears in functions/ only in functions/platform/config.ts", () => {
    const rule: Rule = "process.env is read only in functions/platform/config.ts";
    const bad = files
      .filter((f) => f.path.startsWith("functions/") && f.path !== "functions/platform/config.ts")
      .flatMap((f) => (processEnvReads(f).length > 0 ? [`${f.path} reads process.env`] : []));
    check(rule, bad);
  });

  it("lib imports only schemas/, events/, functions/manifest.ts and lib/", () => {
    const rule: Rule = "lib imports only schemas, events, functions/manifest.ts and lib";
    const bad = edges.filter(
      (e) =>
        e.from.startsWith("lib/") &&
        e.to !== undefined &&
        !/^(schemas|events|lib)\//.test(e.to) &&
        e.to !== "functions/manifest.ts",
    );
    check(rule, bad.map(describeEdge));
  });

  it("schemas import nothing of ours outside schemas/; events import only schemas/ and events/", () => {
    const rule: Rule = "schemas import only schemas; events import only schemas and events";
    const bad = edges.filter(
      (e) =>
        e.to !== undefined &&
        ((e.from.startsWith("schemas/") && !e.to.startsWith("schemas/")) ||
          (e.from.startsWith("events/") && !/^(schemas|events)\//.test(e.to))),
    );
    check(rule, bad.map(describeEdge));
  });
});

describe("the rule checks themselves", () => {
  it("see a type-only import as type-only and a value import as a value (the ports rule depends on it)", () => {
    const mixed = edges.filter((e) => e.from === "functions/publishing/handlers/publish.handler.ts");
    expect(mixed.find((e) => e.to === "functions/publishing/use-cases/ports.ts")?.typeOnly).toBe(true);
    expect(mixed.find((e) => e.to === "functions/platform/batch.ts")?.typeOnly).toBe(false);
  });

  it("find process.env in code and not in comments", () => {
    expect(
      processEnvReads({
        path: "x.ts",
        text: "// process.env.X\nconst a = process.env.X;\n/* process.env */",
      }),
    ).toEqual([2]);
  });
});
