/**
 * LinkedIn "little text" for post commentary and comments.
 *
 * LinkedIn reserves `\ | { } @ [ ] ( ) < > # * _ ~`: each must be backslash-escaped, or the
 * post is accepted (201) and silently cut at the first unescaped one. Two constructs stay as
 * they are:
 * - mentions `@[Name](urn:li:person:…)` / `@[Name](urn:li:organization:…)`;
 * - hashtag templates `{hashtag|\#|tag}`.
 *
 * Decision on plain `#tag`: converted to the hashtag template (`{hashtag|\#|tag}`) by default,
 * because that is what a person typing `#launch` means, and an escaped `\#launch` would show as
 * plain text. A `#` counts as a hashtag when it starts the text or follows a character that is
 * not a letter, digit or `_`, and the tag (letters, marks, digits) is not followed by `_` (which
 * LinkedIn tags cannot contain). Pass `{ hashtags: "literal" }` to escape every `#` instead.
 */

/** The reserved characters. */
export const RESERVED = new Set(["\\", "|", "{", "}", "@", "[", "]", "(", ")", "<", ">", "#", "*", "_", "~"]);

// Sticky so they test at one position. A mention's name may hold anything but brackets,
// backslashes and line breaks; its URN is a person or an organisation.
const MENTION = /@\[([^[\]\\\r\n]{1,200})\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]{1,100})\)/y;
const HASHTAG_TEMPLATE = /\{hashtag\|\\#\|([\p{L}\p{M}\p{N}]{1,100})\}/uy;
const PLAIN_HASHTAG = /#([\p{L}\p{M}\p{N}]{1,100})(?![\p{L}\p{M}\p{N}_])/uy;
const WORDISH = /[\p{L}\p{M}\p{N}_]/u;

export interface EscapeOptions {
  /** `template` (default): `#tag` → `{hashtag|\#|tag}`; `literal`: every `#` escaped. */
  readonly hashtags?: "template" | "literal";
}

function tokenAt(re: RegExp, text: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(text);
}

/** Escape plain text for LinkedIn commentary, keeping mention tokens and hashtag templates. */
export function escapeCommentary(text: string, options: EscapeOptions = {}): string {
  const templates = (options.hashtags ?? "template") === "template";
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "@") {
      const m = tokenAt(MENTION, text, i);
      if (m) {
        out += m[0];
        i += m[0].length;
        continue;
      }
    } else if (ch === "{") {
      const m = tokenAt(HASHTAG_TEMPLATE, text, i);
      if (m) {
        out += m[0];
        i += m[0].length;
        continue;
      }
    } else if (ch === "#" && templates && (i === 0 || !WORDISH.test(previousChar(text, i)))) {
      const m = tokenAt(PLAIN_HASHTAG, text, i);
      if (m) {
        out += `{hashtag|\\#|${m[1]}}`;
        i += m[0].length;
        continue;
      }
    }
    out += RESERVED.has(ch) ? `\\${ch}` : ch;
    i += 1;
  }
  return out;
}

/** The code point before index `i` (surrogate pairs kept whole). */
function previousChar(text: string, i: number): string {
  const low = text.charCodeAt(i - 1);
  if (i >= 2 && low >= 0xdc00 && low <= 0xdfff) return text.slice(i - 2, i);
  return text.slice(i - 1, i);
}

/**
 * The inverse, as the sandbox reads commentary: `\x` → `x`, mention tokens kept, hashtag
 * templates → `#tag`. A lone trailing backslash is kept as it is.
 */
export function unescapeCommentary(little: string): string {
  let out = "";
  let i = 0;
  while (i < little.length) {
    const ch = little[i]!;
    if (ch === "\\" && i + 1 < little.length) {
      out += little[i + 1];
      i += 2;
      continue;
    }
    if (ch === "@") {
      const m = tokenAt(MENTION, little, i);
      if (m) {
        out += m[0];
        i += m[0].length;
        continue;
      }
    } else if (ch === "{") {
      const m = tokenAt(HASHTAG_TEMPLATE, little, i);
      if (m) {
        out += `#${m[1]}`;
        i += m[0].length;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  return out;
}

/** What a reader sees: mentions as their names, hashtags as `#tag`, escapes removed. */
export function renderCommentary(little: string): string {
  return unescapeCommentary(little).replace(new RegExp(MENTION.source, "g"), (_all, name: string) => name);
}

/** The mention URNs in commentary (for validation: each must be the author's or resolvable). */
export function mentionedUrns(text: string): string[] {
  return [...text.matchAll(new RegExp(MENTION.source, "g"))].map((m) => m[2]!);
}
