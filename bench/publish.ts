/**
 * Publishing benchmark (`npm run bench:publish`): 1,000 deliveries due at the same moment,
 * through a local stack of its own (API → Scheduler emulator → publish queue → poller →
 * publish worker → provider sandbox), with the sandbox enforcing Meta-like usage limits.
 *
 * Mix (per the providers' real limits): 400 posts to two Facebook Pages (800 deliveries),
 * 80 posts to an Instagram account and a LinkedIn member (160), 40 posts to a LinkedIn
 * organisation (40). Instagram stays under its 100 posts / 24 h; LinkedIn under the member's
 * 150 posts / day.
 *
 * Measures, written to bench/results/publish.json:
 * - throughput: deliveries published per second, from publishAt to the last one published;
 * - lag from publishAt to published: p50, p95, max;
 * - provider calls per published delivery (every call to the sandbox's Graph / LinkedIn hosts,
 *   counted by wrapping this process's fetch: the stack runs its workers in this process);
 * - throttled calls: answers 429, or Meta codes 4 / 17 / 32 / 613 / 80001 / 80002 (goal ≈ 0:
 *   the breaker paces on the usage headers before the sandbox throttles);
 * - duplicates: sandbox publications beyond one per delivery (must be 0).
 *
 * Env: BENCH_POSTS_SCALE (default 1) scales the counts down for a quick run.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { connectAccount, stackClient, type TargetItem } from "../bin/demo.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SCALE = Math.min(1, Math.max(0.01, Number(process.env.BENCH_POSTS_SCALE ?? "1") || 1));
const THROTTLE_CODES = /"code":\s*(4|17|32|613|80001|80002)\b/;

/** Meta-like budgets: calls per hour per app and per Page / IG account before 100 %. */
const SANDBOX_LIMITS = {
  meta: {
    enforceUsageLimits: true,
    appCallBudgetPerHour: 2_000,
    bucCallBudgetPerHour: 560,
    igImageProcessingMs: 2_000,
  },
};

interface Counters {
  calls: number;
  throttled: number;
  byHost: Record<string, number>;
}

