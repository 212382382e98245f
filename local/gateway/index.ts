/**
 * The local API gateway: one port serving every HTTP route of the function manifest the way
 * an API Gateway HTTP API (payload format 2.0, JWT authorizer) would, and with the same error
 * bodies: 404 `Not Found`, 401 `Unauthorized`, 413 `Request Entity Too Large`, 500
 * `Internal Server Error` when the function fails, 503 `Service Unavailable` after 30 s.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type FunctionSpec, httpRoutes } from "../../functions/manifest.js";
import { API_SCOPE } from "../../schemas/resources.js";
import type { FunctionInvoker } from "../runtime/invoker.js";
import type { ActivityLog } from "../stack/activity.js";
import { type AuthorizerConfig, createAuthorizer } from "./authorizer.js";
import { RouteTable } from "./routes.js";

/** HTTP API limits. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
export const INTEGRATION_TIMEOUT_MS = 30_000;

/** A local-only endpoint handled before the route table (e.g. `POST /_local/cron/<fn>`). */
export type LocalHandler = (
  method: string,
  path: string,
  body: Buffer,
) => Promise<{ status: number; body: unknown } | undefined>;

export interface GatewayOptions {
  readonly functions: readonly FunctionSpec[];
  readonly invoker: FunctionInvoker;
  readonly authorizer: AuthorizerConfig;
  readonly port?: number;
  readonly host?: string;
  readonly activity?: ActivityLog;
  readonly local?: LocalHandler;
  readonly accountId?: string;
  /** Override for tests of the 503 path; defaults to the HTTP API's fixed 30 s. */
  readonly integrationTimeoutMs?: number;
  readonly maxPayloadBytes?: number;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly routes: number;
  close(): Promise<void>;
}

class PayloadTooLarge extends Error {}

const TEXT_TYPES =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|[^;]*\+(json|xml))/i;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `26/Nov/2026:11:10:09 +0000`, the format of `requestContext.time`. */
export function apiGatewayTime(d: Date): string {
  const iso = d.toISOString(); // 2026-11-26T11:10:09.000Z
  const month = MONTHS[Number(iso.slice(5, 7)) - 1];
  return `${iso.slice(8, 10)}/${month}/${iso.slice(0, 4)}:${iso.slice(11, 19)} +0000`;
}

/** API Gateway's request id shape (e.g. `Hd2kFgYvIAMEV-g=`). */
const apiRequestId = () => `${randomBytes(10).toString("base64").replace(/[/+]/g, "-").slice(0, 14)}=`;

/**
 * Read the body; past the limit the rest is read and dropped, so the client gets the 413
 * answer instead of a reset connection mid-upload.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers["content-length"] ?? "0") > limit;
    req.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => (tooLarge ? reject(new PayloadTooLarge()) : resolve(Buffer.concat(chunks))));
    req.once("error", reject);
  });
}

/** Lower-cased headers, repeated values comma-joined; cookies go to their own field like the HTTP API does. */
function eventHeaders(req: IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1] ?? "";
    if (name === "cookie") {
      cookies.push(
        ...value
          .split(";")
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { headers, cookies };
}

function queryParameters(rawQuery: string): Record<string, string> | undefined {
  if (!rawQuery) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) out[k] = out[k] === undefined ? v : `${out[k]},${v}`;
  return out;
}

const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
};

