/**
 * A manifest fixture that uses every trigger kind and every binding, so the infra tests
 * exercise wiring the real manifest may not contain yet. Entries point at existing handlers
 * (code is a placeholder in infra tests anyway).
 */
import { DeliveryFailedV1 } from "../../events/delivery-failed.v1.js";
import { DeliveryPublishedV1 } from "../../events/delivery-published.v1.js";
import { type FunctionSpec, onEvents } from "../../functions/manifest.js";

export const KITCHEN_SINK: readonly FunctionSpec[] = [
  {
    name: "fixture-api",
    description: "HTTP route using every binding",
    entry: "functions/system/handlers/me.handler.ts",
    triggers: [
      {
        type: "http",
        method: "POST",
        path: "/v1/fixture/{id}",
        auth: { roles: ["admin"] },
        operationId: "fixture",
      },
    ],
    memoryMb: 512,
    timeoutSeconds: 10,
    bindings: {
      table: "readWrite",
      sendTo: ["publish", "webhook"],
      bus: true,
      scheduler: true,
      secrets: ["appCredentials"],
      tokenVault: true,
      providers: true,
    },
  },
  {
    name: "fixture-public",
    description: "Public HTTP route",
    entry: "functions/system/handlers/health.handler.ts",
    triggers: [
      {
        type: "http",
        method: "POST",
        path: "/v1/fixture-hooks",
        auth: { public: true },
        operationId: "hook",
      },
    ],
    memoryMb: 256,
    timeoutSeconds: 5,
    bindings: { sendTo: ["webhook"], secrets: ["appCredentials"] },
  },
  {
    name: "fixture-worker",
    description: "Publish queue consumer",
    entry: "functions/system/handlers/health.handler.ts",
    triggers: [{ type: "queue", queue: "publish", batchSize: 5, maxConcurrency: 4 }],
    memoryMb: 512,
    timeoutSeconds: 60,
    bindings: { table: "readWrite", sendTo: ["publish"], bus: true, scheduler: true, providers: true },
  },
  {
    name: "fixture-webhook-worker",
    description: "Webhook queue consumer",
    entry: "functions/system/handlers/health.handler.ts",
    triggers: [{ type: "queue", queue: "webhook", batchSize: 10, maxConcurrency: 2 }],
    memoryMb: 256,
    timeoutSeconds: 30,
    bindings: { table: "read" },
  },
  {
    name: "fixture-cron",
    description: "Cron",
    entry: "functions/system/handlers/health.handler.ts",
    triggers: [{ type: "schedule", expression: "rate(15 minutes)" }],
    memoryMb: 256,
    timeoutSeconds: 60,
    bindings: { table: "read", tokenVault: true },
  },
  {
    name: "fixture-consumer",
    description: "Domain-event consumer with two rules (two names of one source, then one alone)",
    entry: "functions/system/handlers/health.handler.ts",
    triggers: [onEvents(DeliveryPublishedV1, DeliveryFailedV1), onEvents(DeliveryFailedV1)],
    memoryMb: 256,
    timeoutSeconds: 30,
    bindings: { table: "read" },
  },
];
