/** POST /v1/meta/data-deletion (public; Meta's data-deletion callback): erase, answer a status URL and code. */
import { httpHandler } from "../../platform/http.js";
import { metaDataDeletion } from "../use-cases/meta-callbacks.js";
import { clock, eventDeps, metaSecretsDeps, publicApiUrl, tableDeps } from "../wiring.js";

const table = tableDeps();
const deps = { ...table, events: eventDeps(), clock, appSecrets: metaSecretsDeps() };
const apiUrl = publicApiUrl();

export const handler = httpHandler({ public: true }, async ({ rawBody }) => {
  const signed = new URLSearchParams(rawBody ?? "").get("signed_request") ?? undefined;
  return { statusCode: 200, body: await metaDataDeletion(deps, signed, apiUrl) };
});
