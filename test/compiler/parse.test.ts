import { describe, expect, it } from "vitest";
import { parseFlow } from "../../grammar";
import { codes, compile } from "../helpers/compile";

describe("parser", () => {
  it("parses every construct of the skeleton language without errors", () => {
    const parsed = parseFlow(`
      # a comment
      tier edge {
        source s = tcp { bind = "127.0.0.1", port = env("PORT", 5140) }
        channel c = memory { capacity = 10_000 transaction_capacity = 100 }  # commas are optional
        sink k = files { path = "out.log", sync = true }
        s -> c -> k
      }
      tier other {
        source s2 = tcp { port = 1, list = [1, 2,], block = { a = 5s, b = 64MiB }, ref = a.b }
      }`);
    expect(parsed.lexErrors).toEqual([]);
    expect(parsed.parseErrors).toEqual([]);
    expect(parsed.comments.map((c) => c.image)).toEqual(["# a comment", "# commas are optional"]);
  });

  it("reports several independent syntax errors in one run, each at its own line", () => {
    const result = compile(
      [
        "tier a {",
        "  source s = tcp { port = }",
        "  channel c memory {}",
        "  sink k = files { path = \"x\" }",
        "  s -> c -> ",
        "}",
        "tier b { source t = tcp { port = 1 } t -> }",
      ].join("\n"),
    );
    const syntax = result.diagnostics.filter((d) => d.code === "FLOW1001");
    const lines = syntax.map((d) => d.file.position(d.span.start).line);
    expect(syntax.length).toBeGreaterThanOrEqual(3);
    expect(lines).toContain(2);
    expect(lines).toContain(3);
    expect(lines).toContain(7);
    expect(syntax.find((d) => d.file.position(d.span.start).line === 2)?.message).toBe("expected a value, found `}`");
    expect(syntax.find((d) => d.file.position(d.span.start).line === 3)?.message).toBe("expected `=`, found `memory`");
  });

  it("points an error at the end of the file just after the last token", () => {
    const result = compile("tier a {\n  source s = tcp { port = 1 }");
    const [error] = result.diagnostics;
    expect(error?.code).toBe("FLOW1001");
    expect(error?.message).toBe("expected `}`, found the end of the file");
    expect(error?.file.position(error.span.start)).toEqual({ line: 2, column: 30 });
  });

  it("reports an unrecognised character and keeps going", () => {
    expect(codes(compile("tier a { @ }"))).toEqual(["FLOW1002"]);
  });

  it("treats keywords inside longer names as names", () => {
    const parsed = parseFlow("tier tiers { source sources = tcp { port = 1 } channel sinky = memory {} sources -> sinky }");
    expect(parsed.parseErrors).toEqual([]);
  });
});
