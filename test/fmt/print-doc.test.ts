import { describe, expect, it } from "vitest";
import { blankLine, group, hardline, ifBreak, indent, join, line, softline, trailingComment, type Doc } from "../../compiler/fmt/doc";
import { printDoc } from "../../compiler/fmt/print-doc";

const list = (items: string[], options: { shouldBreak?: boolean } = {}): Doc =>
  group(["[", indent([softline, join([",", line], items), ifBreak(",")]), softline, "]"], options);

describe("printDoc", () => {
  it("prints a group flat when it fits, broken when it does not", () => {
    expect(printDoc(list(["a", "b"]), 10)).toBe("[a, b]\n");
    expect(printDoc(list(["aaaa", "bbbb"]), 10)).toBe("[\n  aaaa,\n  bbbb,\n]\n");
  });

  it("counts what follows a group on its line", () => {
    expect(printDoc([list(["a", "b"]), " -> x"], 11)).toBe("[a, b] -> x\n");
    expect(printDoc([list(["a", "b"]), " -> x"], 10)).toBe("[\n  a,\n  b,\n] -> x\n");
  });

  it("breaks a group that is asked to, or that holds a hard line", () => {
    expect(printDoc(list(["a"], { shouldBreak: true }), 80)).toBe("[\n  a,\n]\n");
    expect(printDoc(group(["a", line, "b", hardline, "c"]), 80)).toBe("a\nb\nc\n");
  });

  it("writes a comma before a pending comment, and starts a new line for anything else", () => {
    expect(printDoc(group(["[", indent([softline, "a", trailingComment("# c"), ",", line, "b"]), softline, "]"], { shouldBreak: true }), 80)).toBe(
      "[\n  a, # c\n  b\n]\n",
    );
    expect(printDoc(["x =", trailingComment("# c"), " ", "1"], 80)).toBe("x = # c\n  1\n");
  });

  it("writes at most one blank line and never trailing spaces", () => {
    expect(printDoc(["a ", blankLine, blankLine, "b", hardline, hardline, "c"], 80)).toBe("a\n\nb\nc\n");
    expect(printDoc([], 80)).toBe("");
  });
});
