/** Builders for Lambda events and contexts used by unit tests. */
import type { Context } from "aws-lambda";
import type { HttpEvent } from "../../functions/platform/http.js";

export const lambdaContext = (): Context =>
  ({
    functionName: "test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:test",
    memoryLimitInMB: "256",
    awsRequestId: crypto.randomUUID(),
    logGroupName: "/aws/lambda/test",
    logStreamName: "stream",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 5000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export interface HttpEventInput {
  method: string;
  path: string;
  /** Route template; defaults to `path`. */
  route?: string;
  claims?: Record<string, unknown>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

export function httpEvent(input: HttpEventInput): HttpEvent {
  const body = input.rawBody ?? (input.body === undefined ? undefined : JSON.stringify(input.body));
  const headers = { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...input.headers };
  return {
    version: "2.0",
    routeKey: `${input.method} ${input.route ?? input.path}`,
    rawPath: input.path,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers,
    queryStringParameters: input.query,
    pathParameters: input.pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "localhost",
      domainPrefix: "localhost",
      http: {
        method: input.method,
        path: input.path,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "test",
      },
      requestId: crypto.randomUUID(),
      routeKey: `${input.method} ${input.route ?? input.path}`,
      stage: "$default",
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: input.claims
        ? {
            principalId: "",
            integrationLatency: 0,
            jwt: { claims: input.claims as Record<string, string>, scopes: [] },
          }
        : undefined,
    },
  } as unknown as HttpEvent;
}

export const claimsFor = (tenant: string | undefined, groups: unknown, sub = "user-1") => ({
  sub,
  ...(tenant === undefined ? {} : { tenant_id: tenant }),
  "cognito:groups": groups,
});
