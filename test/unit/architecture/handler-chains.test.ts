/**
 * Every trigger goes through the platform's chain for its kind (correlation ids, metrics,
 * failure handling): a manifest entry's handler imports the chain of each of its triggers, and
 * no handler builds its own middy chain.
 */
import { describe, expect, it } from "vitest";
import { FUNCTIONS, type Trigger } from "../../../functions/manifest.js";
import { importGraph, sourceFiles } from "./import-graph.js";

/** The chain module each trigger kind must be built with (Cognito triggers have none). */
const CHAIN: Partial<Record<Trigger["type"], string>> = {
  http: "functions/platform/http.ts",
  queue: "functions/platform/batch.ts",
  event: "functions/platform/events.ts",
  schedule: "functions/platform/scheduled.ts",
};

const edges = importGraph(sourceFiles(["functions"]));
const importsOf = (file: string) =>
  new Set(edges.filter((e) => e.from === file).map((e) => e.to ?? e.specifier));

describe("handler chains", () => {
  it("builds each manifest handler with the chain of each of its triggers", () => {
    const missing = FUNCTIONS.flatMap((spec) =>
      spec.triggers.flatMap((t) => {
        const chain = CHAIN[t.type];
        return chain && !importsOf(spec.entry).has(chain)
          ? [`${spec.entry} (${t.type}) does not use ${chain}`]
          : [];
      }),
    );
    expect(FUNCTIONS.some((f) => f.triggers.some((t) => t.type === "schedule"))).toBe(true);
    expect(missing).toEqual([]);
  });

  it("builds no middy chain outside functions/platform/", () => {
    const own = edges
      .filter((e) => e.specifier.startsWith("@middy/") && !e.from.startsWith("functions/platform/"))
      .map((e) => `${e.from} -> ${e.specifier}`);
    expect(own).toEqual([]);
  });
});
