/**
 * Cold-start benchmark (`npm run bench`).
 *
 * 1. Every function of the manifest is bundled exactly as CDK bundles it (`lib/bundling.ts`),
 *    next to a baseline bundle holding only the AWS SDK clients its bindings need (built at
 *    module scope, as `functions/platform/aws/*` do). A function with no SDK client is compared
 *    with the bare runtime: an empty module bundled the same way.
 * 2. Each bundle is loaded N times in a fresh `node` process; the child reports
 *    `performance.now()` before and after `await import(bundle)`, so we get the runtime's boot
 *    time and the module's load time separately. Runs are interleaved (function, baseline,
 *    CJS variant) so machine noise hits all variants alike. Medians are reported.
 *      ratio      = median(boot + load of function) / median(boot + load of baseline)
 *                   — what the INIT phase would feel, runtime boot included;
 *      added ms   = median(load of function) − median(load of baseline).
 * 3. The validation choice: the same small schema in zod, zod/mini and ajv, bundled the same
 *    way; load (import + schema construction + one valid parse) and the messages each gives
 *    for the same invalid input.
 *
 * Writes bench/results/cold-start.json and prints tables. `BENCH_RUNS` (default 15) sets N.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { type Bindings, FUNCTIONS, type FunctionSpec } from "../functions/manifest.js";
import { bindingEnvKeys } from "../lib/bindings.js";
import { BUNDLE_FORMAT, BUNDLE_OPTIONS, esbuildOptions } from "../lib/bundling.js";
import { ENV, METRICS_NAMESPACE } from "../schemas/env.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const RUNS = Number.parseInt(process.env.BENCH_RUNS ?? "", 10) || 9;
const WARMUP = 1;
/** The CJS comparison is made on a few functions only (it doubles bundling and sampling time). */
const CJS_SAMPLE = 3;
const GOAL_RATIO = 1.3;

/** SDK clients each binding brings, as `functions/platform/aws/*` build them. */
const SDK_CLIENTS: Record<string, { module: string; code: string }> = {
  dynamodb: {
    module: "@aws-sdk/client-dynamodb + @aws-sdk/lib-dynamodb",
    code:
      'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\n' +
      'import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";\n' +
      "export const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n",
  },
  sqs: {
    module: "@aws-sdk/client-sqs",
    code: 'import { SQSClient } from "@aws-sdk/client-sqs";\nexport const sqs = new SQSClient({});\n',
  },
  eventbridge: {
    module: "@aws-sdk/client-eventbridge",
    code: 'import { EventBridgeClient } from "@aws-sdk/client-eventbridge";\nexport const eb = new EventBridgeClient({});\n',
  },
  scheduler: {
    module: "@aws-sdk/client-scheduler",
    code: 'import { SchedulerClient } from "@aws-sdk/client-scheduler";\nexport const scheduler = new SchedulerClient({});\n',
  },
  secrets: {
    module: "@aws-sdk/client-secrets-manager",
    code:
      'import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";\n' +
      "export const secrets = new SecretsManagerClient({});\n",
  },
  kms: {
    module: "@aws-sdk/client-kms",
    code: 'import { KMSClient } from "@aws-sdk/client-kms";\nexport const kms = new KMSClient({});\n',
  },
};

function clientsFor(b: Bindings): string[] {
  const out: string[] = [];
  if (b.table) out.push("dynamodb");
  if ((b.sendTo ?? []).length > 0) out.push("sqs");
  if (b.bus) out.push("eventbridge");
  if (b.scheduler) out.push("scheduler");
  if ((b.secrets ?? []).length > 0) out.push("secrets");
  if (b.tokenVault) out.push("kms");
  return out;
}

/** Environment a deployed function gets (dummy values of the right shape), so module scope runs. */
function envFor(spec: FunctionSpec): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: "eu-west-1",
    AWS_LAMBDA_FUNCTION_NAME: `herald-bench-${spec.name}`,
    [ENV.STAGE]: "bench",
    [ENV.POWERTOOLS_SERVICE_NAME]: spec.name,
    [ENV.POWERTOOLS_METRICS_NAMESPACE]: METRICS_NAMESPACE,
    [ENV.POWERTOOLS_LOG_LEVEL]: "INFO",
  };
  for (const key of bindingEnvKeys(spec.bindings, spec.triggers)) {
    const name = ENV[key];
    env[name] = key.endsWith("_URL")
      ? `https://${key.toLowerCase().replace(/_/g, "-")}.example.com`
      : key.endsWith("_ARN")
        ? `arn:aws:sqs:eu-west-1:123456789012:herald-bench-${key.toLowerCase()}`
        : `herald-bench-${key.toLowerCase()}`;
  }
  return env;
}

