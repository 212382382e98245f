import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createClock } from "./clock.js";
import { deepMergeInto, defaultSandboxConfig, restoreInto } from "./config.js";
import { registerControlRoutes } from "./control.js";
import { type ActiveFault, FaultTable } from "./faults.js";
import { fetchMedia, registerMediaRoutes } from "./media.js";
import { createPublicationLog } from "./publication-log.js";
import { providerOfPath, RouteTable } from "./router.js";
import type {
  DeepPartial,
  ErrorPreset,
  ProviderModule,
  ProviderName,
  SandboxConfig,
  SandboxContext,
  SandboxRequest,
  SandboxResponse,
} from "./types.js";

/** Options of {@link createSandboxServer}. */
export interface SandboxServerOptions {
  readonly providers: readonly ProviderModule[];
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on; loopback by default. */
  readonly host?: string;
  readonly config?: DeepPartial<SandboxConfig>;
  /** How long a media download may take before it counts as timed out. */
  readonly mediaTimeoutMs?: number;
}

/** A running sandbox. */
export interface RunningSandbox {
  readonly url: string;
  readonly port: number;
  readonly ctx: SandboxContext;
  close(): Promise<void>;
}

/** One line of the request log (`GET /_sandbox/requests`). */
export interface LoggedRequest {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly provider?: ProviderName;
  readonly target?: string;
  readonly status: number | "dropped";
  readonly fault?: string;
}

/** Internals the control API needs. */
export interface SandboxInternals {
  readonly ctx: SandboxContext;
  readonly faults: FaultTable;
  readonly presets: ReadonlyMap<string, ErrorPreset>;
  readonly providers: readonly ProviderModule[];
  readonly requests: LoggedRequest[];
  reset(): void;
}

const MAX_BODY_BYTES = 200 * 1024 * 1024;
const MAX_LOGGED_REQUESTS = 1_000;

/**
 * Start the sandbox: one HTTP server, the control API under `/_sandbox`, sample media under
 * `/media`, then each provider's routes. Every provider request passes through fault
 * injection before its handler runs.
 */
