/**
 * MediaInspector over undici's fetch: for each URL, check it is safe to fetch (SSRF guard), then
 * read only its first bytes (`Range: bytes=0-65535`) to sniff the real type and dimensions, and
 * take the size from Content-Range (or Content-Length).
 *
 * SSRF guard, in two places:
 * - before the request: https only, no credentials in the URL, and every address the host
 *   resolves to must be public — not loopback, private (RFC 1918 / unique-local), link-local,
 *   CGNAT, multicast or reserved (this also covers IP literals, which are never looked up);
 * - at connect time: the requests go through an undici `Agent` whose `connect.lookup` applies the
 *   same check to the addresses the socket is about to use. A name that resolved public for the
 *   first check and private for the connection (DNS rebinding) is refused before any byte
 *   leaves, so the window between the two lookups is closed.
 * Redirects are followed by hand (at most 3), each hop checked again. Hosts in
 * `ENV.MEDIA_HOST_ALLOWLIST` (comma-separated `host[:port]`) skip the address checks (both) and
 * may use http — the local stack lists the sandbox there; it is configuration, read the same
 * way on AWS. The bytes read are never returned to the caller, only the type, size and
 * dimensions.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { discardBody, type FetchLike } from "../../providers/http.js";
import { MEDIA_FETCH_TIMEOUT_MS, MEDIA_SNIFF_BYTES } from "../domain/limits.js";
import { type MediaInfo, sniff } from "../domain/media.js";
import type { MediaInspector } from "../use-cases/ports.js";

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
  ["100::", 64],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/** Is this address one a media URL must not reach? (IPv4-mapped IPv6 is judged as IPv4.) */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1] as string, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

export type Resolver = (host: string) => Promise<readonly string[]>;

/**
 * A `dns.lookup`-shaped function asked for every address (`all: true`). The system resolver by
 * default; tests pass a scripted one.
 */
export type AllAddressesLookup = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemLookup: AllAddressesLookup = (hostname, options, callback) =>
  dnsLookup(hostname, { ...options, verbatim: true }, callback);

/** Every address `host` resolves to, through `lookup`. */
export const resolverOf =
  (lookup: AllAddressesLookup): Resolver =>
  (host) =>
    new Promise((resolve, reject) =>
      lookup(host, { all: true }, (error, addresses) =>
        error ? reject(error) : resolve(addresses.map((a) => a.address)),
      ),
    );

/** The connection was refused at connect time: the name now resolves to a non-public address. */
export class BlockedAddressError extends Error {
  readonly code = "ERR_HERALD_BLOCKED_ADDRESS";
  constructor(
    readonly hostname: string,
    readonly address: string | undefined,
  ) {
    super(`${hostname} resolves to ${address ?? "no address"}, which is not public; not connecting`);
    this.name = "BlockedAddressError";
  }
}

/**
 * A connect-time `lookup` that resolves through `lookup` and refuses, with a
 * `BlockedAddressError`, a name any of whose addresses is not public — unless `allowed(name)`.
 * Answers in whichever form the socket asked for (`all` or a single address).
 */
export function publicOnlyLookup(
  allowed: (hostname: string) => boolean,
  lookup: AllAddressesLookup = systemLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (!allowed(hostname)) {
        const bad = addresses.length === 0 ? undefined : addresses.find((a) => isBlockedAddress(a.address));
        if (addresses.length === 0 || bad)
          return callback(new BlockedAddressError(hostname, bad?.address), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

/** The hostnames of allow-list entries (`host[:port]`, `[v6]:port`), for the connect-time check. */
const allowedHostnames = (entries: readonly string[]) =>
  new Set(entries.map((e) => e.replace(/^\[([^\]]+)\](?::\d+)?$/, "$1").replace(/^([^:]+):\d+$/, "$1")));

/**
 * An undici fetch whose connections are checked at connect time (`publicOnlyLookup`), over one
 * keep-alive pool; header and body timeouts bound a server that answers slowly.
 *
 * undici is loaded and its `Agent` built on the first fetch, once per cold start: every posts
 * function shares this wiring but only the ones that check media fetch anything, and undici
 * is about 540 KB of bundled code (docs/decisions.md, "Connect-time address checks").
 */
export function publicOnlyFetch(options: {
  readonly allowlist?: readonly string[];
  readonly lookup?: AllAddressesLookup;
  readonly timeoutMs: number;
}): FetchLike {
  const allowed = allowedHostnames(options.allowlist ?? []);
  let ready: Promise<FetchLike> | undefined;
  const build = async (): Promise<FetchLike> => {
    const { Agent, fetch: undiciFetch } = await import("undici");
    const dispatcher = new Agent({
      connect: {
        lookup: publicOnlyLookup((h) => allowed.has(h.toLowerCase()), options.lookup),
        timeout: options.timeoutMs,
      },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    return (input, init) =>
      undiciFetch(input, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher,
      }) as unknown as Promise<Response>;
  };
  return async (input, init) => {
    ready ??= build();
    return (await ready)(input, init);
  };
}

/** Whether a fetch failure was the connect-time address check refusing. */
function blockedAt(error: unknown): BlockedAddressError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof BlockedAddressError) return e;
  }
  return undefined;
}

