/**
 * Helpers for the LinkedIn sandbox tests: start a sandbox on an ephemeral port, call the
 * REST API with LinkedIn's required headers, mint tokens and upload media through the
 * sandbox's own routes.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startSandbox } from "../../../local/sandbox/index.js";
import { LINKEDIN_SEED } from "../../../local/sandbox/linkedin/index.js";

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

export const VERSION = "202601";
export const APP = LINKEDIN_SEED.apps[0];
export const OTHER_APP = LINKEDIN_SEED.apps[1];
export const ADA = LINKEDIN_SEED.members[0];
export const GRACE = LINKEDIN_SEED.members[1];
export const ADA_URN = `urn:li:person:${ADA.sub}`;
export const ORG_ADMIN = "urn:li:organization:2414183";
export const ORG_ADMIN_2 = "urn:li:organization:2414184";
export const ORG_ANALYST = "urn:li:organization:2414185";
export const CALLBACK = "http://127.0.0.1:9/callback";

export const ALL_MEMBER_SCOPES = ["openid", "profile", "email", "w_member_social"];
export const ORG_SCOPES = [
  ...ALL_MEMBER_SCOPES,
  "w_organization_social",
  "r_organization_social",
  "rw_organization_admin",
];

export async function startLinkedInSandbox(): Promise<Sandbox> {
  return startSandbox({ port: 0 });
}

/**
 * One sandbox for the calling test file: started before its tests (handed to `started`),
 * closed after them, and reset before each test, after which `afterReset` runs (mint a token,
 * change the sandbox config).
 */
export function useLinkedInSandbox(hooks: {
  started: (sb: Sandbox) => void;
  afterReset?: (sb: Sandbox) => Promise<void>;
}): void {
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    sb = await startLinkedInSandbox();
    hooks.started(sb);
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    const running = sb!;
    await control(running, "/_sandbox/reset");
    await hooks.afterReset?.(running);
  });
}

/** Call `/linkedin/api/<path>` with the headers LinkedIn requires (override any with `headers`). */
export function rest(
  sb: Sandbox,
  path: string,
  opts: {
    method?: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string | undefined>;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  const base: Record<string, string | undefined> = {
    authorization: opts.token ? `Bearer ${opts.token}` : undefined,
    "linkedin-version": VERSION,
    "x-restli-protocol-version": "2.0.0",
    "content-type": opts.body === undefined ? undefined : "application/json",
    ...opts.headers,
  };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) headers[k] = v;
  return fetch(`${sb.url}/linkedin/api${path}`, {
    method: opts.method ?? (opts.body === undefined ? "GET" : "POST"),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}

/** Call a sandbox control route with a JSON body. */
export async function control(sb: Sandbox, path: string, body?: unknown, method = "POST"): Promise<Response> {
  return fetch(`${sb.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A token for a seeded member minted through `/_sandbox/linkedin/tokens`. */
export async function mintToken(
  sb: Sandbox,
  member: string = ADA.sub,
  scopes: string[] = ORG_SCOPES,
  clientId: string = APP.clientId,
): Promise<string> {
  const res = await control(sb, "/_sandbox/linkedin/tokens", { member, scopes, clientId });
  if (res.status !== 201) throw new Error(`mint failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** POST a text post; answers the response. */
export function createPost(sb: Sandbox, token: string, body: Record<string, unknown>): Promise<Response> {
  return rest(sb, "/rest/posts", {
    token,
    body: {
      author: ADA_URN,
      visibility: "PUBLIC",
      distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: "PUBLISHED",
      isReshareDisabledByAuthor: false,
      ...body,
    },
  });
}

/** Bytes of one of the sandbox's sample media files. */
export async function sampleBytes(sb: Sandbox, name: string): Promise<Buffer> {
  const res = await fetch(`${sb.url}/media/${name}`);
  if (!res.ok) throw new Error(`sample ${name}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Initialize an image or document upload and PUT the bytes; answers the media URN. */
export async function uploadAsset(
  sb: Sandbox,
  token: string,
  kind: "image" | "document",
  bytes: Buffer,
  owner: string = ADA_URN,
): Promise<string> {
  const init = await rest(sb, `/rest/${kind}s?action=initializeUpload`, {
    token,
    body: { initializeUploadRequest: { owner } },
  });
  if (init.status !== 200) throw new Error(`initializeUpload ${kind}: ${init.status} ${await init.text()}`);
  const { value } = (await init.json()) as { value: Record<string, string> };
  const put = await fetch(value.uploadUrl as string, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: bytes,
  });
  if (put.status !== 201) throw new Error(`upload ${kind}: ${put.status} ${await put.text()}`);
  return value[kind] as string;
}
