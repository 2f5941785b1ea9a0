import { describe, expect, it } from "vitest";
import { DIAGNOSTICS, type DiagnosticCode } from "../../compiler/diagnostics";
import { codes, compile } from "../helpers/compile";

const VALID = `
tier edge {
  source s = tcp { port = 5140 }
  channel c = memory {}
  sink k = files { path = "out.log" }
  s -> c -> k
}`;

describe("checker", () => {
  it("accepts a complete tier", () => {
    const result = compile(VALID);
    expect(result.diagnostics).toEqual([]);
    expect(result.plans).toHaveLength(1);
  });

  // Each catalogue entry carries an example; it must trigger exactly that code, so the catalogue, the
  // docs generated from it and the checker cannot drift apart.
  it.each(Object.keys(DIAGNOSTICS) as DiagnosticCode[])("the example of %s reports it", (code) => {
    const result = compile(DIAGNOSTICS[code].example);
    expect(codes(result)).toContain(code);
  });

  it("names the nearest component, property and kind", () => {
    const result = compile(`
      tier t {
        source s = tcp { prot = 1 }
        channel archive = memroy {}
        sink k = files { path = "x" }
        s -> archiv
      }`);
    const help = Object.fromEntries(result.diagnostics.map((d) => [d.code, d.help.join(" | ")]));
    expect(help["FLOW3001"]).toBe("a property with a similar name exists: `port`");
    expect(help["FLOW2003"]).toBe("a channel kind with a similar name exists: `memory`");
    expect(help["FLOW2001"]).toBe("a channel with a similar name exists: `archive`");
  });

  it("says when a kind belongs to another role", () => {
    const result = compile('tier t { sink k = memory {} }');
    expect(result.diagnostics.find((d) => d.code === "FLOW2003")?.help).toEqual(["`memory` is a channel kind, not a sink kind"]);
  });

  it("explains units for a bare number where a size or duration is expected", () => {
    const result = compile('tier t { source s = tcp { port = 1, max_line_length = 100 } }');
    const wrongType = result.diagnostics.find((d) => d.code === "FLOW3003");
    expect(wrongType?.message).toBe("property `max_line_length` of source `s` expects a size (e.g. `512KB`, `64MiB`), found an integer");
    expect(wrongType?.help).toEqual(["sizes need a unit: `100B`, `100KiB`, `100MiB`"]);
  });

  it("does not repeat a broken link as 'not wired' errors", () => {
    const result = compile(`
      tier t {
        source s = tcp { port = 1 }
        channel c = memory {}
        sink k = files { path = "x" }
        s -> cc -> k
        c -> k
      }`);
    expect(codes(result)).toEqual(["FLOW2001"]);
  });

  it("reports a sink fed by two channels at the second link", () => {
    const result = compile(`
      tier t {
        source s = tcp { port = 1 }
        channel a = memory {}
        channel b = memory {}
        sink k = files { path = "x" }
        s -> a -> k
        s -> b -> k
      }`);
    const diagnostic = result.diagnostics.find((d) => d.code === "FLOW4005");
    expect(diagnostic?.label).toBe("already reads channel `a`");
    expect(diagnostic?.file.position(diagnostic.span.start).line).toBe(8);
  });

  it("checks env() arguments and the type of its default", () => {
    expect(codes(compile('tier t { source s = tcp { port = env("P", "x") } }'))).toContain("FLOW3003");
    expect(codes(compile('tier t { source s = tcp { port = env("1P") } }'))).toContain("FLOW3006");
    expect(codes(compile('tier t { source s = tcp { port = env() } }'))).toContain("FLOW3006");
    expect(codes(compile('tier t { source s = tcp { port = env("A", 1, 2) } }'))).toContain("FLOW3006");
    expect(codes(compile('tier t { source s = tcp { port = env("A", 70000) } }'))).toContain("FLOW3004");
  });

  it("stops before checking when there are syntax errors", () => {
    const result = compile("tier t { source s = tcp { port = } }");
    expect(codes(result)).toEqual(["FLOW1001"]);
    expect(result.checked).toBeUndefined();
  });

  it("reports diagnostics in source order", () => {
    const result = compile(`
      tier t {
        sink k = files {}
        source s = tcp {}
      }`);
    const lines = result.diagnostics.map((d) => d.file.position(d.span.start).line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});
