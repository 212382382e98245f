/**
 * `npm run demo` (with `npm start` running in another terminal): a newcomer's walk through
 * Herald on the local stack, printing every step —
 *
 *   1. connect a Meta account (Facebook Page + Instagram) and a LinkedIn member, through the
 *      provider sandbox's consent pages (approved without a browser);
 *   2. an editor writes a post for all three, with a first comment;
 *   3. the editor submits it, an admin approves it and schedules it one minute ahead;
 *   4. the Scheduler fires, the publish worker publishes; the deliveries' ledgers and the
 *      sandbox's permalinks are printed.
 *
 *   --lead <seconds>   how far ahead to schedule (default 60; the local stack accepts ≥ 5)
 *   --tenant <id>      tenant to use (default demo-<random>)
 *
 * `runDemo` is also run by test/e2e/publishing/demo.test.ts.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LocalStackInfo } from "../local/stack/info.js";

const RETURN_URL = "http://127.0.0.1:5173/settings/connections";
/** Statuses the demo stops waiting at (NEEDS_ATTENTION: dead-lettered, an operator must replay it). */
const FINAL = new Set(["PUBLISHED", "FAILED", "CANCELLED", "NEEDS_ATTENTION"]);

export interface DemoOptions {
  readonly leadSeconds?: number;
  readonly tenant?: string;
  /** Where the walk-through is printed (console.log by default). */
  readonly print?: (line: string) => void;
  /** Give up waiting for the publish after this long (default lead + 120 s). */
  readonly timeoutMs?: number;
}

export interface DemoDelivery {
  id: string;
  platform: string;
  status: string;
  providerPostId?: string;
  permalink?: string;
  nextAttemptAt?: string;
  lastError?: { class: string; code: string; message: string; action: string };
  ledger: { at: string; event: string; status?: string; detail?: string }[];
}

export interface DemoResult {
  readonly tenant: string;
  readonly postId: string;
  readonly postStatus: string;
  readonly deliveries: readonly DemoDelivery[];
  /** What the sandbox says was published for this post (posts and comments). */
  readonly published: readonly {
    provider: string;
    kind: string;
    target: string;
    providerId: string;
    permalink?: string;
  }[];
}

class DemoError extends Error {}

