/**
 * The import graph of Herald's source (functions/, lib/, schemas/, events/), read with the
 * TypeScript parser: every `import`, `export … from` and dynamic `import()` of every `.ts`
 * file, with the relative ones resolved to repository paths (`../x.js` → `x.ts`). Used by
 * import-rules.test.ts; reads files only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import ts from "typescript";

export const REPO_ROOT = join(dirname(new URL(import.meta.url).pathname), "..", "..", "..");

export interface ImportEdge {
  /** Importing file, repository-relative (`functions/posts/use-cases/x.ts`). */
  readonly from: string;
  /** The specifier as written (`../adapters/y.js`, `@aws-sdk/client-sqs`). */
  readonly specifier: string;
  /** The imported file, repository-relative, for relative specifiers; `undefined` for packages. */
  readonly to?: string;
  /** `import type` / `export type`: erased at compile time, loads nothing at run time. */
  readonly typeOnly: boolean;
  /** Line of the import (1-based). */
  readonly line: number;
}

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

const toPosix = (p: string) => p.split(sep).join("/");

/** Every `.ts` file under the given repository folders (no `.d.ts`). */
export function sourceFiles(folders: readonly string[]): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".ts") && !name.endsWith(".d.ts"))
        out.push({ path: toPosix(relative(REPO_ROOT, full)), text: readFileSync(full, "utf8") });
    }
  };
  for (const folder of folders) walk(join(REPO_ROOT, folder));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Resolve a relative specifier the way NodeNext does for our sources: `.js` names the `.ts` file. */
function resolve(from: string, specifier: string): string {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [target.replace(/\.js$/, ".ts"), target, `${target}.ts`, `${target}/index.ts`];
  return candidates.find((c) => existsSync(join(REPO_ROOT, c))) ?? target;
}

/** The imports of one file. */
export function importsOf(file: SourceFile): ImportEdge[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined, typeOnly: boolean) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const specifier = literal.text;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const relativeSpec = specifier.startsWith(".");
    edges.push({
      from: file.path,
      specifier,
      ...(relativeSpec ? { to: resolve(file.path, specifier) } : {}),
      typeOnly,
      line,
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      // `typeof import("./x.js")` in a type position.
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** All edges of the given files. */
export const importGraph = (files: readonly SourceFile[]): ImportEdge[] => files.flatMap(importsOf);

/** `from:line -> target` (the target is the resolved file, or the package specifier). */
export const describeEdge = (e: ImportEdge): string => `${e.from} -> ${e.to ?? e.specifier}`;

/** Lines of a file that read `process.env` (in code, not in comments or strings). */
export function processEnvReads(file: SourceFile): number[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true);
  const lines: number[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "process" &&
      node.name.text === "env"
    ) {
      lines.push(source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}
