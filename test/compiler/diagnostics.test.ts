import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIAGNOSTICS, renderPretty, toJsonDiagnostic } from "../../compiler/diagnostics";
import { renderDiagnosticsDoc } from "../../scripts/docs/diagnostics-doc";
import { compile } from "../helpers/compile";

const ROOT = join(__dirname, "..", "..");

describe("diagnostic rendering", () => {
  const result = compile(["tier collector {", "  source inbound = tcp { port = 1 }", "  inbound -> archiv", "}"].join("\n"));
  const diagnostic = result.diagnostics[0]!;

  it("renders rustc-style text with the file, line, column, carets and help", () => {
    expect(renderPretty(diagnostic, { color: false })).toBe(
      [
        "error[FLOW2001]: unknown component `archiv`",
        " --> test.flow:3:14",
        "  |",
        "3 |   inbound -> archiv",
        "  |              ^^^^^^ not declared in tier `collector`",
        "  |",
        "  = help: declare it in this tier, e.g. `channel archiv = memory {}`",
        "",
      ].join("\n"),
    );
  });

  it("colours only when asked", () => {
    expect(renderPretty(diagnostic, { color: true })).toContain("\u001b[1;31merror[FLOW2001]");
    expect(renderPretty(diagnostic, { color: false })).not.toContain("\u001b");
  });

  it("renders LSP-shaped JSON with 0-based positions", () => {
    expect(toJsonDiagnostic(diagnostic)).toEqual({
      file: "test.flow",
      range: { start: { line: 2, character: 13 }, end: { line: 2, character: 19 } },
      severity: 1,
      code: "FLOW2001",
      source: "flowc",
      message: "unknown component `archiv`",
      label: "not declared in tier `collector`",
      help: ["declare it in this tier, e.g. `channel archiv = memory {}`"],
    });
  });
});

describe("diagnostic catalogue", () => {
  it("uses codes in their bands", () => {
    for (const code of Object.keys(DIAGNOSTICS)) expect(code).toMatch(/^FLOW[1-59]\d{3}$/);
  });

  it("reports every code from the compiler's sources", () => {
    const sources = readdirSync(join(ROOT, "compiler"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !file.endsWith("codes.ts"))
      .map((file) => readFileSync(join(ROOT, "compiler", file), "utf8"))
      .join("\n");
    for (const code of Object.keys(DIAGNOSTICS)) expect(sources, code).toContain(`"${code}"`);
  });

  it("is documented: docs/diagnostics.md is up to date (run `npm run docs`)", () => {
    expect(readFileSync(join(ROOT, "docs", "diagnostics.md"), "utf8")).toBe(renderDiagnosticsDoc());
  });
});

describe("component reference", () => {
  it("docs/components.md is up to date with the specs (run `npm run docs`)", async () => {
    const { renderComponentsDoc } = await import("../../scripts/docs/components-doc");
    expect(readFileSync(join(ROOT, "docs", "components.md"), "utf8")).toBe(renderComponentsDoc());
  });
});
