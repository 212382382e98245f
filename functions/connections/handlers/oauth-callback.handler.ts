/**
 * GET /v1/oauth/{provider}/callback (public): the provider sends the browser back here.
 * Answers a 302 to the state's return URL, or a plain HTML page when there is none to trust.
 */
import { OAuthCallbackQuerySchema, ProviderPathSchema } from "../../../schemas/api/connections.js";
import { httpHandler } from "../../platform/http.js";
import { logger, MetricUnit, metrics } from "../../platform/observability.js";
import { completeAuthorization } from "../use-cases/callback.js";
import { grantDeps, tableDeps } from "../wiring.js";

const table = tableDeps();
const deps = {
  ...grantDeps(table),
  states: table.states,
  observe: (outcome: string, detail?: Record<string, unknown>) => {
    logger.info("oauth callback", { outcome, ...detail });
    const m = metrics.singleMetric();
    m.addDimension("outcome", outcome);
    m.addMetric("OAuthCallback", MetricUnit.Count, 1);
  },
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

export const handler = httpHandler(
  { public: true, path: ProviderPathSchema, query: OAuthCallbackQuerySchema },
  async ({ path, query, correlationId }) => {
    const result = await completeAuthorization(deps, path.provider, query, { correlationId });
    const noStore = { "cache-control": "no-store", "referrer-policy": "no-referrer" };
    if (result.kind === "redirect") {
      return { statusCode: 302, headers: { ...noStore, location: result.location } };
    }
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(result.title)}</title></head><body><h1>${escapeHtml(result.title)}</h1><p>${escapeHtml(result.message)}</p></body></html>`;
    return {
      statusCode: result.status,
      text: html,
      headers: {
        ...noStore,
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": "default-src 'none'",
      },
    };
  },
);
