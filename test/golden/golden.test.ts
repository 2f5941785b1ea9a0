import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { DIAGNOSTICS } from "../../compiler/diagnostics";
import { renderPretty, renderSummary } from "../../compiler/diagnostics";
import { compileSource } from "../../compiler/pipeline";

/**
 * Golden tests: every `test/cases/**\/NAME.flow` is checked and its diagnostics, rendered as `flowc
 * check` prints them (without colour), must equal `NAME.diagnostics` next to it. Files whose name
 * starts with `_` are only imported by cases. Refresh the expectations with `npm run test:bless`
 * (FLOWC_BLESS=1) and review the diff.
 */
const ROOT = join(__dirname, "..", "..");
const CASES = join(ROOT, "test", "cases");
const BLESS = process.env["FLOWC_BLESS"] === "1";

function caseFiles(): string[] {
  return readdirSync(CASES, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".flow") && !file.split("/").pop()?.startsWith("_"))
    .sort()
    .map((file) => relative(ROOT, join(CASES, file)));
}

function render(path: string): string {
  const result = compileSource(path, readFileSync(join(ROOT, path), "utf8"), {
    readFile: (imported) => (existsSync(join(ROOT, imported)) ? readFileSync(join(ROOT, imported), "utf8") : undefined),
  });
  const text = result.diagnostics.map((diagnostic) => renderPretty(diagnostic, { color: false })).join("\n");
  return `${text}${text === "" ? "" : "\n"}${renderSummary(result.errorCount, result.warningCount, path, { color: false })}`;
}

describe("golden diagnostics", () => {
  const cases = caseFiles();

  it.each(cases)("%s", (path) => {
    const expectedPath = join(ROOT, path.replace(/\.flow$/, ".diagnostics"));
    const actual = render(path);
    if (BLESS) writeFileSync(expectedPath, actual);
    expect(existsSync(expectedPath), `${expectedPath} is missing: run \`npm run test:bless\``).toBe(true);
    expect(actual).toBe(readFileSync(expectedPath, "utf8"));
  });

  it("covers every diagnostic code with at least one case", () => {
    const seen = new Set<string>();
    for (const path of cases) {
      const expected = join(ROOT, path.replace(/\.flow$/, ".diagnostics"));
      if (!existsSync(expected)) continue;
      for (const match of readFileSync(expected, "utf8").matchAll(/^(?:error|warning)\[(FLOW\d{4})\]/gm)) seen.add(match[1] as string);
    }
    const missing = Object.keys(DIAGNOSTICS).filter((code) => !seen.has(code));
    expect(missing, "codes without a golden case").toEqual([]);
  });
});
