/**
 * How every Lambda is bundled, declared once. The stateless stack hands these options to
 * `NodejsFunction` (local esbuild, no Docker) and `bench/run.ts` calls esbuild with the same
 * values, so the benchmark measures exactly what is deployed and the two cannot drift.
 *
 * Pure data and one mapping function: no aws-cdk-lib import, so the bench loads it cheaply.
 */

/** Output format. ESM: see docs/decisions.md ("ESM bundles"). */
export const BUNDLE_FORMAT = "esm" as const;
/** Lowest Node the bundles must run on (the Lambda runtime is newer; see the runtime ADR). */
export const BUNDLE_TARGET = "node20";
/** Resolve packages' ESM builds first: better tree-shaking, no CJS interop wrappers. */
export const BUNDLE_MAIN_FIELDS = ["module", "main"] as const;
/**
 * Some CommonJS dependencies still call `require()` for Node built-ins; an ESM bundle has no
 * `require`, so one is made from `import.meta.url` (a few bytes, no measurable load cost).
 */
export const BUNDLE_BANNER =
  "import { createRequire as __heraldCreateRequire } from 'node:module';" +
  "const require = __heraldCreateRequire(import.meta.url);";

/** The values `NodejsFunction` receives (`bundling`), apart from the CDK-only switches. */
export const BUNDLE_OPTIONS = {
  minify: true,
  sourceMap: true,
  /** Maps point at files; embedding the sources would only make the asset bigger. */
  sourcesContent: false,
  target: BUNDLE_TARGET,
  mainFields: [...BUNDLE_MAIN_FIELDS],
  banner: BUNDLE_BANNER,
  /** Bundle the AWS SDK too: pinned versions, tree-shaken, faster to load than the runtime's copy. */
  externalModules: [] as string[],
} as const;

/**
 * The esbuild `build()` options equivalent to `BUNDLE_OPTIONS` as NodejsFunction passes them
 * on its command line (`--bundle --platform=node --target --format --minify --sourcemap
 * --sources-content=false --main-fields --banner:js`). Typed structurally so this module
 * does not import esbuild.
 */
export function esbuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node" as const,
    target: BUNDLE_OPTIONS.target,
    format: BUNDLE_FORMAT,
    minify: BUNDLE_OPTIONS.minify,
    sourcemap: BUNDLE_OPTIONS.sourceMap,
    sourcesContent: BUNDLE_OPTIONS.sourcesContent,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: { js: BUNDLE_OPTIONS.banner },
    external: [...BUNDLE_OPTIONS.externalModules],
    logLevel: "silent" as const,
  };
}
