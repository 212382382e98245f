/**
 * Unit tests start from a clean environment. The integration/e2e global setup runs the
 * local stack inside vitest's main process and sets `HERALD_*` and `AWS_ENDPOINT_URL_*`
 * there for the in-process handlers; worker processes forked afterwards inherit them. A
 * unit test must behave the same whether or not that stack is up, so those variables are
 * removed before any test module (and its module-scope config) loads.
 */
for (const name of Object.keys(process.env)) {
  if (name.startsWith("HERALD_") || name.startsWith("AWS_ENDPOINT_URL")) delete process.env[name];
}
