import { describe, expect, it } from "vitest";
import { formatFlow, formatSource, UnformattableError } from "../../compiler/fmt";

describe("formatSource", () => {
  it("formats a file and says whether that changed it", () => {
    expect(formatSource("a.flow", "tier t{}")).toEqual({ kind: "formatted", text: "tier t {}\n", changed: true });
    expect(formatSource("a.flow", "tier t {}\n")).toEqual({ kind: "formatted", text: "tier t {}\n", changed: false });
  });

  it("formats a file whose errors are not syntax errors", () => {
    const result = formatSource("a.flow", "tier t { channel c = memroy {} }");
    expect(result).toEqual({ kind: "formatted", text: "tier t {\n  channel c = memroy {}\n}\n", changed: true });
  });

  it.each([
    ["a syntax error", "tier t { source s = tcp { port = } }", ["FLOW1001"]],
    ["an unrecognised character", "tier t { @ }", ["FLOW1002"]],
    ["an unterminated string", 'tier t {\n  sink k = files { path = "o.log\n  }\n}\n', ["FLOW1003"]],
    ["an unknown unit", "tier t { channel c = memory { capacity = 10k } }", ["FLOW1004"]],
    ["an invalid escape", 'tier t { sink k = files { path = "C:\\logs" } }', ["FLOW1005"]],
    ["an invalid regex", "tier t { source s = tcp {} | drop(body ~ /(/) }", ["FLOW1007"]],
  ])("refuses a file with %s and returns its syntax errors", (_what, text, codes) => {
    const result = formatSource("bad.flow", text);
    expect(result.kind).toBe("syntax-errors");
    if (result.kind !== "syntax-errors") return;
    expect(result.result.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(codes);
    expect(result.result.errorCount).toBe(codes.length);
  });

  it("makes formatFlow throw rather than format text that does not parse", () => {
    expect(() => formatFlow("tier {")).toThrow(UnformattableError);
  });
});
