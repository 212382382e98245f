import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeCommentary,
  mentionedUrns,
  RESERVED,
  renderCommentary,
  unescapeCommentary,
} from "../../../functions/providers/linkedin/commentary.js";
import { parseCommentary } from "../../../local/sandbox/linkedin/little-text.js";

const MENTION = /@\[[^[\]\\\r\n]{1,200}\]\(urn:li:(?:person|organization):[A-Za-z0-9_-]{1,100}\)/y;
const TEMPLATE = /\{hashtag\|\\#\|[\p{L}\p{M}\p{N}]{1,100}\}/uy;

/** Every reserved character outside a mention or hashtag template is escaped. */
function reservedOutsideTokens(little: string): string[] {
  const bare: string[] = [];
  let i = 0;
  while (i < little.length) {
    if (little[i] === "\\") {
      if (i + 1 >= little.length) bare.push("\\");
      i += 2;
      continue;
    }
    MENTION.lastIndex = i;
    TEMPLATE.lastIndex = i;
    const token = MENTION.exec(little) ?? TEMPLATE.exec(little);
    if (token) {
      i += token[0].length;
      continue;
    }
    if (RESERVED.has(little[i]!)) bare.push(little[i]!);
    i += 1;
  }
  return bare;
}

describe("escapeCommentary", () => {
  it.each([
    ["plain text", "Hello world", "Hello world"],
    ["every reserved character", "\\|{}@[]()<>#*_~", "\\\\\\|\\{\\}\\@\\[\\]\\(\\)\\<\\>\\#\\*\\_\\~"],
    ["a smiley and an email", "Mail me :) at a_b@example.com", "Mail me :\\) at a\\_b\\@example.com"],
    [
      "a mention kept whole",
      "Thanks @[Acme Corp](urn:li:organization:2414183)!",
      "Thanks @[Acme Corp](urn:li:organization:2414183)!",
    ],
    [
      "a person mention next to escaped text",
      "(cc @[Eddy](urn:li:person:1234))",
      "\\(cc @[Eddy](urn:li:person:1234)\\)",
    ],
    ["a hashtag template kept whole", "Go {hashtag|\\#|launch}", "Go {hashtag|\\#|launch}"],
    ["a plain hashtag converted", "New release #launch today", "New release {hashtag|\\#|launch} today"],
    ["a hashtag at the start, with unicode", "#café ok", "{hashtag|\\#|café} ok"],
    ["a # inside a word stays literal", "C# and a#b", "C\\# and a\\#b"],
    ["a lone #", "# 1", "\\# 1"],
    ["a tag followed by _ stays literal", "#my_tag", "\\#my\\_tag"],
    [
      "a broken mention is escaped",
      "@[Acme](https://acme.example)",
      "\\@\\[Acme\\]\\(https://acme.example\\)",
    ],
  ])("%s", (_name, input, expected) => {
    expect(escapeCommentary(input)).toBe(expected);
  });

  it("escapes every # when hashtags are literal", () => {
    expect(escapeCommentary("#launch", { hashtags: "literal" })).toBe("\\#launch");
  });

  it("lists mention URNs", () => {
    expect(mentionedUrns("Hi @[A](urn:li:person:x1) and @[B](urn:li:organization:42)")).toEqual([
      "urn:li:person:x1",
      "urn:li:organization:42",
    ]);
  });

  it("renders what a reader sees", () => {
    expect(renderCommentary(escapeCommentary("Hi @[Acme](urn:li:organization:1) #go (now)"))).toBe(
      "Hi Acme #go (now)",
    );
  });
});

// Text biased towards reserved characters, mentions and hashtags.
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RESERVED, " ", "a", "Z", "9", "é", "\n", "😀", "-", ".") },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.stringMatching(/^[A-Za-z ()]{1,8}$/),
        fc.constantFrom("person", "organization"),
        fc.stringMatching(/^[A-Za-z0-9]{1,6}$/),
      )
      .map(([n, k, id]) => `@[${n}](urn:li:${k}:${id})`),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^#[a-z]{1,6}$/) },
);
const text = fc
  .array(piece, { maxLength: 30 })
  .map((parts) => parts.join(""))
  // Text that already holds a hashtag template comes back as `#tag`, by design.
  .filter((t) => !/\{hashtag\|\\#\|/.test(t));

describe("escapeCommentary properties", () => {
  it("unescaping gives back the text", () => {
    fc.assert(
      fc.property(text, (t) => unescapeCommentary(escapeCommentary(t)) === t),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(text, (t) => unescapeCommentary(escapeCommentary(t, { hashtags: "literal" })) === t),
      { numRuns: 500 },
    );
  });

  it("leaves no reserved character unescaped outside mentions and hashtag templates", () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(reservedOutsideTokens(escapeCommentary(t))).toEqual([]);
        expect(reservedOutsideTokens(escapeCommentary(t, { hashtags: "literal" }))).toEqual([]);
      }),
      { numRuns: 2_000 },
    );
  });

  it("is never cut by the sandbox's LinkedIn, which shows what a reader would see", () => {
    fc.assert(
      fc.property(text, (t) => {
        const little = escapeCommentary(t);
        const parsed = parseCommentary(little);
        expect(parsed.truncated).toBe(false);
        expect(parsed.text).toBe(renderCommentary(little));
        expect(parsed.mentions).toEqual(mentionedUrns(t));
      }),
      { numRuns: 2_000 },
    );
  });
});
