import { describe, expect, it } from "vitest";
import { chainText, conditionText, flowString } from "../../compiler/graph";
import type { PlanCondition } from "../../compiler/ir";
import { plansOf } from "./helpers/plans";

/** A tier whose only source drops on `condition`, so the condition goes through the real parser, checker and lowering. */
function tierDropping(condition: string): string {
  return `tier t {
  source s = tcp { port = 5140 } | host() | drop(${condition})
  channel c = memory {}
  sink k = files { path = "k.log" }
  s -> c -> k
}
`;
}

function lowered(condition: string): PlanCondition {
  const link = plansOf(tierDropping(condition))[0]?.sources[0]?.interceptors[1];
  if (link?.role !== "drop") throw new Error("expected a drop() interceptor");
  return link.condition;
}

describe("conditionText", () => {
  it.each([
    // Each comparison as it is written in .flow.
    ['header.level == "ERROR"', 'header.level == "ERROR"'],
    ['header.level != "DEBUG"', 'header.level != "DEBUG"'],
    ['header.level in ["ERROR", "FATAL"]', 'header.level in ["ERROR", "FATAL"]'],
    ['header.level not in ["DEBUG"]', 'header.level not in ["DEBUG"]'],
    ["body ~ /timeout/i", "body ~ /timeout/i"],
    ["body !~ /^\\s*$/", "body !~ /^\\s*$/"],
    ["body ~ /a\\/b/", "body ~ /a\\/b/"],
    ["header.trace exists", "header.trace exists"],
    ["not header.trace exists", "not header.trace exists"],
    // `not` around a comparison comes back as the negated operator.
    ['not header.level == "A"', 'header.level != "A"'],
    ['not header.level in ["A"]', 'header.level not in ["A"]'],
    ["not body ~ /x/", "body !~ /x/"],
    // Subjects that are not identifiers, or are keywords, keep the bracket form.
    ['header["x-request-id"] exists', 'header["x-request-id"] exists'],
    ['header["in"] == "x"', 'header["in"] == "x"'],
    ['header["level"] == "x"', 'header.level == "x"'],
    // Parentheses only where precedence needs them.
    ['header.a == "1" and header.b == "2" or body ~ /x/', 'header.a == "1" and header.b == "2" or body ~ /x/'],
    ['(header.a == "1" and header.b == "2") or body ~ /x/', 'header.a == "1" and header.b == "2" or body ~ /x/'],
    ['header.a == "1" and (header.b == "2" or body ~ /x/)', 'header.a == "1" and (header.b == "2" or body ~ /x/)'],
    ['not (header.a exists or header.b == "x")', 'not (header.a exists or header.b == "x")'],
    ["not not header.a exists", "not not header.a exists"],
    ['header.a == "1" or (header.b == "2" or header.c == "3")', 'header.a == "1" or (header.b == "2" or header.c == "3")'],
    // Strings come back with the language's escapes.
    ['header.a == "say \\"hi\\" \\\\ bye"', 'header.a == "say \\"hi\\" \\\\ bye"'],
    ['header.a == "tab\\there\\nnewline"', 'header.a == "tab\\there\\nnewline"'],
    ['header.a == "\\u{1}\\u{1F600}"', 'header.a == "\\u{1}\u{1F600}"'],
  ])("writes %s as %s", (source, expected) => {
    const condition = lowered(source);
    expect(conditionText(condition)).toBe(expected);
    // What it writes is valid .flow that means the same.
    expect(lowered(expected)).toEqual(condition);
  });

  it("writes a raw control character of a regex as an escape", () => {
    expect(conditionText({ subject: { body: true }, test: "matches", pattern: "a\tb\u2028", flags: "" })).toBe("body ~ /a\\x09b\\u2028/");
  });

  it("escapes what a .flow string cannot hold raw", () => {
    expect(flowString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(flowString("line\r\nnext\u007f\u2029")).toBe('"line\\r\\nnext\\u{7F}\\u{2029}"');
    expect(flowString("é😀|<>")).toBe('"é😀|<>"');
  });
});

describe("chainText", () => {
  it("is the source kind, then each interceptor by kind, drops with their condition", () => {
    const source = plansOf(tierDropping("body ~ /healthcheck/"))[0]?.sources[0];
    expect(source && chainText(source)).toBe("tcp | host | drop(body ~ /healthcheck/)");
  });

  it("is the kind alone without a chain", () => {
    const source = plansOf('tier t { source s = tcp { port = 1 } channel c = memory {} sink k = files { path = "k" } s -> c -> k }')[0]?.sources[0];
    expect(source && chainText(source)).toBe("tcp");
  });
});
