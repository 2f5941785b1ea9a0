import { describe, expect, it } from "vitest";
import type { Value } from "../../compiler/ast";
import { buildAst } from "../../compiler/ast";
import { DiagnosticBag, SourceFile } from "../../compiler/diagnostics";
import { parseFlow } from "../../grammar";

function valueOf(text: string): { value: Value | undefined; codes: string[] } {
  const source = new SourceFile("t.flow", `tier t { sink k = files { v = ${text} } }`);
  const diagnostics = new DiagnosticBag();
  const ast = buildAst(source, parseFlow(source.text), diagnostics);
  return { value: ast.tiers[0]?.components[0]?.properties[0]?.value, codes: diagnostics.items.map((d) => d.code) };
}

describe("AST literals", () => {
  it.each([
    ["10_000", { $type: "IntegerValue", value: 10_000 }],
    ["250ms", { $type: "DurationValue", milliseconds: 250 }],
    ["5s", { $type: "DurationValue", milliseconds: 5_000 }],
    ["10m", { $type: "DurationValue", milliseconds: 600_000 }],
    ["1h", { $type: "DurationValue", milliseconds: 3_600_000 }],
    ["512KB", { $type: "SizeValue", bytes: 512_000 }],
    ["64MiB", { $type: "SizeValue", bytes: 67_108_864 }],
    ["1GiB", { $type: "SizeValue", bytes: 1_073_741_824 }],
    ["true", { $type: "BooleanValue", value: true }],
    ['"a\\tb\\n\\"q\\" \\\\ \\u{1F600}"', { $type: "StringValue", value: 'a\tb\n"q" \\ \u{1F600}' }],
  ])("decodes %s", (text, expected) => {
    const { value, codes } = valueOf(text);
    expect(codes).toEqual([]);
    expect(value).toMatchObject(expected);
  });

  it("keeps the span of a value", () => {
    const { value } = valueOf("64MiB");
    expect(value?.span.end).toBe((value?.span.start ?? 0) + 5);
  });

  it("decodes lists, blocks, calls and references", () => {
    expect(valueOf('[1, "a"]').value).toMatchObject({ $type: "ListValue", items: [{ value: 1 }, { value: "a" }] });
    expect(valueOf("{ a = 1 }").value).toMatchObject({ $type: "BlockValue", properties: [{ name: { text: "a" } }] });
    expect(valueOf('env("X", 3)').value).toMatchObject({ $type: "CallValue", callee: { text: "env" }, args: [{ value: "X" }, { value: 3 }] });
    expect(valueOf("collector.inbound").value).toMatchObject({ $type: "ReferenceValue", path: [{ text: "collector" }, { text: "inbound" }] });
  });

  it.each([
    ["10k", "FLOW1004"],
    ['"C:\\logs"', "FLOW1005"],
    ['"open', "FLOW1003"],
    ["99999999999999999999", "FLOW1006"],
    ["9999999999999d", "FLOW1006"],
  ])("reports %s as %s", (text, code) => {
    const { value, codes } = valueOf(text);
    expect(codes).toEqual([code]);
    expect(value?.$type).toBe("InvalidValue");
  });
});
