/**
 * The one zod entry point for Herald. We use `zod/mini` (tree-shakable, ~15 KB bundled versus
 * ~440 KB for classic zod; see `docs/decisions.md` and `npm run bench`) and load the English
 * error messages once, so validation issues stay readable for API clients.
 */
import { en } from "zod/locales";
import * as z from "zod/mini";

z.config(en());

export { z };