/** Count provider calls made from this process (the stack's workers run here). */
function countProviderCalls(sandboxUrl: string): Counters {
  const counters: Counters = { calls: 0, throttled: 0, byHost: {} };
  const original = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const provider = url.startsWith(`${sandboxUrl}/meta/graph`)
      ? "meta"
      : url.startsWith(`${sandboxUrl}/linkedin/`)
        ? "linkedin"
        : undefined;
    const res = await original(input, init);
    if (provider) {
      counters.calls++;
      counters.byHost[provider] = (counters.byHost[provider] ?? 0) + 1;
      if (res.status === 429) counters.throttled++;
      else if (!res.ok && provider === "meta") {
        const text = await res.clone().text();
        if (THROTTLE_CODES.test(text)) counters.throttled++;
      }
    }
    return res;
  };
  return counters;
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "herald-bench-publish-"));
  const { startStack } = await import("../local/stack/index.js");
  const stack = await startStack({ quiet: true, apiPort: 0, dir });
  const info = stack.info;
  const stopOnSignal = () => {
    void stack.stop().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  const sandboxUrl = info.sandboxUrl!;
  try {
    const put = await fetch(`${sandboxUrl}/_sandbox/config`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(SANDBOX_LIMITS),
    });
    if (!put.ok) throw new Error(`sandbox config: ${put.status} ${await put.text()}`);

    const tenant = `bench-${randomUUID().slice(0, 6)}`;
    const { token, call } = stackClient(info, tenant);
    const admin = await token("admin");
    const targets: TargetItem[] = [];
    for (const p of ["meta", "linkedin"] as const)
      targets.push(...(await connectAccount(info, admin, p)).targets);
    const pages = targets.filter((t) => t.kind === "facebook_page").slice(0, 2);
    const ig = targets.find((t) => t.kind === "instagram_account")!;
    const member = targets.find((t) => t.kind === "linkedin_member")!;
    const org = targets.find((t) => t.kind === "linkedin_organization")!;
    const marker = randomUUID().slice(0, 8);
    const plan: { targetIds: string[]; media: boolean }[] = [
      ...Array.from({ length: Math.round(400 * SCALE) }, () => ({
        targetIds: pages.map((p) => p.id),
        media: false,
      })),
      ...Array.from({ length: Math.round(80 * SCALE) }, () => ({
        targetIds: [ig.id, member.id],
        media: true,
      })),
      ...Array.from({ length: Math.round(40 * SCALE) }, () => ({ targetIds: [org.id], media: false })),
    ];
    const expected = plan.reduce((n, p) => n + p.targetIds.length, 0);
    console.log(`bench: ${plan.length} posts, ${expected} deliveries (tenant ${tenant})`);

    // Drafts first, then every schedule at one publishAt far enough ahead for all of them.
    const t0 = Date.now();
    const ids: string[] = [];
    const pool = async <T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: n }, async () => {
          while (next < items.length) {
            const i = next++;
            await fn(items[i]!, i);
          }
        }),
      );
    };
    await pool(plan, 8, async (p, i) => {
      const post = await call<{ id: string }>("POST", "/v1/posts", admin, {
        content: {
          text: `Bench post ${i} ${marker}`,
          ...(p.media ? { media: [{ url: `${sandboxUrl}/media/square-1080.jpg` }] } : {}),
        },
        ...(p.media ? { variants: { linkedin: { format: "text", media: [] } } } : {}),
        targetIds: p.targetIds,
      });
      ids[i] = post.id;
    });
    const createMs = Date.now() - t0;
    const publishAt = new Date(Math.ceil((Date.now() + createMs * 1.5 + 15_000) / 1000) * 1000);
    await pool(ids, 8, async (id) => {
      await call("POST", `/v1/posts/${id}/schedule`, admin, { publishAt: publishAt.toISOString() });
    });
    console.log(`bench: drafts in ${createMs} ms; all scheduled for ${publishAt.toISOString()}`);

    const counters = countProviderCalls(sandboxUrl);
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: info.aws.dynamodb,
        region: info.aws.region,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }),
    );
    const readDeliveries = async () => {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: info.resources.table,
            IndexName: "GSI1",
            KeyConditionExpression: "GSI1PK = :pk",
            ExpressionAttributeValues: { ":pk": `TENANT#${tenant}#DELIVERIES` },
            ExclusiveStartKey,
          }),
        );
        items.push(...(out.Items ?? []));
        ExclusiveStartKey = out.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    };
    const deadline = publishAt.getTime() + 30 * 60_000;
    let items: Record<string, unknown>[] = [];
    for (;;) {
      await new Promise((r) => setTimeout(r, 2_000));
      items = await readDeliveries();
      const done = items.filter((d) => d.status === "PUBLISHED" || d.status === "FAILED").length;
      if (Date.now() > publishAt.getTime())
        console.log(
          `bench: ${done}/${expected} finished, ${counters.calls} provider calls, ${counters.throttled} throttled`,
        );
      if (done >= expected || Date.now() > deadline) break;
    }
    const published = items.filter((d) => d.status === "PUBLISHED");
    const lags = published
      .map((d) => Date.parse(String(d.publishedAt)) - Date.parse(String(d.publishAt)))
      .sort((a, b) => a - b);
    const lastAt = Math.max(...published.map((d) => Date.parse(String(d.publishedAt))));
    const log = (await (await fetch(`${sandboxUrl}/_sandbox/published`)).json()) as {
      items: { target: string; kind: string; text?: string }[];
    };
    const ours = log.items.filter((p) => (p.text ?? "").includes(marker) && !p.kind.includes("comment"));
    const perDelivery = new Map<string, number>();
    for (const p of ours)
      perDelivery.set(`${p.target}|${p.text}`, (perDelivery.get(`${p.target}|${p.text}`) ?? 0) + 1);
    const duplicates = [...perDelivery.values()].reduce((n, c) => n + (c - 1), 0);
    const result = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      deliveries: expected,
      mix: {
        facebook: pages.length * Math.round(400 * SCALE),
        instagram: Math.round(80 * SCALE),
        linkedin: Math.round(120 * SCALE),
      },
      sandboxLimits: SANDBOX_LIMITS,
      published: published.length,
      failed: items.filter((d) => d.status === "FAILED").length,
      unfinished: expected - items.filter((d) => d.status === "PUBLISHED" || d.status === "FAILED").length,
      throughputPerSecond: published.length / Math.max(0.001, (lastAt - publishAt.getTime()) / 1000),
      lagMs: { p50: quantile(lags, 0.5), p95: quantile(lags, 0.95), max: lags.at(-1) ?? 0 },
      providerCalls: counters.calls,
      providerCallsByProvider: counters.byHost,
      providerCallsPerPublish: counters.calls / Math.max(1, published.length),
      throttledCalls: counters.throttled,
      sandboxPublications: ours.length,
      duplicates,
    };
    mkdirSync(join(ROOT, "bench/results"), { recursive: true });
    writeFileSync(join(ROOT, "bench/results/publish.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    doc.destroy();
    if (duplicates > 0) process.exitCode = 1;
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
