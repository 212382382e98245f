/**
 * `npm run token -- --tenant acme --role admin`: print an access token minted by the running
 * local stack's identity provider (read from `.herald/local.json`, or `$HERALD_LOCAL_DIR`).
 *
 *   --tenant <id>      tenant id (default demo)
 *   --role <role>      admin or editor; repeat for several (default admin)
 *   --sub <id>         subject (default <tenant>-<role>)
 *   --expires-in <s>   lifetime in seconds (default 3600)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultLocalDir } from "../local/stack/index.js";
import type { LocalStackInfo } from "../local/stack/info.js";

const { values } = parseArgs({
  options: {
    tenant: { type: "string", default: "demo" },
    role: { type: "string", multiple: true },
    sub: { type: "string" },
    "expires-in": { type: "string" },
  },
});

const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};

const file = join(defaultLocalDir(), "local.json");
let info: LocalStackInfo | undefined;
try {
  const text = readFileSync(file, "utf8");
  info = text.trim() ? (JSON.parse(text) as LocalStackInfo) : undefined;
} catch {
  info = undefined;
}
if (!info?.identity?.tokenUrl) fail(`No local stack is running (no ${file}). Start one with \`npm start\`.`);

const body = {
  tenant: values.tenant,
  roles: values.role?.length ? values.role : ["admin"],
  ...(values.sub ? { sub: values.sub } : {}),
  ...(values["expires-in"] ? { expiresIn: Number(values["expires-in"]) } : {}),
};
let res: Response;
try {
  res = await fetch(info!.identity.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
} catch {
  fail(`The local stack in ${file} does not answer (stopped?). Start one with \`npm start\`.`);
}
const answer = (await res!.json()) as { access_token?: string; error_description?: string };
if (!res!.ok || !answer.access_token)
  fail(`Could not mint a token: ${answer.error_description ?? res!.status}`);
console.log(answer.access_token);
