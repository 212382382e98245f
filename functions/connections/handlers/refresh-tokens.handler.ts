/**
 * The token-refresh cron (EventBridge Scheduler, see the manifest). Emits `TokenRefresh`
 * (Count) with dimension `outcome` per connection processed; an `undecryptable` one is also
 * logged as an error.
 */
import { logger, MetricUnit, metrics } from "../../platform/observability.js";
import { scheduledHandler } from "../../platform/scheduled.js";
import { type RefreshOutcome, refreshDueTokens } from "../use-cases/refresh-tokens.js";
import { grantDeps } from "../wiring.js";

const deps = {
  ...grantDeps(),
  recordOutcome: (outcome: RefreshOutcome, c?: { provider: string }) => {
    const m = metrics.singleMetric();
    m.addDimension("outcome", outcome);
    m.addMetric("TokenRefresh", MetricUnit.Count, 1);
    // A token that cannot be decrypted is never normal (tampering, a retired key): say so loudly.
    if (outcome === "undecryptable")
      logger.error("token refresh: stored token cannot be decrypted", { outcome, provider: c?.provider });
    else logger.info("token refresh", { outcome, provider: c?.provider });
  },
};

export const handler = scheduledHandler("refresh-tokens", async () => {
  const result = await refreshDueTokens(deps);
  if (result.errors.length > 0) logger.error("token refresh errors", { errors: result.errors });
  logger.info("token refresh run", { processed: result.processed, counts: result.counts });
  return result;
});
