import { describe, expect, it } from "vitest";
import { checkCompile } from "./properties";

/**
 * Inputs that broke the front end's contract (`compileSource` never throws on bad input, and the
 * properties of `checkCompile`), found by the fuzz test or while writing it. A case fails until the
 * compiler is fixed (`known-crashes.ts` lets the fuzz test step over it meanwhile) and stays afterwards,
 * as a regression test.
 */
function expectNoProblems(text: string, files: Readonly<Record<string, string>> = {}): string[] {
  const { result, problems } = checkCompile(text, (path) => files[path]);
  expect(problems, problems.join("\n")).toEqual([]);
  return result?.diagnostics.map((d) => d.code) ?? [];
}

// Deep nesting overflowed the stack in chevrotain's recursive descent (grammar/parser.ts, `parseFlow` →
// `flowParser.file()`), or in its error recovery and messages, which walk the grammar recursively
// (`NextAfterTokenWalker`, `possiblePathsFrom`): from about 200 levels (`env(` or `[` left open) to 2,500
// (`not`). Fixed by refusing input nested more than 64 levels deep (FLOW1008).
describe("deep nesting (was RangeError: Maximum call stack size exceeded)", () => {
  it("lists left open in a property value", () => {
    expect(expectNoProblems(`source s = t { p = ${"[".repeat(1_000)}`)).toContain("FLOW1008");
  });

  it("closed nested lists", () => {
    expect(expectNoProblems(`source s = t { p = ${"[".repeat(1_000)}${"]".repeat(1_000)} }`)).toContain("FLOW1008");
  });

  it("calls left open in a property value", () => {
    expect(expectNoProblems(`source s = t { p = ${"env(".repeat(1_000)}`)).toContain("FLOW1008");
  });

  it("nested blocks", () => {
    expect(expectNoProblems(`source s = t { ${"p = {".repeat(1_500)}${"}".repeat(1_500)} }`)).toContain("FLOW1008");
  });

  it("nested parentheses in a condition", () => {
    expect(expectNoProblems(`tier a { source s = tcp { port = 1 } | drop(${"(".repeat(2_000)}body exists${")".repeat(2_000)}) }`)).toContain("FLOW1008");
  });

  it("a long chain of `not`", () => {
    expect(expectNoProblems(`source s = t | drop(${"not ".repeat(5_000)}body exists)`)).toContain("FLOW1008");
  });

  // Still open: the nesting limit counts brackets and the current run of `not`, and any other token ends
  // a run. Runs of up to 64 `not`s, each followed by `(`, stay within both counts, yet the parser recurses
  // once per `not` and per parenthesis: 60 × 64 `not`s overflow the stack as 5,000 in a row did
  // (grammar/parser.ts, `firstTooDeep`; the overflow is in `notCondition`).
  it("runs of `not` between parentheses", () => {
    expectNoProblems(`source s = t | drop(${`${"not ".repeat(64)}(`.repeat(60)}body exists${")".repeat(60)})`);
  });
});

// A component that is not a source, whose kind is a shared definition with an interceptor chain, gets
// FLOW4018 in its own file but with the span of the definition's first interceptor, which is in the
// definition's file (compiler/check/check-components.ts, `checkComponent`: `decl.interceptors[0] ?? chain[0]`).
// When the definition is in an imported file the diagnostic points at unrelated text of the importing file,
// or, as here, past its end.
describe("FLOW4018 in the wrong file", () => {
  const imported = `# ${"a comment that moves the definition further into this file than the importer is long ".repeat(2)}
channel q = memory {} | timestamp()
`;

  it("keeps the span inside the file it is reported in", () => {
    expectNoProblems('import "p.flow"\ntier t { channel c = q {} }\n', { "p.flow": imported });
  });

  it("points at the component, not at text of the importing file", () => {
    const { result } = checkCompile('import "p.flow"\ntier t { channel c = q {} }\n', (path) => (path === "p.flow" ? imported : undefined));
    const flagged = result?.diagnostics.filter((d) => d.code === "FLOW4018" && d.file.path === "fuzz.flow") ?? [];
    for (const d of flagged) expect(d.file.text.slice(d.span.start, d.span.end)).toMatch(/^(c|q)\b/);
  });
});