export async function createSandboxServer(opts: SandboxServerOptions): Promise<RunningSandbox> {
  const clock = createClock();
  const published = createPublicationLog(clock);
  const initialConfig = defaultSandboxConfig();
  if (opts.config) deepMergeInto(initialConfig as unknown as Record<string, unknown>, opts.config);
  const config = structuredClone(initialConfig);
  const states = new Map<ProviderName, unknown>();
  let baseUrl = "";
  const mediaTimeoutMs = opts.mediaTimeoutMs ?? 20_000;

  const ctx: SandboxContext = {
    get baseUrl() {
      return baseUrl;
    },
    clock,
    published,
    config,
    state<T>(provider: ProviderName, init: () => T): T {
      if (!states.has(provider)) states.set(provider, init());
      return states.get(provider) as T;
    },
    fetchMedia: (url) => fetchMedia(url, mediaTimeoutMs),
  };

  const presets = new Map<string, ErrorPreset>();
  for (const p of opts.providers) {
    for (const [name, preset] of Object.entries(p.errorPresets)) presets.set(`${p.name}.${name}`, preset);
  }
  const faults = new FaultTable();
  const requests: LoggedRequest[] = [];
  const internals: SandboxInternals = {
    ctx,
    faults,
    presets,
    providers: opts.providers,
    requests,
    reset() {
      states.clear();
      clock.reset();
      faults.clear();
      published.clear();
      requests.length = 0;
      restoreInto(config, initialConfig);
    },
  };

  const router = new RouteTable();
  registerControlRoutes(router, internals);
  registerMediaRoutes(router, () => baseUrl);
  for (const p of opts.providers) p.register(router, ctx);

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(
        `sandbox: ${req.method} ${req.url} failed: ${(err as Error)?.stack ?? String(err)}\n`,
      );
      if (!res.headersSent)
        send(res, req.method ?? "GET", { status: 500, body: { error: "sandbox internal error" } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const path = url.pathname;
    const rawBody = await readBody(req);
    if (rawBody === undefined) {
      send(res, method, { status: 413, body: { error: `body larger than ${MAX_BODY_BYTES} bytes` } });
      return;
    }
    const found = router.match(method, path);
    const params = "route" in found ? found.params : {};
    const sreq = makeRequest(method, path, url.searchParams, req, rawBody, params);
    const provider = providerOfPath(path);
    const target = "route" in found ? safeTarget(found.route.target, sreq) : undefined;
    const log = (status: number | "dropped", fault?: ActiveFault) => {
      requests.push({
        at: new Date(clock.now()).toISOString(),
        method,
        path,
        query: url.search,
        provider,
        target,
        status,
        fault: fault ? `${fault.id}:${fault.fault.kind}` : undefined,
      });
      if (requests.length > MAX_LOGGED_REQUESTS) requests.shift();
    };

    // The control API is never faulted: tests must always be able to reach it.
    const fault = path.startsWith("/_sandbox/") ? undefined : faults.take({ provider, method, path, target });
    if (fault) {
      const f = fault.fault;
      if (f.kind === "drop-before") {
        log("dropped", fault);
        res.socket?.destroy();
        return;
      }
      if (f.kind === "latency") await new Promise((r) => setTimeout(r, f.ms));
      if (f.kind === "error") {
        const answer = presets.get(f.preset)!(sreq, ctx);
        log(answer.status, fault);
        send(res, method, answer);
        return;
      }
      if (f.kind === "response") {
        log(f.status, fault);
        send(res, method, { status: f.status, headers: f.headers, body: f.body });
        return;
      }
    }

    let answer: SandboxResponse;
    if ("route" in found) {
      answer = await found.route.handler(sreq, ctx);
    } else if (found.methodNotAllowed) {
      answer = { status: 405, body: { error: `${method} not allowed on ${path}` } };
    } else {
      answer = { status: 404, body: { error: `no sandbox route for ${method} ${path}` } };
    }
    if (fault?.fault.kind === "drop-after") {
      // The provider acted (the post exists); the client never hears about it.
      log("dropped", fault);
      res.socket?.destroy();
      return;
    }
    log(answer.status, fault);
    send(res, method, answer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  baseUrl = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;

  return {
    url: baseUrl,
    port: address.port,
    ctx,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function safeTarget(
  extract: ((req: SandboxRequest) => string | undefined) | undefined,
  req: SandboxRequest,
): string | undefined {
  try {
    return extract?.(req);
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function makeRequest(
  method: string,
  path: string,
  query: URLSearchParams,
  req: IncomingMessage,
  rawBody: Buffer,
  params: Record<string, string>,
): SandboxRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  const contentType = headers["content-type"] ?? "";
  let parsedJson: { value: unknown } | undefined;
  const json = (): unknown => {
    if (!parsedJson) {
      try {
        parsedJson = { value: rawBody.length ? JSON.parse(rawBody.toString("utf8")) : undefined };
      } catch {
        parsedJson = { value: undefined };
      }
    }
    return parsedJson.value;
  };
  const form = (): URLSearchParams => {
    if (contentType.includes("multipart/form-data")) return parseMultipartFields(rawBody, contentType);
    if (contentType.includes("json") || !rawBody.length) return new URLSearchParams();
    return new URLSearchParams(rawBody.toString("utf8"));
  };
  return {
    method,
    path,
    query,
    headers,
    rawBody,
    params,
    json,
    form,
    params2() {
      const merged = new URLSearchParams(query);
      const body = contentType.includes("json") ? json() : undefined;
      if (body && typeof body === "object" && !Array.isArray(body)) {
        for (const [k, v] of Object.entries(body)) {
          merged.set(k, typeof v === "string" ? v : JSON.stringify(v));
        }
      } else {
        for (const [k, v] of form()) merged.set(k, v);
      }
      return merged;
    },
  };
}

/** The text fields of a multipart body (file parts are kept as their byte length). */
function parseMultipartFields(body: Buffer, contentType: string): URLSearchParams {
  const out = new URLSearchParams();
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return out;
  const text = body.toString("latin1");
  for (const part of text.split(`--${boundary}`)) {
    const sep = part.indexOf("\r\n\r\n");
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name) continue;
    let value = part.slice(sep + 4);
    if (value.endsWith("\r\n")) value = value.slice(0, -2);
    if (/filename="/i.test(head)) out.set(name, `<file:${Buffer.byteLength(value, "latin1")} bytes>`);
    else out.set(name, Buffer.from(value, "latin1").toString("utf8"));
  }
  return out;
}

function send(res: ServerResponse, method: string, answer: SandboxResponse): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = v;
  let payload: Buffer | undefined;
  const body = answer.body;
  if (body === undefined || body === null) {
    payload = undefined;
  } else if (Buffer.isBuffer(body)) {
    payload = body;
    headers["content-type"] ??= "application/octet-stream";
  } else if (typeof body === "string") {
    payload = Buffer.from(body, "utf8");
    headers["content-type"] ??= "text/plain; charset=UTF-8";
  } else {
    payload = Buffer.from(JSON.stringify(body), "utf8");
    headers["content-type"] ??= "application/json; charset=UTF-8";
  }
  if (payload) headers["content-length"] = String(payload.length);
  else if (answer.status !== 204 && answer.status !== 304) headers["content-length"] = "0";
  res.writeHead(answer.status, headers);
  res.end(method === "HEAD" ? undefined : payload);
}

export { defaultSandboxConfig };