export async function runDemo(info: LocalStackInfo, opts: DemoOptions = {}): Promise<DemoResult> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const lead = Math.max(5, opts.leadSeconds ?? 60);
  const sandboxUrl = info.sandboxUrl;
  if (!sandboxUrl) throw new DemoError("This local stack runs without the provider sandbox.");
  const tenant = opts.tenant ?? `demo-${randomUUID().slice(0, 6)}`;
  const step = (n: number, title: string) => print(`\n${n}. ${title}`);

  const { token, call, sandbox } = stackClient(info, tenant);
  print(`Herald demo on ${info.apiUrl} (provider sandbox ${sandboxUrl}), tenant "${tenant}"`);
  const admin = await token("admin");
  const editor = await token("editor");

  // 1. Connect both providers.
  step(1, "Connect the accounts (OAuth through the sandbox's consent pages, approved without a browser)");
  const connect = async (provider: "meta" | "linkedin") => {
    const { connectionId, targets: items, authorizationUrl } = await connectAccount(info, admin, provider);
    print(`   ${provider}: consent page ${authorizationUrl.split("?")[0]}`);
    print(`   ${provider}: connected (${connectionId}); targets:`);
    for (const t of items) print(`     - ${t.id}  ${t.kind.padEnd(22)} ${t.name} (${t.externalId})`);
    return items;
  };
  const targets = [...(await connect("meta")), ...(await connect("linkedin"))];
  const page = targets.find(
    (t) => t.kind === "facebook_page" && targets.some((x) => x.kind === "instagram_account"),
  );
  const ig = targets.find((t) => t.kind === "instagram_account");
  const member = targets.find((t) => t.kind === "linkedin_member");
  if (!page || !ig || !member)
    throw new DemoError("the sandbox did not offer a Page, an Instagram account and a member");

  // 2. Write the post.
  step(2, "An editor writes a post for the Page, the Instagram account and the LinkedIn member");
  const marker = randomUUID().slice(0, 8);
  const created = await call<{ id: string; status: string }>("POST", "/v1/posts", editor, {
    content: {
      text: `Fresh sourdough is out of the oven! #bakery (demo ${marker})`,
      media: [{ url: `${sandboxUrl}/media/square-1080.jpg`, altText: "A loaf of sourdough bread" }],
    },
    variants: {
      facebook: { format: "photo", firstComment: "Order ahead at the counter." },
      instagram: { format: "feed", firstComment: "#sourdough #breadlover" },
      linkedin: { format: "image", firstComment: "We are hiring bakers, too." },
    },
    targetIds: [page.id, ig.id, member.id],
  });
  print(`   post ${created.id}: ${created.status}`);

  // 3. Approval and scheduling.
  step(3, `The editor submits it, an admin approves it and schedules it ${lead} s ahead`);
  print(
    `   submitted: ${(await call<{ status: string }>("POST", `/v1/posts/${created.id}/submit`, editor, {})).status}`,
  );
  print(
    `   approved: ${(await call<{ status: string }>("POST", `/v1/posts/${created.id}/approve`, admin, { comment: "Looks good" })).status}`,
  );
  const publishAt = new Date(Math.ceil((Date.now() + lead * 1000) / 1000) * 1000).toISOString();
  const scheduled = await call<{
    status: string;
    deliveries: { id: string; platform: string; publishAt: string; scheduleName: string }[];
  }>("POST", `/v1/posts/${created.id}/schedule`, admin, { publishAt });
  print(
    `   scheduled: ${scheduled.status} at ${publishAt}; one delivery and one EventBridge Scheduler at() schedule per target:`,
  );
  for (const d of scheduled.deliveries)
    print(`     - ${d.id}  ${d.platform.padEnd(9)} schedule ${d.scheduleName}`);

  // 4. Wait for the publish.
  step(4, "The Scheduler fires, the publish worker publishes");
  const deadline = Date.now() + (opts.timeoutMs ?? lead * 1000 + 120_000);
  const last = new Map<string, string>();
  let deliveries: DemoDelivery[] = [];
  for (;;) {
    deliveries = await Promise.all(
      scheduled.deliveries.map((d) => call<DemoDelivery>("GET", `/v1/deliveries/${d.id}`, editor)),
    );
    for (const d of deliveries) {
      if (last.get(d.id) !== d.status) {
        // The API says when and why; the demo never parses the ledger.
        const why = d.lastError ? ` — ${d.lastError.class} ${d.lastError.code}: ${d.lastError.action}` : "";
        const when = d.status === "RETRYING" && d.nextAttemptAt ? ` (next attempt ${d.nextAttemptAt})` : "";
        print(
          `   ${new Date().toISOString().slice(11, 19)}  ${d.platform.padEnd(9)} ${d.status}${when}${why}`,
        );
        last.set(d.id, d.status);
      }
    }
    if (deliveries.every((d) => FINAL.has(d.status))) break;
    if (Date.now() > deadline)
      throw new DemoError("the deliveries did not finish in time (is the stack's publish worker running?)");
    await new Promise((r) => setTimeout(r, 500));
  }
  // The worker writes the post's aggregate status just after its last delivery: wait for it.
  let post = await call<{ status: string }>("GET", `/v1/posts/${created.id}`, editor);
  while ((post.status === "SCHEDULED" || post.status === "PUBLISHING") && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    post = await call<{ status: string }>("GET", `/v1/posts/${created.id}`, editor);
  }
  print(`   post ${created.id}: ${post.status}`);

  step(5, "The ledgers (GET /v1/deliveries/{id})");
  for (const d of deliveries) {
    print(`   ${d.platform} ${d.id}: ${d.status} ${d.providerPostId ?? ""}`);
    for (const e of d.ledger)
      print(`     ${e.at.slice(11, 23)}  ${e.event.padEnd(16)} ${e.detail ?? e.status ?? ""}`);
  }

  step(6, "What the providers show (the sandbox's publication log)");
  const log = await sandbox<{
    items: {
      provider: string;
      kind: string;
      target: string;
      providerId: string;
      permalink?: string;
      text?: string;
      extra?: { on?: string; object?: string };
    }[];
  }>("/_sandbox/published");
  const ids = new Set(deliveries.map((d) => d.providerPostId).filter(Boolean));
  const published = log.items.filter(
    (p) =>
      (p.text ?? "").includes(marker) ||
      ids.has(p.providerId) ||
      ids.has(p.extra?.on ?? "") ||
      ids.has(p.extra?.object ?? ""),
  );
  for (const p of published)
    print(`   ${p.provider.padEnd(8)} ${p.kind.padEnd(18)} ${p.permalink ?? p.providerId}`);
  print("\nDone. Try it again with faults: see local/sandbox/README.md (POST /_sandbox/faults).");
  return { tenant, postId: created.id, postStatus: post.status, deliveries, published };
}

