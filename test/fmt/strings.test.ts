import { describe, expect, it } from "vitest";
import { canonicalString, decodeString } from "../../compiler/fmt/strings";

describe("canonical strings", () => {
  it.each([
    ['"plain"', '"plain"'],
    ['"\\u{41}\\u{e9}\\u{1F600}"', '"Aé😀"'],
    ['"\\u{9}\\u{A}\\u{d}\\u{22}\\u{5c}"', '"\\t\\n\\r\\"\\\\"'],
    ['"tab\there"', '"tab\\there"'],
    ['"\\u{0}\\u{1b}\\u{7f}"', '"\\u{0}\\u{1B}\\u{7F}"'],
    ['"zero\\u{200b}width, bidi\\u{202e}, nbsp\\u{a0}, bom\\u{feff}"', '"zero\\u{200B}width, bidi\\u{202E}, nbsp\\u{A0}, bom\\u{FEFF}"'],
    ['"\\u{2028}"', '"\\u{2028}"'],
    ['"lone \\u{D800} surrogate"', '"lone \\u{D800} surrogate"'],
    ['"%{host}-%Y.log"', '"%{host}-%Y.log"'],
  ])("%s becomes %s", (written, canonical) => {
    expect(canonicalString(written)).toBe(canonical);
    expect(decodeString(canonical)).toBe(decodeString(written));
    expect(canonicalString(canonical)).toBe(canonical);
  });

  it("leaves a string with an invalid escape as written", () => {
    expect(decodeString('"C:\\logs"')).toBeUndefined();
    expect(canonicalString('"C:\\logs"')).toBe('"C:\\logs"');
  });
});
