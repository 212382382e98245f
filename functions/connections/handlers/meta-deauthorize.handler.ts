/** POST /v1/meta/deauthorize (public; Meta's deauthorize callback with a signed_request form field). */
import { httpHandler } from "../../platform/http.js";
import { metaDeauthorize } from "../use-cases/meta-callbacks.js";
import { clock, eventDeps, metaSecretsDeps, tableDeps } from "../wiring.js";

const table = tableDeps();
const deps = { ...table, events: eventDeps(), clock, appSecrets: metaSecretsDeps() };

export const handler = httpHandler({ public: true }, async ({ rawBody }) => {
  const signed = new URLSearchParams(rawBody ?? "").get("signed_request") ?? undefined;
  await metaDeauthorize(deps, signed);
  return { statusCode: 200, body: { received: true } };
});
