/**
 * LinkedIn's "little text" commentary format (providers.md B5). Reserved characters must be
 * backslash-escaped; an unescaped one makes LinkedIn accept the post (201) and silently cut the
 * commentary at that character. Two templates are allowed unescaped: mentions
 * `@[Name](urn:li:person:…|urn:li:organization:…)` and hashtags `{hashtag|\#|tag}`.
 */

/** The reserved characters of little text. */
export const RESERVED_CHARACTERS: ReadonlySet<string> = new Set([
  "\\",
  "|",
  "{",
  "}",
  "@",
  "[",
  "]",
  "(",
  ")",
  "<",
  ">",
  "#",
  "*",
  "_",
  "~",
]);

const MENTION = /^@\[([^[\]\\]+)\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)/;
const HASHTAG = /^\{hashtag\|\\#\|([^{}|\\#\s]+)\}/;

export interface ParsedCommentary {
  /** The commentary LinkedIn keeps: the input up to the first unescaped reserved character. */
  readonly commentary: string;
  /** What readers see: escapes removed, mentions shown as their name, hashtags as `#tag`. */
  readonly text: string;
  /** Whether an unescaped reserved character cut the input. */
  readonly truncated: boolean;
  /** The character that cut it and its index in the input (when truncated). */
  readonly cutAt?: { readonly index: number; readonly char: string };
  readonly mentions: readonly string[];
  readonly hashtags: readonly string[];
}

/** Parse commentary the way LinkedIn stores it. */
export function parseCommentary(input: string): ParsedCommentary {
  let text = "";
  const mentions: string[] = [];
  const hashtags: string[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c === "\\") {
      const next = input[i + 1];
      if (next !== undefined && RESERVED_CHARACTERS.has(next)) {
        text += next;
        i += 2;
        continue;
      }
      return cut(input, i, text, mentions, hashtags);
    }
    if (c === "@") {
      const m = MENTION.exec(input.slice(i));
      if (m) {
        text += m[1];
        mentions.push(m[2] as string);
        i += m[0].length;
        continue;
      }
      return cut(input, i, text, mentions, hashtags);
    }
    if (c === "{") {
      const m = HASHTAG.exec(input.slice(i));
      if (m) {
        text += `#${m[1]}`;
        hashtags.push(m[1] as string);
        i += m[0].length;
        continue;
      }
      return cut(input, i, text, mentions, hashtags);
    }
    if (RESERVED_CHARACTERS.has(c)) return cut(input, i, text, mentions, hashtags);
    text += c;
    i += 1;
  }
  return { commentary: input, text, truncated: false, mentions, hashtags };
}

function cut(
  input: string,
  index: number,
  text: string,
  mentions: string[],
  hashtags: string[],
): ParsedCommentary {
  return {
    commentary: input.slice(0, index),
    text,
    truncated: true,
    cutAt: { index, char: input[index] as string },
    mentions,
    hashtags,
  };
}

/** Escape plain text so LinkedIn keeps all of it (what a correct client does before posting). */
export function escapeLittleText(plain: string): string {
  let out = "";
  for (const c of plain) out += RESERVED_CHARACTERS.has(c) ? `\\${c}` : c;
  return out;
}
