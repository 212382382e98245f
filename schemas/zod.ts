/**
 * The one zod entry point for Herald. We use `zod/mini` (tree-shakable: a handler bundle
 * carries only the checks it uses, ~20 KB, versus ~440 KB for classic zod; see
 * `docs/decisions.md` and `npm run bench`) and load the English error messages once, so
 * validation issues stay readable for API clients.
 *
 * Import it as a namespace so esbuild can drop what a bundle does not use:
 * `import * as z from "../schemas/zod.js"` (a named `{ z }` re-export would defeat that).
 */
import { en } from "zod/locales";
import { config } from "zod/mini";

config(en());

export * from "zod/mini";
