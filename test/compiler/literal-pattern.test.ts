import { describe, expect, it } from "vitest";
import { asciiLiteralOf } from "../../compiler/codegen/literal-pattern";

describe("asciiLiteralOf", () => {
  it("reads plain ASCII patterns and escaped syntax as the text they match", () => {
    expect(asciiLiteralOf("timeout", "")).toBe("timeout");
    expect(asciiLiteralOf("level=ERROR service", "")).toBe("level=ERROR service");
    expect(asciiLiteralOf("GET \\/api\\/v1\\.2 \\(beta\\)", "")).toBe("GET /api/v1.2 (beta)");
    expect(asciiLiteralOf("a-b, c:d", "")).toBe("a-b, c:d");
    expect(asciiLiteralOf("\\\\x", "")).toBe("\\x");
  });

  it("accepts flags that cannot change what a literal matches, and refuses `i`", () => {
    expect(asciiLiteralOf("timeout", "msu")).toBe("timeout");
    expect(asciiLiteralOf("timeout", "i")).toBeUndefined();
    expect(asciiLiteralOf("timeout", "mi")).toBeUndefined();
  });

  it("refuses anything with regex syntax, class escapes, non-ASCII or control characters", () => {
    for (const pattern of ["time(out)?", "^GET", "end$", "a.b", "a*", "a+", "a|b", "[ab]", "a{2}", "\\d+", "\\bword", "\\n", "caf\u00e9", "tab\there", "\\"]) {
      expect(asciiLiteralOf(pattern, ""), pattern).toBeUndefined();
    }
    expect(asciiLiteralOf("", "")).toBeUndefined();
  });

  it("finds a literal in UTF-8 bytes exactly where the regex finds it in the decoded text", () => {
    const bodies = ["", "timeout", "a timeout here", "time out", "TIMEOUT", "caf\u00e9 timeout \u{1F600}", "\u00e9\u00e9timeou", "timeou\u00e9t", "x".repeat(300) + "timeout"];
    for (const pattern of ["timeout", "out", "\\(x\\)", "e t"]) {
      const literal = asciiLiteralOf(pattern, "") as string;
      const bytes = Buffer.from(literal, "latin1");
      const regex = new RegExp(pattern);
      for (const text of [...bodies, ...bodies.map((b) => `${b} (x) e t`)]) {
        expect(Buffer.from(text).indexOf(bytes) !== -1, `${pattern} in ${JSON.stringify(text)}`).toBe(regex.test(text));
      }
      // Invalid UTF-8: the decoder replaces the broken sequence but keeps every ASCII byte as it is.
      for (const broken of [[0xc3], [0xe2, 0x82], [0xff], [0xf0, 0x9f, 0x98]]) {
        for (const body of [Buffer.concat([Buffer.from(broken), bytes]), Buffer.concat([bytes.subarray(0, 1), Buffer.from(broken), bytes.subarray(1)])]) {
          expect(body.indexOf(bytes) !== -1, `${pattern} in ${body.toString("hex")}`).toBe(regex.test(body.toString()));
        }
      }
    }
  });
});