const LOADER =
  "const t0 = performance.now(); await import(process.argv[1]); const t1 = performance.now();" +
  "process.stdout.write(JSON.stringify({ boot: t0, load: t1 - t0 }));";

interface Sample {
  boot: number;
  load: number;
}

function loadOnce(file: string, env: NodeJS.ProcessEnv): Sample {
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", LOADER, pathToFileURL(file).href], {
    env,
    encoding: "utf8",
  });
  if (out.status !== 0) throw new Error(`loading ${file} failed:\n${out.stderr}`);
  return JSON.parse(out.stdout) as Sample;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

interface Measured {
  file: string;
  bytes: number;
  env: NodeJS.ProcessEnv;
  samples: Sample[];
}

/** Load every variant RUNS times, interleaved. */
function measure(variants: Measured[]): void {
  for (let i = 0; i < WARMUP; i++) for (const v of variants) loadOnce(v.file, v.env);
  for (let i = 0; i < RUNS; i++) for (const v of variants) v.samples.push(loadOnce(v.file, v.env));
}

const summary = (m: Measured) => ({
  bytes: m.bytes,
  loadMs: round(median(m.samples.map((s) => s.load))),
  bootMs: round(median(m.samples.map((s) => s.boot))),
  coldStartMs: round(median(m.samples.map((s) => s.boot + s.load))),
});

async function bundle(entry: string, outfile: string, format: "esm" | "cjs" = BUNDLE_FORMAT) {
  const options = esbuildOptions(entry, outfile);
  await build(format === "cjs" ? { ...options, format: "cjs", banner: { js: "" } } : options);
  return statSync(outfile).size;
}

// ---- validation libraries -------------------------------------------------------------

/** One small request body, written three times. Equivalent rules in each library. */
const VALIDATORS: Record<string, string> = {
  "zod (full)": `
import { z } from "zod";
const Schema = z.strictObject({
  caption: z.string().min(1).max(2200),
  targets: z.array(z.strictObject({ provider: z.enum(["facebook", "instagram", "linkedin"]), accountId: z.string().min(1) })).min(1).max(20),
  publishAt: z.optional(z.string().regex(/^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?(\\.\\d+)?Z$/)),
  hashtags: z.optional(z.array(z.string().max(100)).max(30)),
});
export const check = (x) => { const r = Schema.safeParse(x); return r.success ? [] : r.error.issues.map((i) => (i.path.join(".") || "(root)") + ": " + i.message); };
check(${"SAMPLE"});`,
  "zod/mini": `
import { z } from "zod/mini";
const Schema = z.strictObject({
  caption: z.string().check(z.minLength(1), z.maxLength(2200)),
  targets: z.array(z.strictObject({ provider: z.enum(["facebook", "instagram", "linkedin"]), accountId: z.string().check(z.minLength(1)) })).check(z.minLength(1), z.maxLength(20)),
  publishAt: z.optional(z.string().check(z.regex(/^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?(\\.\\d+)?Z$/))),
  hashtags: z.optional(z.array(z.string().check(z.maxLength(100))).check(z.maxLength(30))),
});
export const check = (x) => { const r = Schema.safeParse(x); return r.success ? [] : r.error.issues.map((i) => (i.path.join(".") || "(root)") + ": " + i.message); };
check(${"SAMPLE"});`,
  "zod/mini (import * as z)": `
import * as z from "zod/mini";
const Schema = z.strictObject({
  caption: z.string().check(z.minLength(1), z.maxLength(2200)),
  targets: z.array(z.strictObject({ provider: z.enum(["facebook", "instagram", "linkedin"]), accountId: z.string().check(z.minLength(1)) })).check(z.minLength(1), z.maxLength(20)),
  publishAt: z.optional(z.string().check(z.regex(/^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?(\\.\\d+)?Z$/))),
  hashtags: z.optional(z.array(z.string().check(z.maxLength(100))).check(z.maxLength(30))),
});
export const check = (x) => { const r = Schema.safeParse(x); return r.success ? [] : r.error.issues.map((i) => (i.path.join(".") || "(root)") + ": " + i.message); };
check(${"SAMPLE"});`,
  ajv: `
import Ajv from "ajv";
const ajv = new Ajv({ allErrors: true });
const validate = ajv.compile({
  type: "object", additionalProperties: false, required: ["caption", "targets"],
  properties: {
    caption: { type: "string", minLength: 1, maxLength: 2200 },
    targets: { type: "array", minItems: 1, maxItems: 20, items: { type: "object", additionalProperties: false, required: ["provider", "accountId"],
      properties: { provider: { enum: ["facebook", "instagram", "linkedin"] }, accountId: { type: "string", minLength: 1 } } } },
    publishAt: { type: "string", pattern: "^\\\\d{4}-\\\\d{2}-\\\\d{2}T\\\\d{2}:\\\\d{2}(:\\\\d{2})?(\\\\.\\\\d+)?Z$" },
    hashtags: { type: "array", maxItems: 30, items: { type: "string", maxLength: 100 } },
  },
});
export const check = (x) => validate(x) ? [] : validate.errors.map((e) => (e.instancePath || "(root)") + ": " + e.message + (e.params && Object.keys(e.params).length ? " " + JSON.stringify(e.params) : ""));
check(${"SAMPLE"});`,
};

