import { defineConfig } from "vitest/config";

/**
 * Four tiers, one runner. `npm test` runs them all; `npm run test:<tier>` runs one.
 * - unit: no network, no emulators (aws-sdk-client-mock for SDK calls)
 * - integration: against the local stack, started once by the global setup
 * - e2e: HTTP against the local stack, as an API client would
 * - infra: CDK assertions on the synthesized templates
 */
/** Node 20 is this project's floor; the SDK's notice about its future Node 22 floor is noise in test output. */
const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          setupFiles: ["test/support/unit-env.ts"],
          include: ["test/unit/**/*.test.ts", "test/fuzz/**/*.test.ts"],
          environment: "node",
          env: { ...quiet, POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" },
        },
      },
      {
        test: {
          name: "integration",
          env: quiet,
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
          env: quiet,
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
          env: quiet,
          include: ["test/infra/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
