/** BreakerPort over the shared BreakerStore: one breaker for the provider app, one per target. */
import type { BreakerPort } from "../use-cases/ports.js";
import { type BreakerStore, targetScope } from "./breaker-store.js";

export function breakerPort(store: BreakerStore): BreakerPort {
  return {
    async admit(provider, externalId) {
      const app = await store.admit(provider, "app");
      if (app.admission.kind === "wait") return app;
      const target = await store.admit(provider, targetScope(externalId));
      // Either may grant a half-open probe; the combined admission is "go" only when both are.
      return {
        admission:
          target.admission.kind === "wait"
            ? target.admission
            : { kind: "go", probe: app.admission.probe || target.admission.probe },
        transitions: [...app.transitions, ...target.transitions],
      };
    },
    async record(provider, scope, externalId, outcome) {
      const r = await store.record(provider, scope === "app" ? "app" : targetScope(externalId), outcome);
      return r.transitions;
    },
  };
}
