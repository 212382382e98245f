/**
 * The one HTTP chain every API handler goes through (middy):
 *
 *   correlation id → Powertools logger context → Powertools metrics → route policy (401/403)
 *   → body limits and JSON parsing → zod validation (400) → use case → response
 *   and on any error: error classes → problem+json; anything else → plain 500.
 *
 * Handlers declare their schemas and a function from a typed request to a response; they
 * never parse, authorise or format errors themselves.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { PROBLEMS } from "../../schemas/api/problems.js";
import type * as z from "../../schemas/zod.js";
import { type HttpRoute, ROUTES } from "../manifest.js";
import { type AuthContext, authFromClaims } from "./auth.js";
import { configFields, loadConfig } from "./config.js";
import {
  ForbiddenError,
  HttpError,
  MalformedRequestError,
  PayloadTooLargeError,
  PROBLEM_BASE,
  UnsupportedMediaTypeError,
} from "./errors.js";
import { CORRELATION_HEADER, correlationIdFrom, logger, MetricUnit, metrics } from "./observability.js";
import { parseOrThrow } from "./validation.js";

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
const { MAX_BODY_BYTES: maxBodyBytes } = loadConfig({
  MAX_BODY_BYTES: configFields.int(DEFAULT_MAX_BODY_BYTES),
});

export interface HttpRequest<B, Q, P, A> {
  readonly body: B;
  readonly query: Q;
  readonly path: P;
  /** Lower-cased request headers. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly auth: A;
  readonly correlationId: string;
  readonly route: HttpRoute;
  /** The body as received (base64 decoded, size-checked), for routes that verify signatures or read forms. */
  readonly rawBody?: string;
}

export interface HttpResponse {
  readonly statusCode: number;
  /** Serialised as JSON; omit for 204. */
  readonly body?: unknown;
  /** Sent as is instead of `body` (e.g. an HTML page); set its content-type in `headers`. */
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

type Schema = z.ZodMiniType;
type Out<S> = S extends Schema ? z.infer<S> : undefined;

export interface HttpSpec<BS, QS, PS, Pub extends boolean> {
  /** The route is public in the manifest (no token); defaults to false. */
  readonly public?: Pub;
  readonly body?: BS;
  readonly query?: QS;
  readonly path?: PS;
}

interface ChainState {
  correlationId: string;
  route?: HttpRoute;
  auth?: AuthContext;
}

const states = new WeakMap<object, ChainState>();
const stateOf = (request: { context: Context }): ChainState => {
  let s = states.get(request.context);
  if (!s) {
    s = { correlationId: crypto.randomUUID() };
    states.set(request.context, s);
  }
  return s;
};

const lowerHeaders = (h: Record<string, string | undefined> | undefined) =>
  Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

function problemResult(error: HttpError | undefined, state: ChainState, instance: string): HttpResult {
  const status = error?.statusCode ?? 500;
  const body = error
    ? {
        type: PROBLEM_BASE + error.type,
        title: error.title,
        status,
        detail: error.message,
        instance,
        correlationId: state.correlationId,
        ...error.extensions,
      }
    : {
        type: `${PROBLEM_BASE}internal`,
        title: PROBLEMS.internal.title,
        status: 500,
        detail: "Something went wrong on our side. Quote the correlation id if you report it.",
        instance,
        correlationId: state.correlationId,
      };
  return {
    statusCode: status,
    headers: {
      "content-type": "application/problem+json",
      [CORRELATION_HEADER]: state.correlationId,
      ...(error?.headers ?? {}),
    },
    body: JSON.stringify(body),
  };
}

/** The body as sent (base64 undone), refused over the size limit. */
function rawBodyOf(event: HttpEvent): string | undefined {
  if (event.body === undefined || event.body === null) return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  if (Buffer.byteLength(raw, "utf8") > maxBodyBytes) {
    throw new PayloadTooLargeError(`The body is larger than ${maxBodyBytes} bytes.`, {
      limitBytes: maxBodyBytes,
    });
  }
  return raw;
}

/** The raw body parsed as JSON; undefined when there is none. */
function parseJsonBody(raw: string | undefined, headers: Record<string, string | undefined>): unknown {
  if (raw === undefined || raw === "") return undefined;
  const type = headers["content-type"] ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new UnsupportedMediaTypeError("Send the body as JSON with `content-type: application/json`.");
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new MalformedRequestError("The body is not valid JSON.");
  }
}

