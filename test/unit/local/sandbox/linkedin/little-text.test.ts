import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeLittleText,
  parseCommentary,
  RESERVED_CHARACTERS,
} from "../../../../../local/sandbox/linkedin/little-text.js";

/** LinkedIn's little-text rules as the sandbox applies them to post commentary. */
describe("parseCommentary", () => {
  it("keeps text without reserved characters whole", () => {
    expect(parseCommentary("Plain words, 50% off! Yes.")).toMatchObject({
      commentary: "Plain words, 50% off! Yes.",
      text: "Plain words, 50% off! Yes.",
      truncated: false,
    });
  });

  it("cuts at the first unescaped reserved character and says where", () => {
    const p = parseCommentary("Hello (world) again");
    expect(p).toMatchObject({
      commentary: "Hello ",
      text: "Hello ",
      truncated: true,
      cutAt: { index: 6, char: "(" },
    });
  });

  it("a backslash before a non-reserved character is itself an unescaped reserved character", () => {
    expect(parseCommentary("a\\nb")).toMatchObject({ commentary: "a", truncated: true });
  });

  it("renders mention and hashtag templates and lists them", () => {
    const p = parseCommentary("Hi @[Ada Sandbox](urn:li:person:K1RwyVNukt) {hashtag|\\#|news}");
    expect(p).toMatchObject({
      text: "Hi Ada Sandbox #news",
      truncated: false,
      mentions: ["urn:li:person:K1RwyVNukt"],
      hashtags: ["news"],
    });
  });

  it("a malformed mention is an unescaped @", () => {
    expect(parseCommentary("ping @[Ada](urn:li:group:1)").commentary).toBe("ping ");
  });

  it("property: escaping any text makes LinkedIn keep all of it", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const p = parseCommentary(escapeLittleText(s));
        expect(p.truncated).toBe(false);
        expect(p.text).toBe(s);
      }),
    );
  });

  it("property: the kept commentary is a prefix of the input and never contains an unescaped reserved char", () => {
    const reserved = [...RESERVED_CHARACTERS];
    const chars = fc.constantFrom(...reserved, "a", "b", " ", "\\");
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 40 }), (arr) => {
        const input = arr.join("");
        const p = parseCommentary(input);
        expect(input.startsWith(p.commentary)).toBe(true);
        expect(p.truncated).toBe(p.commentary.length < input.length);
        expect(parseCommentary(p.commentary).truncated).toBe(false);
      }),
    );
  });
});