/** Minimal clients for a running stack: tokens from its identity provider, its API, its sandbox. */
export function stackClient(info: LocalStackInfo, tenant: string) {
  const sandboxUrl = info.sandboxUrl ?? "";
  const token = async (role: "admin" | "editor") => {
    const res = await fetch(info.identity.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenant, roles: [role], sub: `${tenant}-${role}` }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!body.access_token) throw new DemoError(`could not mint a ${role} token (${res.status})`);
    return body.access_token;
  };
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    bearer: string,
    json?: unknown,
  ): Promise<T> => {
    const res = await fetch(new URL(path, info.apiUrl), {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(json === undefined ? {} : { "content-type": "application/json" }),
        ...(method === "POST" ? { "idempotency-key": randomUUID() } : {}),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await res.text();
    if (!res.ok) throw new DemoError(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  const sandbox = async <T = Record<string, unknown>>(path: string, json?: unknown): Promise<T> => {
    const res = await fetch(`${sandboxUrl}${path}`, {
      method: json === undefined ? "GET" : "POST",
      headers: json === undefined ? {} : { "content-type": "application/json" },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await res.text();
    if (!res.ok) throw new DemoError(`sandbox ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  return { token, call, sandbox };
}

export interface TargetItem {
  id: string;
  platform: string;
  kind: string;
  name: string;
  externalId: string;
}

/** Connect one provider account as `admin`: authorize (all scopes) → sandbox consent → Herald's callback. */
export async function connectAccount(
  info: LocalStackInfo,
  admin: string,
  provider: "meta" | "linkedin",
): Promise<{ connectionId: string; targets: TargetItem[]; authorizationUrl: string }> {
  const { call, sandbox } = stackClient(info, "");
  const { authorizationUrl } = await call<{ authorizationUrl: string }>(
    "POST",
    `/v1/connections/${provider}/authorize`,
    admin,
    { returnUrl: RETURN_URL, scopes: "all" },
  );
  let location: string;
  if (provider === "meta") {
    location = (
      await sandbox<{ location: string }>("/_sandbox/meta/consent", {
        url: authorizationUrl,
        decision: "approve",
      })
    ).location;
  } else {
    const u = new URL(authorizationUrl);
    location = (
      await sandbox<{ location: string }>("/_sandbox/linkedin/authorize", {
        clientId: u.searchParams.get("client_id"),
        redirectUri: u.searchParams.get("redirect_uri"),
        scopes: (u.searchParams.get("scope") ?? "").split(" "),
        state: u.searchParams.get("state"),
        codeChallenge: u.searchParams.get("code_challenge") ?? undefined,
      })
    ).location;
  }
  const back = await fetch(location, { redirect: "manual" });
  await back.body?.cancel();
  const to = new URL(back.headers.get("location") ?? RETURN_URL);
  const connectionId = to.searchParams.get("connectionId");
  if (!connectionId)
    throw new DemoError(`${provider} connection failed: ${to.searchParams.get("error") ?? back.status}`);
  const { items } = await call<{ items: TargetItem[] }>(
    "GET",
    `/v1/connections/${connectionId}/targets`,
    admin,
  );
  return { connectionId, targets: items, authorizationUrl };
}

function readInfo(): LocalStackInfo {
  const dir = process.env.HERALD_LOCAL_DIR ?? join(fileURLToPath(new URL("..", import.meta.url)), ".herald");
  const file = join(dir, "local.json");
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as LocalStackInfo;
    if (info?.apiUrl) return info;
  } catch {
    // fall through
  }
  console.error(
    `No local stack is running (no ${file}). Start one with \`npm start\`, then run \`npm run demo\`.`,
  );
  process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { lead: { type: "string" }, tenant: { type: "string" } } });
  runDemo(readInfo(), {
    ...(values.lead ? { leadSeconds: Number(values.lead) } : {}),
    ...(values.tenant ? { tenant: values.tenant } : {}),
  }).then(
    (r) => process.exit(r.deliveries.every((d) => d.status === "PUBLISHED") ? 0 : 1),
    (error) => {
      console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
