/**
 * Builds the OpenAPI 3.1 document from the manifest's HTTP routes, the operation registry
 * and the problem types. JSON Schemas come from the zod schemas (`z.toJSONSchema`), never
 * written by hand.
 */
import { FUNCTIONS, httpRoutes } from "../functions/manifest.js";
import { ProblemSchema } from "../schemas/api/common.js";
import { OPERATIONS } from "../schemas/api/operations.js";
import { PROBLEM_BASE, PROBLEMS } from "../schemas/api/problems.js";
import { API_SCOPE } from "../schemas/resources.js";
import * as z from "../schemas/zod.js";

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodMiniType, io: "input" | "output"): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Json;
  return rest;
};

/** What each problem status means on a route, for the response descriptions. */
const STATUS_TEXT: Record<number, string> = {
  400: "The request is not valid (validation issues listed)",
  401: "Missing, invalid or expired token, or no tenant claim",
  403: "Your role may not do this",
  404: "Not found (a foreign id answers exactly like a missing one)",
  409: "Conflicts with the current state",
  412: "Stale If-Match",
  413: "Body too large",
  415: "Body is not JSON",
  422: "Cannot be processed",
  428: "If-Match missing (send the ETag you read)",
  429: "Too many requests",
  500: "Internal error (quote the correlation id)",
};

const problemRef = { $ref: "#/components/schemas/Problem" };

export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const { route } of httpRoutes(FUNCTIONS)) {
    const op = OPERATIONS[route.operationId];
    if (!op)
      throw new Error(
        `Operation ${route.operationId} (${route.method} ${route.path}) has no entry in OPERATIONS`,
      );
    const isPublic = "public" in route.auth;
    const parameters: Json[] = [];
    for (const [where, schema] of [
      ["path", op.path],
      ["query", op.query],
    ] as const) {
      if (!schema) continue;
      const js = schemaOf(schema, "input") as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === "path" || (js.required ?? []).includes(name),
          schema: prop,
        });
      }
    }
    for (const h of op.headers ?? []) {
      parameters.push({
        name: h.name,
        in: "header",
        required: h.required,
        description: h.description,
        schema: { type: "string" },
      });
    }
    parameters.push({
      name: "x-correlation-id",
      in: "header",
      required: false,
      description: "Correlation id for logs; generated when absent and echoed in every answer",
      schema: { type: "string", maxLength: 128 },
    });
    const statuses = new Set<number>([500, ...(op.problems ?? [])]);
    if (op.body || op.query || op.path) statuses.add(400);
    if (op.body) {
      statuses.add(413);
      statuses.add(415);
    }
    if (!isPublic) {
      statuses.add(401);
      statuses.add(403);
    }
    const responses: Record<string, Json> = {
      [String(op.success.status)]: {
        description: op.success.description,
        ...(op.success.schema
          ? { content: { "application/json": { schema: schemaOf(op.success.schema, "output") } } }
          : {}),
      },
    };
    for (const status of [...statuses].sort()) {
      responses[String(status)] = {
        description: STATUS_TEXT[status] ?? "Problem",
        content: { "application/problem+json": { schema: problemRef } },
      };
    }
    const entry: Json = {
      operationId: route.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: op.tags,
      ...(isPublic
        ? { security: [] }
        : { security: [{ cognito: [] }], "x-herald-roles": "roles" in route.auth ? route.auth.roles : [] }),
      parameters,
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemaOf(op.body, "input") } },
            },
          }
        : {}),
      responses,
    };
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = entry;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Herald API",
      version: "1",
      description:
        "Publish to Facebook Pages, Instagram and LinkedIn: connect accounts, prepare and approve posts, schedule and publish them exactly once. Errors are RFC 9457 problem details.",
    },
    servers: [
      {
        url: "https://{apiId}.execute-api.{region}.amazonaws.com",
        variables: { apiId: { default: "api" }, region: { default: "eu-west-1" } },
      },
    ],
    security: [{ cognito: [] }],
    paths,
    components: {
      securitySchemes: {
        cognito: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            `Cognito access token carrying \`tenant_id\`, \`cognito:groups\` (admin, editor) and the scope \`${API_SCOPE}\`. ` +
            'ID tokens carry no scope: the gateway refuses them with 403 `{"message":"Forbidden"}`.',
        },
      },
      schemas: { Problem: schemaOf(ProblemSchema, "output") },
      "x-problem-types": Object.entries(PROBLEMS).map(([slug, p]) => ({ type: PROBLEM_BASE + slug, ...p })),
    },
  };
}
