/**
 * Unit tests touch no network: no unit (or fuzz) test file opens a server, a socket or an HTTP
 * request. Those belong in test/integration/ (loopback servers on port 0 included). Checked
 * textually over the test sources, in code only (comments are stripped by the TypeScript scanner).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./import-graph.js";

/** Calls and imports that mean "this test talks over a network". */
const NETWORK = [
  /\bcreateServer\s*\(/,
  /\.listen\s*\(/,
  /\bfetch\s*\(/,
  /\bstartFakeServer\b/,
  /\bstartSandbox\b/,
  /\bnet\.connect\b|\bcreateConnection\s*\(/,
  /from\s+["'](node:)?(http|https|net|dgram|undici)["']/,
];

/** The file's code with comments removed (string contents kept). */
function codeOf(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, text);
  let out = "";
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia)
      continue;
    out += scanner.getTokenText();
  }
  return out;
}

function testFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".ts")) out.push(full);
    }
  };
  walk(join(REPO_ROOT, folder));
  return out;
}

describe("test tiers", () => {
  it("no unit or fuzz test opens a server, a socket or an HTTP request", () => {
    const self = new URL(import.meta.url).pathname;
    const files = [...testFiles("test/unit"), ...testFiles("test/fuzz")].filter((f) => f !== self);
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((file) => {
      const code = codeOf(readFileSync(file, "utf8"));
      const hits = NETWORK.filter((pattern) => pattern.test(code)).map(String);
      return hits.length > 0 ? [`${relative(REPO_ROOT, file)}: ${hits.join(", ")}`] : [];
    });
    expect(offenders, `move these to test/integration/:\n  ${offenders.join("\n  ")}`).toEqual([]);
  });

  it("recognises a network call in code and ignores one in a comment", () => {
    expect(NETWORK.some((p) => p.test(codeOf("await fetch(url);")))).toBe(true);
    expect(NETWORK.some((p) => p.test(codeOf("// fetch(url)\n/* server.listen(0) */ const a = 1;")))).toBe(
      false,
    );
  });
});
