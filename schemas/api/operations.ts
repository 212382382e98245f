/**
 * The OpenAPI registry: for each operationId named in the function manifest, its summary,
 * request schemas and success response. `npm run docs` joins this with the manifest's
 * routes and auth into docs/openapi.json; `npm test` fails when the checked-in file drifts.
 * Every HTTP route must have an entry here (a test checks).
 */
import type { z } from "../zod.js";
import { HealthResponseSchema, MeResponseSchema } from "./system.js";

export interface OperationDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly body?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  readonly path?: z.ZodMiniType;
  /** Request headers the operation reads (e.g. `Idempotency-Key`, `If-Match`). */
  readonly headers?: readonly { name: string; required: boolean; description: string }[];
  readonly success: {
    readonly status: number;
    readonly description: string;
    readonly schema?: z.ZodMiniType;
  };
  /** Problem statuses besides the ones every route can give (400/401/403/500 as applicable). */
  readonly problems?: readonly number[];
}

export const OPERATIONS: Record<string, OperationDoc> = {
  getHealth: {
    summary: "Liveness probe",
    tags: ["system"],
    success: { status: 200, description: "Herald answers", schema: HealthResponseSchema },
  },
  getMe: {
    summary: "The caller: tenant, user and roles from the verified token",
    tags: ["system"],
    success: { status: 200, description: "The caller", schema: MeResponseSchema },
  },
};