/**
 * Build a Lambda handler for an HTTP API route.
 *
 * ```ts
 * export const handler = httpHandler({ body: CreatePostBodySchema }, async (req) => ({ statusCode: 201, body: … }));
 * ```
 */
export function httpHandler<
  BS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  PS extends Schema | undefined = undefined,
  Pub extends boolean = false,
>(
  spec: HttpSpec<BS, QS, PS, Pub>,
  fn: (
    req: HttpRequest<Out<BS>, Out<QS>, Out<PS>, Pub extends true ? undefined : AuthContext>,
  ) => Promise<HttpResponse>,
) {
  const core = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const state = stateOf({ context });
    const headers = lowerHeaders(event.headers);
    const route = state.route!;
    const rawBody = rawBodyOf(event);
    const body = spec.body ? parseOrThrow(spec.body, parseJsonBody(rawBody, headers), "body") : undefined;
    const query = spec.query
      ? parseOrThrow(spec.query, event.queryStringParameters ?? {}, "query")
      : undefined;
    const path = spec.path ? parseOrThrow(spec.path, event.pathParameters ?? {}, "path") : undefined;
    const result = await fn({
      body: body as Out<BS>,
      query: query as Out<QS>,
      path: path as Out<PS>,
      headers,
      auth: state.auth as Pub extends true ? undefined : AuthContext,
      correlationId: state.correlationId,
      route,
      rawBody,
    });
    if (result.text !== undefined) {
      return {
        statusCode: result.statusCode,
        headers: { [CORRELATION_HEADER]: state.correlationId, ...result.headers },
        body: result.text,
      };
    }
    return {
      statusCode: result.statusCode,
      headers: {
        ...(result.body === undefined ? {} : { "content-type": "application/json" }),
        [CORRELATION_HEADER]: state.correlationId,
        ...result.headers,
      },
      ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
    };
  };

  return middy<HttpEvent, HttpResult>(core)
    .use({
      // Correlation id first, so every later log line and every answer carries it.
      before: (request) => {
        const headers = lowerHeaders(request.event.headers);
        const state = stateOf(request);
        state.correlationId = correlationIdFrom(headers[CORRELATION_HEADER]);
        logger.appendKeys({ correlationId: state.correlationId, routeKey: request.event.routeKey });
      },
    })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use({
      // Route policy from the manifest: public, or a verified token with one of the roles.
      before: (request) => {
        const state = stateOf(request);
        const route = ROUTES.get(request.event.routeKey);
        if (!route) throw new Error(`Route ${request.event.routeKey} is not in the function manifest`);
        if ("public" in route.auth !== Boolean(spec.public)) {
          throw new Error(`Route ${request.event.routeKey}: handler and manifest disagree on public access`);
        }
        state.route = route;
        if ("roles" in route.auth) {
          const auth = authFromClaims(request.event.requestContext.authorizer?.jwt?.claims);
          state.auth = auth;
          logger.appendKeys({ tenantId: auth.tenantId, userId: auth.userId });
          const allowed = route.auth.roles;
          if (!auth.roles.some((r) => allowed.includes(r))) {
            throw new ForbiddenError(
              `This action needs the ${allowed.join(" or ")} role; your roles: ${auth.roles.join(", ") || "none"}.`,
              { requiredRoles: allowed },
            );
          }
        }
      },
      after: (request) => {
        const status = request.response?.statusCode ?? 200;
        logger.info("request completed", {
          statusCode: status,
          method: request.event.requestContext.http.method,
        });
      },
      onError: (request) => {
        const state = stateOf(request);
        const error = request.error;
        const instance = request.event.rawPath ?? "";
        if (error instanceof HttpError) {
          logger.info("request refused", {
            statusCode: error.statusCode,
            problem: error.type,
            detail: error.message,
          });
          metrics.addMetric("HttpClientError", MetricUnit.Count, 1);
          request.response = problemResult(error, state, instance);
        } else {
          logger.error("request failed", error as Error);
          metrics.addMetric("HttpServerError", MetricUnit.Count, 1);
          request.response = problemResult(undefined, state, instance);
        }
        // No return value: the logger and metrics middlewares still get their onError turn.
      },
    });
}
