import { defineConfig } from "vitest/config";

/**
 * Four tiers, one runner. `npm test` runs them all; `npm run test:<tier>` runs one.
 * - unit: no network, no emulators (aws-sdk-client-mock for SDK calls)
 * - integration: against the local stack, started once by the global setup
 * - e2e: HTTP against the local stack, as an API client would
 * - infra: CDK assertions on the synthesized templates
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/fuzz/**/*.test.ts"],
          environment: "node",
          env: { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" },
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/stack-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/stack-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "infra",
          include: ["test/infra/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
