/**
 * The repository stands alone: no document or source file points outside it (a relative path
 * into the folder beside the clone, an absolute path on the machine it was written on). A user's clone has none of
 * those files; the facts the project relies on are carried into docs/ with their sources.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./import-graph.js";

/**
 * What an outside reference looks like. The folder names are joined from pieces so that this
 * file, which the scan reads too, does not contain the references it looks for.
 */
const SHARED = ["sha", "red"].join("");
const MACHINE = ["wo", "rk"].join("");
const OUTSIDE = [
  new RegExp(`\\.\\./${SHARED}/`),
  new RegExp(`(^|[\\s\`'"(])/${MACHINE}/`),
  new RegExp(`(^|[\\s\`'"(])${SHARED}/(reference|ARCHITECTURE|STYLE)`),
];
const sample = (prefix: string) => `see \`${prefix}${SHARED}/reference/providers.md\``;

const SKIP = new Set(["node_modules", ".git", "cdk.out", ".herald", "results"]);

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) files(full, out);
    else if (/\.(md|ts|json)$/.test(name) && name !== "package-lock.json") out.push(full);
  }
  return out;
}

describe("self-contained repository", () => {
  it("no doc, source or test file points outside the repository", () => {
    const all = files(REPO_ROOT);
    expect(all.length).toBeGreaterThan(100);
    const hits = all.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) =>
          OUTSIDE.some((p) => p.test(line)) ? [`${relative(REPO_ROOT, file)}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(hits, `outside references:\n  ${hits.join("\n  ")}`).toEqual([]);
  });

  it("recognises an outside reference and leaves a repository path alone", () => {
    expect(OUTSIDE.some((p) => p.test(sample("../")))).toBe(true);
    expect(OUTSIDE.some((p) => p.test(sample(`/${MACHINE}/`)))).toBe(true);
    expect(OUTSIDE.some((p) => p.test(sample("")))).toBe(true);
    expect(OUTSIDE.some((p) => p.test("sources in `docs/providers.md`"))).toBe(false);
    expect(OUTSIDE.some((p) => p.test("https://learn.microsoft.com/en-us/linkedin/shared/api-guide"))).toBe(
      false,
    );
  });
});
