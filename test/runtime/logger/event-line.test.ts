import { describe, expect, it } from "vitest";
import { escapeBytes, eventLine } from "../../../runtime/sinks/logger/event-line";
import { event } from "../../helpers/events";

const bytes = (...values: number[]): Buffer => Buffer.from(values);

describe("eventLine", () => {
  it("writes headers in braces, then the body", () => {
    expect(eventLine(event("GET /index.html 500", { host: "web-1", level: "ERROR" }), 1024)).toBe("{host=web-1 level=ERROR} GET /index.html 500");
  });

  it("writes `{}` for no headers and nothing after it for an empty body", () => {
    expect(eventLine(event("hello"), 1024)).toBe("{} hello");
    expect(eventLine(event(""), 1024)).toBe("{}");
  });

  it("quotes header names and values that are not plain, escaping inside the quotes", () => {
    const line = eventLine(event("b", { "X-Team": "ops", "my key": 'say "hi"', empty: "", nl: "a\nb" }), 1024);
    expect(line).toBe('{X-Team=ops "my key"="say \\"hi\\"" empty="" nl="a\\nb"} b');
  });
});

describe("escapeBytes", () => {
  it("keeps printable ASCII and valid UTF-8 as they are", () => {
    expect(escapeBytes(Buffer.from("naïve café ü 日本 😀", "utf8"), 1024)).toBe("naïve café ü 日本 😀");
  });

  it("escapes backslash, tab, newline and carriage return, so a body cannot break its line", () => {
    expect(escapeBytes(Buffer.from("a\\b\tc\nd\re"), 1024)).toBe("a\\\\b\\tc\\nd\\re");
  });

  it("escapes terminal control sequences and other control bytes as \\xNN", () => {
    expect(escapeBytes(Buffer.from("\u001b[2J\u001b]0;pwned\u0007\u0000\u007f"), 1024)).toBe("\\x1b[2J\\x1b]0;pwned\\x07\\x00\\x7f");
  });

  it("escapes bytes that are not valid UTF-8: stray continuations, overlongs, surrogates, truncated sequences", () => {
    expect(escapeBytes(bytes(0x80, 0x41), 1024)).toBe("\\x80A");
    expect(escapeBytes(bytes(0xc0, 0xaf), 1024)).toBe("\\xc0\\xaf"); // overlong "/"
    expect(escapeBytes(bytes(0xed, 0xa0, 0x80), 1024)).toBe("\\xed\\xa0\\x80"); // a UTF-16 surrogate
    expect(escapeBytes(bytes(0xf4, 0x90, 0x80, 0x80), 1024)).toBe("\\xf4\\x90\\x80\\x80"); // above U+10FFFF
    expect(escapeBytes(bytes(0x41, 0xe2, 0x82), 1024)).toBe("A\\xe2\\x82"); // cut off by the end of the body
    expect(escapeBytes(bytes(0xff, 0xfe), 1024)).toBe("\\xff\\xfe");
  });

  it("shows invisible and direction-changing characters as \\u{NNNN}", () => {
    expect(escapeBytes(Buffer.from("admin\u202Etxt.exe", "utf8"), 1024)).toBe("admin\\u{202e}txt.exe");
    expect(escapeBytes(Buffer.from("a\u200Bb\uFEFFc\u0085d\u2028e", "utf8"), 1024)).toBe("a\\u{200b}b\\u{feff}c\\u{0085}d\\u{2028}e");
  });

  it("shows at most `max` bytes, never half a character, and says how many it left out", () => {
    expect(escapeBytes(Buffer.from("abcdefghij"), 4)).toBe("abcd... (+6 bytes)");
    // "é" is two bytes: a limit of 2 after "a" stops before it.
    expect(escapeBytes(Buffer.from("aéb", "utf8"), 2)).toBe("a... (+3 bytes)");
    expect(escapeBytes(Buffer.from("abc"), 0)).toBe("... (+3 bytes)");
    expect(escapeBytes(Buffer.from("abc"), 3)).toBe("abc");
  });
});
