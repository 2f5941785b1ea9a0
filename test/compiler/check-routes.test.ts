import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/pipeline";
import { codes, compile } from "../helpers/compile";

/** A tier with one tcp source `s`, channels `a` and `b` with sinks, and the given route. */
function withRoute(route: string): string {
  return `
tier t {
  source s = tcp { port = 5140 }
  channel a = memory {}
  channel b = memory {}
  sink ka = files { path = "a.log" }
  sink kb = files { path = "b.log" }
  a -> ka
  b -> kb
  route s {
${route}
  }
}`;
}

describe("routes", () => {
  it("accepts a route with an else arm and plans its arms in order", () => {
    const result = compile(withRoute('    when body ~ /ERROR|FATAL/i -> a, optional b\n    else -> b'));
    expect(result.diagnostics).toEqual([]);
    expect(result.plans?.[0]?.sources[0]?.route).toEqual([
      { condition: { subject: { body: true }, test: "matches", pattern: "ERROR|FATAL", flags: "i" }, targets: [{ channel: "a", optional: false }, { channel: "b", optional: true }] },
      { targets: [{ channel: "b", optional: false }] },
    ]);
    expect(result.plans?.[0]?.sources[0]?.targets).toEqual([]);
  });

  it("normalises != , !~ and not in to negations", () => {
    const result = compile(withRoute('    when body !~ /x/ and not (body ~ /y/ or body ~ /z/) -> a\n    else -> b'));
    expect(result.plans?.[0]?.sources[0]?.route?.[0]?.condition).toEqual({
      all: [
        { not: { subject: { body: true }, test: "matches", pattern: "x", flags: "" } },
        { not: { any: [{ subject: { body: true }, test: "matches", pattern: "y", flags: "" }, { subject: { body: true }, test: "matches", pattern: "z", flags: "" }] } },
      ],
    });
  });

  it("requires else unless the arms cover every event", () => {
    // `b` receives nothing from this route, hence FLOW4006 too.
    expect(codes(compile(withRoute("    when body ~ /x/ -> a")))).toEqual(["FLOW4006", "FLOW4014"]);
    expect(codes(compile(withRoute("    when body ~ /x/ -> a\n    when body !~ /x/ -> b")))).toEqual([]);
    expect(codes(compile(withRoute("    when body ~ /x/ and body ~ /y/ -> a\n    when not (body ~ /x/) -> b\n    when body !~ /y/ -> b")))).toEqual([]);
  });

  it("warns about arms after else and arms covered by earlier arms", () => {
    const afterElse = compile(withRoute("    else -> a\n    when body ~ /x/ -> b"));
    expect(codes(afterElse)).toEqual(["FLOW4013"]);
    expect(afterElse.diagnostics[0]?.message).toBe("this arm can never match: it comes after `else`");
    expect(codes(compile(withRoute("    when body ~ /x/ -> a\n    when body ~ /x/ -> b\n    else -> b")))).toEqual(["FLOW4013"]);
    expect(codes(compile(withRoute("    when body ~ /x/ or body ~ /y/ -> a\n    when body ~ /y/ and body ~ /z/ -> b\n    else -> b")))).toEqual(["FLOW4013"]);
    expect(codes(compile(withRoute("    when body ~ /x/ -> a\n    when body ~ /y/ -> b\n    else -> b")))).toEqual([]);
  });

  it("warns once per header that nothing upstream sets, naming the source", () => {
    const result = compile(withRoute('    when header.level == "ERROR" -> a\n    when header.level in ["WARN"] -> b\n    else -> b'));
    expect(codes(result)).toEqual(["FLOW4015"]);
    expect(result.diagnostics[0]?.message).toBe("header `level` is never set on the events of `s`");
  });

  it("checks what routes name", () => {
    expect(codes(compile(withRoute("    when body ~ /x/ -> ka\n    else -> b")))).toEqual(["FLOW4006", "FLOW4004"]);
    expect(codes(compile(withRoute("    when body ~ /x/ -> aa\n    else -> b")))).toEqual(["FLOW2001"]);
    expect(codes(compile(withRoute('    when body == 5 -> a\n    else -> b')))).toEqual(["FLOW3003"]);
    expect(codes(compile(withRoute('    when body == env("X") -> a\n    else -> b')))).toEqual(["FLOW3008"]);
    expect(codes(compile(withRoute('    when heder.x exists -> a\n    else -> b')))).toEqual(["FLOW2005"]);
    expect(codes(compile(withRoute('    when body ~ /(/ -> a\n    else -> b')))).toEqual(["FLOW1007"]);
  });

  it("counts routed channels as fed and the routed source as wired", () => {
    const result = compile(withRoute("    else -> a, b"));
    expect(result.diagnostics).toEqual([]);
  });

  it("reads headers with any characters through header[\"…\"]", () => {
    const result = compile(withRoute('    when header["x-request-id"] exists -> a\n    else -> b'));
    expect(result.diagnostics[0]?.message).toBe("header `x-request-id` is never set on the events of `s`");
  });
});