export interface MediaInspectorOptions {
  /** `host` or `host:port` entries allowed to be http and to resolve anywhere. */
  readonly allowlist?: readonly string[];
  /** DNS for both checks (before the request and at connect time); the system resolver by default. */
  readonly lookup?: AllAddressesLookup;
  /** Replaces the first check's resolver only (tests that script it alone). */
  readonly resolve?: Resolver;
  /** Replaces the connect-time checked fetch (tests without sockets). */
  readonly fetch?: FetchLike;
  readonly timeoutMs?: number;
}

export const parseAllowlist = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);

const fail = (url: string, code: string, message: string): MediaInfo => ({ ok: false, url, code, message });

export function fetchMediaInspector(options: MediaInspectorOptions = {}): MediaInspector {
  const allow = new Set((options.allowlist ?? []).map((h) => h.toLowerCase()));
  const resolve = options.resolve ?? resolverOf(options.lookup ?? systemLookup);
  const timeoutMs = options.timeoutMs ?? MEDIA_FETCH_TIMEOUT_MS;
  const doFetch =
    options.fetch ??
    publicOnlyFetch({
      allowlist: [...allow],
      ...(options.lookup ? { lookup: options.lookup } : {}),
      timeoutMs,
    });

  const allowed = (u: URL) => allow.has(u.host.toLowerCase()) || allow.has(u.hostname.toLowerCase());

  /** undefined when the URL may be fetched; otherwise the refusal. */
  async function guard(url: string, u: URL): Promise<MediaInfo | undefined> {
    if (u.username || u.password)
      return fail(url, "media_url_credentials", "Media URLs must not carry a user name or password.");
    if (allowed(u))
      return u.protocol === "https:" || u.protocol === "http:"
        ? undefined
        : fail(url, "media_url_not_https", "Media URLs must use https.");
    if (u.protocol !== "https:") return fail(url, "media_url_not_https", "Media URLs must use https.");
    const host = u.hostname.replace(/^\[|\]$/g, "");
    let addresses: readonly string[];
    try {
      addresses = isIP(host) ? [host] : await resolve(host);
    } catch {
      return fail(url, "media_unreachable", `The host ${u.hostname} does not resolve.`);
    }
    if (addresses.length === 0 || addresses.some(isBlockedAddress)) {
      return fail(
        url,
        "media_host_blocked",
        `Media must be on a public host; ${u.hostname} resolves to a private or reserved address.`,
      );
    }
    return undefined;
  }

  async function inspectOne(url: string): Promise<MediaInfo> {
    let current = url;
    for (let hop = 0; hop <= 3; hop++) {
      let u: URL;
      try {
        u = new URL(current);
      } catch {
        return fail(url, "media_url_invalid", "This is not a valid URL.");
      }
      const refused = await guard(url, u);
      if (refused) return refused;
      let res: Response;
      try {
        res = await doFetch(u, {
          method: "GET",
          redirect: "manual",
          headers: { range: `bytes=0-${MEDIA_SNIFF_BYTES - 1}`, "user-agent": "Herald-media-check/1" },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const blocked = blockedAt(error);
        if (blocked) {
          return fail(
            url,
            "media_host_blocked",
            `Media must be on a public host; ${u.hostname} resolved to a private or reserved address when Herald connected.`,
          );
        }
        const timedOut =
          error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
        return fail(
          url,
          "media_unreachable",
          timedOut
            ? `The media did not answer within ${timeoutMs / 1000} s.`
            : "The media could not be fetched.",
        );
      }
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.get("location");
        await discardBody(res.body);
        if (!location)
          return fail(
            url,
            "media_unreachable",
            `The media URL redirects (${res.status}) without a location.`,
          );
        current = new URL(location, u).toString();
        continue;
      }
      if (res.status !== 200 && res.status !== 206) {
        await discardBody(res.body);
        return fail(url, "media_unreachable", `Fetching the media answered HTTP ${res.status}.`);
      }
      const head = await readHead(res, MEDIA_SNIFF_BYTES);
      const sizeBytes = sizeOf(res);
      const sniffed = sniff(head);
      if (!sniffed) {
        return fail(
          url,
          "media_type_unknown",
          "The file is not a JPEG, PNG, GIF, WebP, MP4, MOV or PDF (judged by its content, not its name).",
        );
      }
      return { ok: true, url, ...sniffed, ...(sizeBytes !== undefined ? { sizeBytes } : {}) };
    }
    return fail(url, "media_unreachable", "The media URL redirects too many times.");
  }

  return {
    async inspect(urls) {
      const unique = [...new Set(urls)];
      const results = await Promise.all(unique.map(inspectOne));
      return new Map(results.map((r) => [r.url, r]));
    },
  };
}

function sizeOf(res: Response): number | undefined {
  const range = res.headers.get("content-range");
  const total = range ? /\/(\d+)\s*$/.exec(range)?.[1] : undefined;
  if (total) return Number(total);
  if (res.status === 200) {
    const length = res.headers.get("content-length");
    if (length && /^\d+$/.test(length)) return Number(length);
  }
  return undefined;
}

/** Read at most `max` bytes, then stop the download. */
async function readHead(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done || !value) break;
      chunks.push(value);
      total += value.length;
    }
  } finally {
    await discardBody(reader);
  }
  const out = new Uint8Array(Math.min(total, max));
  let offset = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.length, out.length - offset));
    out.set(part, offset);
    offset += part.length;
    if (offset >= out.length) break;
  }
  return out;
}
