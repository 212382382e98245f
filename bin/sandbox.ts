/**
 * Run the provider sandbox alone: `npm run sandbox` (port 4010 by default; `--port 0` picks a
 * free one, `--host` changes the interface). Prints the base URLs and the seeds.
 */
import { parseArgs } from "node:util";
import { providerBaseUrls, SANDBOX_APPS, startSandbox } from "../local/sandbox/index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
  },
});

const sandbox = await startSandbox({ port: Number(values.port), host: values.host });
const seed = await (await fetch(`${sandbox.url}/_sandbox/seed`)).json();
process.stdout.write(
  `${JSON.stringify({ url: sandbox.url, baseUrls: providerBaseUrls(sandbox.url), apps: SANDBOX_APPS, seed }, null, 2)}\n`,
);
process.stdout.write(`sandbox listening on ${sandbox.url} (control API: ${sandbox.url}/_sandbox/health)\n`);

const stop = () => {
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