const VALID = {
  caption: "Launch day",
  targets: [{ provider: "linkedin", accountId: "urn:li:organization:1" }],
  publishAt: "2026-12-01T09:00:00Z",
  hashtags: ["launch"],
};
const INVALID = {
  caption: "",
  targets: [{ provider: "myspace", accountId: "" }],
  publishAt: "tomorrow at nine",
  colour: "red",
};

// ---- main ---------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  // Inside the repository (git-ignored .herald/) so generated entries resolve node_modules.
  mkdirSync(path.join(ROOT, ".herald"), { recursive: true });
  const work = mkdtempSync(path.join(ROOT, ".herald", "bench-"));
  try {
    const ext = BUNDLE_FORMAT === "esm" ? "mjs" : "cjs";
    const emptyEntry = path.join(work, "empty.ts");
    writeFileSync(emptyEntry, "export const handler = async () => ({});\n");
    const bare: Measured = {
      file: path.join(work, `bare.${ext}`),
      bytes: await bundle(emptyEntry, path.join(work, `bare.${ext}`)),
      env: { PATH: process.env.PATH },
      samples: [],
    };

    // CJS comparison on the functions with the most SDK clients, plus the first one without.
    const byClients = [...FUNCTIONS].sort(
      (a, b) => clientsFor(b.bindings).length - clientsFor(a.bindings).length,
    );
    const cjsNames = new Set(byClients.slice(0, CJS_SAMPLE - 1).map((f) => f.name));
    const noSdk = FUNCTIONS.find((f) => clientsFor(f.bindings).length === 0);
    if (noSdk) cjsNames.add(noSdk.name);

    const baselines = new Map<string, Measured>([["", bare]]);
    const rows: { spec: FunctionSpec; clients: string[]; fn: Measured; base: Measured; cjs?: Measured }[] =
      [];
    for (const spec of FUNCTIONS) {
      const dir = path.join(work, spec.name);
      mkdirSync(dir);
      const env = envFor(spec);
      const clients = clientsFor(spec.bindings);
      const fnFile = path.join(dir, `index.${ext}`);
      const fnBytes = await bundle(path.join(ROOT, spec.entry), fnFile);
      let cjs: Measured | undefined;
      if (cjsNames.has(spec.name)) {
        const cjsFile = path.join(dir, "index.cjs");
        cjs = {
          file: cjsFile,
          bytes: await bundle(path.join(ROOT, spec.entry), cjsFile, "cjs"),
          env,
          samples: [],
        };
      }
      // One baseline per distinct client set: the same bundle would measure the same thing.
      const key = clients.join("+");
      let base = baselines.get(key);
      if (!base) {
        const baseEntry = path.join(work, `baseline-${key}.ts`);
        writeFileSync(
          baseEntry,
          `${clients.map((c) => SDK_CLIENTS[c]!.code).join("")}export const handler = async () => ({});\n`,
        );
        const baseFile = path.join(work, `baseline-${key}.${ext}`);
        base = { file: baseFile, bytes: await bundle(baseEntry, baseFile), env, samples: [] };
        baselines.set(key, base);
      }
      rows.push({ spec, clients, fn: { file: fnFile, bytes: fnBytes, env, samples: [] }, base, cjs });
    }

    const validators: { lib: string; m: Measured; errors: string[]; validErrors: string[] }[] = [];
    for (const [lib, source] of Object.entries(VALIDATORS)) {
      const slug = lib.replace(/[^a-z]+/g, "-");
      const entry = path.join(work, `validate-${slug}.js`);
      writeFileSync(entry, source.replace("SAMPLE", JSON.stringify(VALID)));
      const file = path.join(work, `validate-${slug}.${ext}`);
      const bytes = await bundle(entry, file);
      const mod = (await import(pathToFileURL(file).href)) as { check: (x: unknown) => string[] };
      validators.push({
        lib,
        m: { file, bytes, env: { PATH: process.env.PATH }, samples: [] },
        errors: mod.check(INVALID),
        validErrors: mod.check(VALID),
      });
    }

    // Unique variants only (no-SDK functions share the bare baseline).
    const variants = new Set<Measured>([bare]);
    for (const r of rows) for (const m of [r.fn, r.base, r.cjs]) if (m) variants.add(m);
    for (const v of validators) variants.add(v.m);
    measure([...variants]);

    const bareSummary = summary(bare);
    const functions = rows.map((r) => {
      const fn = summary(r.fn);
      const base = summary(r.base);
      return {
        name: r.spec.name,
        sdkClients: r.clients.map((c) => SDK_CLIENTS[c]!.module),
        baseline: r.clients.length > 0 ? "sdk-clients" : "bare-runtime",
        bundleBytes: fn.bytes,
        baselineBytes: base.bytes,
        loadMs: fn.loadMs,
        baselineLoadMs: base.loadMs,
        addedMs: round(fn.loadMs - base.loadMs),
        coldStartMs: fn.coldStartMs,
        baselineColdStartMs: base.coldStartMs,
        ratio: round(fn.coldStartMs / base.coldStartMs, 2),
        ...(r.cjs ? { cjs: { bundleBytes: r.cjs.bytes, loadMs: summary(r.cjs).loadMs } } : {}),
      };
    });
    const validation = validators.map((v) => ({
      lib: v.lib,
      bundleBytes: v.m.bytes,
      loadMs: summary(v.m).loadMs,
      addedOverBareMs: round(summary(v.m).loadMs - bareSummary.loadMs),
      acceptsValidSample: v.validErrors.length === 0,
      messagesForInvalidSample: v.errors,
    }));
    const worst = Math.max(...functions.map((f) => f.ratio));
    const ratios = functions.map((f) => f.ratio);
    const result = {
      generatedAt: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      runsPerVariant: RUNS,
      bundle: { format: BUNDLE_FORMAT, ...BUNDLE_OPTIONS, banner: "createRequire shim" },
      method:
        "fresh node process per sample; child reports performance.now() before/after await import(bundle); " +
        "medians; ratio = (boot+load) function / (boot+load) baseline; baseline = the SDK clients of the " +
        "function's bindings, or an empty module (bare runtime) when it binds none",
      bareRuntime: bareSummary,
      goalRatio: GOAL_RATIO,
      worstRatio: worst,
      medianRatio: round(median(ratios), 2),
      meetsGoal: worst <= GOAL_RATIO,
      functions,
      validation: { invalidSample: INVALID, results: validation },
      durationSeconds: round((performance.now() - started) / 1000),
    };
    const outDir = path.join(ROOT, "bench", "results");
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, "cold-start.json"), `${JSON.stringify(result, null, 2)}\n`);

    console.log(`\nCold start, Node ${process.version}, ${RUNS} runs per variant (medians)`);
    console.table(
      Object.fromEntries(
        functions.map((f) => [
          f.name,
          {
            "bundle KB": round(f.bundleBytes / 1024),
            "baseline KB": round(f.baselineBytes / 1024),
            "load ms": f.loadMs,
            "baseline load ms": f.baselineLoadMs,
            "+ms": f.addedMs,
            "cold ms": f.coldStartMs,
            "baseline cold ms": f.baselineColdStartMs,
            ratio: f.ratio,
            baseline: f.baseline,
            "cjs load ms": f.cjs?.loadMs ?? "",
          },
        ]),
      ),
    );
    console.log(`bare runtime: boot ${bareSummary.bootMs} ms, empty module load ${bareSummary.loadMs} ms`);
    console.log(
      `ratio median ${result.medianRatio}, worst ${worst} (goal ≤ ${GOAL_RATIO}: ${worst <= GOAL_RATIO ? "met" : "NOT met"})\n`,
    );
    console.log("Validation libraries (same schema; load = import + build + one parse)");
    console.table(
      Object.fromEntries(
        validation.map((v) => [
          v.lib,
          {
            "bundle KB": round(v.bundleBytes / 1024),
            "load ms": v.loadMs,
            "+ms over bare": v.addedOverBareMs,
          },
        ]),
      ),
    );
    for (const v of validation) console.log(`${v.lib}:\n  ${v.messagesForInvalidSample.join("\n  ")}`);
    console.log(`\nwrote bench/results/cold-start.json in ${result.durationSeconds}s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
