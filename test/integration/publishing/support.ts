/**
 * Helpers for the publishing tests against the running local stack: a tenant connected to both
 * sandbox providers through the real OAuth flow, posts scheduled a few seconds ahead through
 * the API, the publish queue, the sandbox's control API (faults, publication log) and the
 * deliveries as the API shows them.
 */
import { randomUUID } from "node:crypto";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { expect } from "vitest";
import { PublishRequestedV1 } from "../../../events/publish-requested.v1.js";
import { api, eventually, scheduleLeadMs, stackInfo } from "../../support/stack.js";
import { adminToken, callback, consent, newTenant, RETURN_URL, sandbox } from "../connections/helpers.js";

export const PAGE_BAKERY = "200000000000001";
export const PAGE_BOOKS = "200000000000002";
export const IG_BAKERY = "17841400000000001";
export const ORG_A = "urn:li:organization:2414183";
export const ORG_B = "urn:li:organization:2414184";

export interface TargetView {
  id: string;
  platform: string;
  kind: string;
  externalId: string;
  status: string;
}

export interface World {
  tenant: string;
  token: string;
  metaConnection: string;
  linkedinConnection: string;
  targets: TargetView[];
  /** The target with this external id (Page id, IG id, author URN), or the LinkedIn member. */
  target(externalId: string | "member"): TargetView;
}

/** authorize (every scope: first comments need the engagement ones) → consent → callback. */
export async function connectAll(
  token: string,
  provider: "meta" | "linkedin",
  user?: string,
): Promise<string> {
  const res = await api(`/v1/connections/${provider}/authorize`, {
    method: "POST",
    token,
    json: { returnUrl: RETURN_URL, scopes: "all" },
  });
  const body = (await res.json()) as { authorizationUrl: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  const back = await callback(await consent(provider, body.authorizationUrl, true, user));
  expect(back.status).toBe(302);
  const location = new URL(back.location!);
  expect(location.searchParams.get("error")).toBeNull();
  return location.searchParams.get("connectionId")!;
}

/** A fresh tenant with Meta and LinkedIn connected (sandbox consent without a browser). */
export async function connectedWorld(label: string): Promise<World> {
  const tenant = newTenant(label);
  const token = await adminToken(tenant);
  const metaConnection = await connectAll(token, "meta");
  const linkedinConnection = await connectAll(token, "linkedin");
  const targets: TargetView[] = [];
  for (const c of [metaConnection, linkedinConnection]) {
    const res = await api(`/v1/connections/${c}/targets`, { token });
    expect(res.status).toBe(200);
    targets.push(...((await res.json()) as { items: TargetView[] }).items);
  }
  return {
    tenant,
    token,
    metaConnection,
    linkedinConnection,
    targets,
    target(externalId) {
      const t =
        externalId === "member"
          ? targets.find((x) => x.kind === "linkedin_member")
          : targets.find((x) => x.externalId === externalId);
      if (!t) throw new Error(`no target ${externalId} among ${targets.map((x) => x.externalId).join(", ")}`);
      return t;
    },
  };
}

export interface ScheduledDelivery {
  id: string;
  targetId: string;
  version: number;
  scheduleName: string;
  publishAt: string;
}

/** Create a post and schedule it `leadMs` ahead; answers its deliveries. */
export async function schedulePost(
  w: World,
  body: { content: Record<string, unknown>; variants?: Record<string, unknown>; targetIds: string[] },
  leadMs = scheduleLeadMs(),
): Promise<{ postId: string; deliveries: ScheduledDelivery[] }> {
  const created = await api("/v1/posts", { method: "POST", token: w.token, json: body });
  const post = (await created.json()) as { id: string };
  expect(created.status, JSON.stringify(post)).toBe(201);
  const publishAt = new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000).toISOString();
  const res = await api(`/v1/posts/${post.id}/schedule`, {
    method: "POST",
    token: w.token,
    json: { publishAt },
    headers: { "idempotency-key": randomUUID() },
  });
  const out = (await res.json()) as { deliveries: ScheduledDelivery[] };
  expect(res.status, JSON.stringify(out)).toBe(201);
  return { postId: post.id, deliveries: out.deliveries };
}

export interface DeliveryView {
  id: string;
  status: string;
  version: number;
  providerPostId?: string;
  permalink?: string;
  publishAt: string;
  nextAttemptAt?: string;
  lastError?: { class: string; code: string; message: string; action: string };
  ledger: { at: string; event: string; status?: string; detail?: string }[];
}

export async function getDelivery(w: World, id: string): Promise<DeliveryView> {
  const res = await api(`/v1/deliveries/${id}`, { token: w.token });
  expect(res.status).toBe(200);
  return (await res.json()) as DeliveryView;
}

export async function getPost(w: World, id: string): Promise<{ status: string }> {
  const res = await api(`/v1/posts/${id}`, { token: w.token });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string };
}

/**
 * The post once its aggregate status has settled. The worker records a delivery first and the
 * post's aggregate after it, so a post read right after its last delivery settles may still
 * say PUBLISHING for a moment.
 */
export function settledPost(w: World, id: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const p = await getPost(w, id);
      return p.status === "SCHEDULED" || p.status === "PUBLISHING" ? undefined : p;
    },
    { timeoutMs, intervalMs: 250, what: `post ${id} to settle` },
  );
}

/** Wait until the delivery reaches one of `statuses` (polling with a deadline). */
export function settled(w: World, id: string, statuses = ["PUBLISHED", "FAILED"], timeoutMs = 90_000) {
  return eventually(
    async () => {
      const d = await getDelivery(w, id);
      return statuses.includes(d.status) ? d : undefined;
    },
    { timeoutMs, intervalMs: 250, what: `delivery ${id} in ${statuses.join("/")}` },
  );
}

let sqsClient: SQSClient | undefined;
/** Send a PublishRequested v1 to the stack's publish queue (a duplicate delivery of the Scheduler's message). */
export async function sendPublishRequested(tenantId: string, deliveryId: string, version: number) {
  const { aws, resources } = stackInfo();
  sqsClient ??= new SQSClient({
    region: aws.region,
    endpoint: aws.sqs,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const event = PublishRequestedV1.create(
    { tenantId, deliveryId, version },
    { correlationId: `test-${randomUUID()}`, id: `${deliveryId}.v${version}` },
  );
  await sqsClient.send(
    new SendMessageCommand({ QueueUrl: resources.queues.publish, MessageBody: JSON.stringify(event) }),
  );
}

export interface Publication {
  provider: string;
  target: string;
  kind: string;
  providerId: string;
  text?: string;
  permalink?: string;
}

/** The sandbox's publication log, filtered to entries whose text contains `marker`. */
export async function publishedWith(marker: string): Promise<Publication[]> {
  const out = await sandbox("/_sandbox/published");
  return ((out.body.items ?? []) as Publication[]).filter((p) => (p.text ?? "").includes(marker));
}

/** Add a sandbox fault rule; answers its id. */
export async function fault(rule: Record<string, unknown>): Promise<string> {
  const out = await sandbox("/_sandbox/faults", { json: rule });
  expect(out.status, JSON.stringify(out.body)).toBe(201);
  return String(out.body.id);
}

export async function removeFault(id: string) {
  await sandbox(`/_sandbox/faults/${id}`, { method: "DELETE" });
}

export const marker = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/** A sample media URL served by the sandbox. */
export const media = (name: string) => {
  const url = stackInfo().sandboxUrl;
  if (!url) throw new Error("the stack runs without the sandbox");
  return `${url}/media/${name}`;
};
