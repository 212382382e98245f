/**
 * Generates docs/openapi.json (OpenAPI 3.1) from the function manifest and the zod schemas.
 *   npm run docs        → write the file
 *   npm run docs:check  → fail when the checked-in file differs (run by npm test)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { buildOpenApi } from "../lib/openapi.js";

const file = new URL("../docs/openapi.json", import.meta.url);
const next = `${JSON.stringify(buildOpenApi(), null, 2)}\n`;

if (process.argv.includes("--write")) {
  writeFileSync(file, next);
  console.log("wrote docs/openapi.json");
} else {
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch {}
  if (current !== next) {
    console.error(
      "docs/openapi.json is out of date with the manifest and schemas: run `npm run docs` and commit it.",
    );
    process.exit(1);
  }
  console.log("docs/openapi.json is up to date");
}