describe("fan-out", () => {
  it("sends a source to several channels, some optional", () => {
    const result = compile(`
tier t {
  source s = tcp { port = 1 }
  channel a = memory {}
  channel spill = memory {}
  sink ka = files { path = "a.log" }
  sink ks = files { path = "s.log" }
  s -> a, optional spill
  a -> ka
  spill -> ks
}`);
    expect(result.diagnostics).toEqual([]);
    expect(result.plans?.[0]?.sources[0]?.targets).toEqual([
      { channel: "a", optional: false },
      { channel: "spill", optional: true },
    ]);
  });

  it("refuses optional after a channel", () => {
    expect(codes(compile('tier t { source s = tcp { port = 1 } channel c = memory {} sink k = files { path = "x" } s -> c -> optional k }'))).toEqual(["FLOW4010"]);
  });
});

describe("limits", () => {
  it("compares batch sizes with the channel's transaction capacity, defaults included", () => {
    const result = compile('tier t { source s = tcp { port = 1, batch_size = 2000 } channel c = memory {} sink k = files { path = "x" } s -> c -> k }');
    expect(codes(result)).toEqual(["FLOW4016"]);
    expect(result.diagnostics[0]?.message).toBe("source `s` has batch_size 2000, more than the transaction_capacity 1000 of channel `c`");
  });

  it("does not compare values read from the environment", () => {
    expect(codes(compile('tier t { source s = tcp { port = 1, batch_size = env("B", 5000) } channel c = memory {} sink k = files { path = "x" } s -> c -> k }'))).toEqual([]);
  });

  it("allows port 0 twice (each gets a free port)", () => {
    expect(codes(compile('tier t { source a = tcp { port = 0 } source b = tcp { port = 0 } channel c = memory {} sink k = files { path = "x" } a -> c -> k  b -> c }'))).toEqual([]);
  });
});

describe("imports and shared definitions", () => {
  const files: Record<string, string> = {
    "lib/common.flow": 'channel big = memory { capacity = 50_000, transaction_capacity = 5_000 }\nsink archive = files { path = "/data/archive.log" }\n',
    "lib/loop.flow": 'import "../main.flow"\n',
  };
  const readFile = (path: string): string | undefined => files[path];

  it("uses definitions from an imported file as kinds, overriding their properties", () => {
    const result = compileWith('import "lib/common.flow"\ntier t {\n  source s = tcp { port = 1 }\n  channel c = big { capacity = 60_000 }\n  sink k = archive {}\n  s -> c -> k\n}');
    expect(result.diagnostics).toEqual([]);
    expect(result.plans?.[0]?.channels[0]?.config).toMatchObject({ capacity: 60_000, transaction_capacity: 5_000 });
    expect(result.plans?.[0]?.sinks[0]?.config).toMatchObject({ path: "/data/archive.log" });
  });

  it("reports a definition of another role, a missing file and a cycle", () => {
    expect(codes(compileWith('import "lib/common.flow"\ntier t { sink k = big {} }'))).toContain("FLOW2003");
    expect(codes(compileWith('import "lib/nope.flow"\ntier t {}'))).toEqual(["FLOW5003"]);
    expect(codes(compileWith('import "lib/loop.flow"\ntier t {}'))).toEqual(["FLOW5002"]);
  });

  /** Compiles `text` as `main.flow` (which `lib/loop.flow` imports back) with the files above. */
  function compileWith(text: string) {
    files["main.flow"] = text;
    return compileSource("main.flow", text, { readFile });
  }
});