/** Map what the function returned to the HTTP answer, as the HTTP API does for payload 2.0. */
function writeResult(res: ServerResponse, result: unknown, requestId: string): number {
  const structured =
    typeof result === "object" && result !== null && "statusCode" in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : undefined;
  if (!structured) {
    // Payload 2.0 infers a 200 JSON answer from any other value.
    const body = typeof result === "string" ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { "content-type": "application/json", "apigw-requestid": requestId });
    res.end(body);
    return 200;
  }
  const status = Number(structured.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    sendJson(res, 500, { message: "Internal Server Error" }, { "apigw-requestid": requestId });
    return 500;
  }
  const headers: Record<string, string | string[]> = { "apigw-requestid": requestId };
  for (const [k, v] of Object.entries(structured.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (structured.cookies?.length) headers["set-cookie"] = structured.cookies;
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : structured.isBase64Encoded
        ? Buffer.from(structured.body, "base64")
        : Buffer.from(structured.body, "utf8");
  headers["content-length"] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
  return status;
}

/** Start the gateway (ephemeral port unless given). */
export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const host = opts.host ?? "127.0.0.1";
  const table = new RouteTable(httpRoutes(opts.functions));
  const authorize = createAuthorizer(opts.authorizer);
  const accountId = opts.accountId ?? "000000000000";
  const limit = opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const integrationTimeoutMs = opts.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  let domainName = host;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown>> => {
    const started = Date.now();
    const requestId = apiRequestId();
    const method = (req.method ?? "GET").toUpperCase();
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQueryString = q === -1 ? "" : rawUrl.slice(q + 1);
    const log: Record<string, unknown> = { method, path: rawPath, requestId };
    const finish = (status: number, extra: Record<string, unknown> = {}) =>
      Object.assign(log, { status, latencyMs: Date.now() - started }, extra);

    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (error instanceof PayloadTooLarge) {
        sendJson(res, 413, { message: "Request Entity Too Large" }, { "apigw-requestid": requestId });
        return finish(413);
      }
      throw error;
    }

    if (opts.local && rawPath.startsWith("/_local/")) {
      const answer = await opts.local(method, rawPath, body);
      if (answer) {
        sendJson(res, answer.status, answer.body);
        return finish(answer.status, { local: true });
      }
    }

    const match = table.match(method, rawPath);
    if (!match) {
      sendJson(res, 404, { message: "Not Found" }, { "apigw-requestid": requestId });
      return finish(404);
    }
    const { compiled, pathParameters } = match;
    log.routeKey = compiled.routeKey;
    log.function = compiled.fn.name;

    const { headers, cookies } = eventHeaders(req);
    let authorizer: APIGatewayProxyEventV2WithJWTAuthorizer["requestContext"]["authorizer"] | undefined;
    if (!("public" in compiled.route.auth)) {
      const verdict = await authorize(headers.authorization);
      if (!verdict.ok) {
        sendJson(
          res,
          401,
          { message: "Unauthorized" },
          {
            "apigw-requestid": requestId,
            "www-authenticate": `Bearer scope="" error="invalid_token" error_description="${verdict.description}"`,
          },
        );
        return finish(401, { reason: verdict.description });
      }
      // Every protected route requires the API scope (as the CDK routes' authorizationScopes
      // do): a valid token without it, such as an ID token, is refused with the HTTP API's 403.
      if (!verdict.scopes.includes(API_SCOPE)) {
        sendJson(
          res,
          403,
          { message: "Forbidden" },
          {
            "apigw-requestid": requestId,
            "www-authenticate": `Bearer scope="${API_SCOPE}" error="insufficient_scope" error_description="the token does not carry the route's scope"`,
          },
        );
        return finish(403, { reason: "insufficient scope" });
      }
      authorizer = {
        principalId: "",
        integrationLatency: 0,
        jwt: { claims: verdict.claims, scopes: verdict.scopes },
      };
      log.tenant = verdict.claims.tenant_id;
    }

    const contentType = headers["content-type"] ?? "";
    const isText = body.length === 0 || TEXT_TYPES.test(contentType) || (!contentType && isUtf8(body));
    const now = new Date();
    const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
      version: "2.0",
      routeKey: compiled.routeKey,
      rawPath,
      rawQueryString,
      ...(cookies.length ? { cookies } : {}),
      headers,
      ...(queryParameters(rawQueryString) ? { queryStringParameters: queryParameters(rawQueryString) } : {}),
      ...(compiled.params.length ? { pathParameters } : {}),
      requestContext: {
        accountId,
        apiId: "local",
        ...(authorizer ? { authorizer } : {}),
        domainName,
        domainPrefix: domainName.split(".")[0] ?? domainName,
        http: {
          method,
          path: rawPath,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
          userAgent: headers["user-agent"] ?? "",
        },
        requestId,
        routeKey: compiled.routeKey,
        stage: "$default",
        time: apiGatewayTime(now),
        timeEpoch: now.getTime(),
      },
      ...(body.length ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
      isBase64Encoded: body.length > 0 && !isText,
    } as APIGatewayProxyEventV2WithJWTAuthorizer;

    let timer: NodeJS.Timeout | undefined;
    const timedOut = Symbol("timeout");
    try {
      const outcome = await Promise.race([
        opts.invoker.invoke(compiled.fn, event),
        new Promise<typeof timedOut>((resolve) => {
          timer = setTimeout(() => resolve(timedOut), integrationTimeoutMs);
        }),
      ]);
      if (outcome === timedOut) {
        sendJson(res, 503, { message: "Service Unavailable" }, { "apigw-requestid": requestId });
        return finish(503, { reason: "integration timeout" });
      }
      const status = writeResult(res, outcome.result, requestId);
      return finish(status, { lambdaRequestId: outcome.requestId });
    } catch (error) {
      sendJson(res, 500, { message: "Internal Server Error" }, { "apigw-requestid": requestId });
      return finish(500, { error: error instanceof Error ? error.message : String(error) });
    } finally {
      clearTimeout(timer);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res)
      .then((log) => opts.activity?.record("gateway", "request", log))
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: "Internal Server Error" });
        opts.activity?.record("gateway", "error", { error: String(error) });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  domainName = `${host}:${port}`;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    port,
    routes: table.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}
