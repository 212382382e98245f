/**
 * The part every posts list shares: a `from`/`to` range must be ordered, and a cursor the store
 * refuses (InvalidCursor) becomes a 400 the caller can act on.
 */
import { ValidationError } from "../../platform/errors.js";
import { InvalidCursor, type Page } from "./ports.js";

/** Check `range`, then run `read`; a refused cursor → ValidationError on `query.cursor`. */
export async function readPage<T>(
  range: { readonly from?: string; readonly to?: string },
  read: () => Promise<Page<T>>,
): Promise<Page<T>> {
  if (range.from && range.to && Date.parse(range.from) >= Date.parse(range.to)) {
    throw new ValidationError([
      { path: "query.to", code: "invalid_range", message: "`to` must be after `from`." },
    ]);
  }
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursor) {
      throw new ValidationError([
        {
          path: "query.cursor",
          code: "invalid_cursor",
          message: "This cursor is not valid here; start again without it.",
        },
      ]);
    }
    throw error;
  }
}
