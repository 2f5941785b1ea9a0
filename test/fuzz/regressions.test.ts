import { describe, expect, it } from "vitest";
import { checkCompile } from "./properties";

/**
 * Inputs that broke the front end's contract (`compileSource` never throws on bad input, see
 * `checkCompile`). Each case fails until the compiler is fixed; `known-crashes.ts` lets the fuzz test
 * step over them meanwhile. Keep a case here after its fix, as a regression test.
 */
function expectNoProblems(text: string, files: Readonly<Record<string, string>> = {}): void {
  const { problems } = checkCompile(text, (path) => files[path]);
  expect(problems, problems.join("\n")).toEqual([]);
}

// Deep nesting overflows the stack in chevrotain's recursive descent (grammar/parser.ts, `parseFlow` →
// `flowParser.file()`), or in its error recovery and messages, which walk the grammar recursively
// (`NextAfterTokenWalker`, `possiblePathsFrom`). Where exactly depends on the construct and on how much
// stack is left: between about 200 (`env(` or `[` left open) and 2,500 (`not`) levels. The depths below
// are a few times over, so the cases fail in any runner.
describe("deep nesting (RangeError: Maximum call stack size exceeded)", () => {
  it("lists left open in a property value", { timeout: 30_000 }, () => {
    expectNoProblems(`source s = t { p = ${"[".repeat(1_000)}`);
  });

  it("closed nested lists", { timeout: 30_000 }, () => {
    expectNoProblems(`source s = t { p = ${"[".repeat(1_000)}${"]".repeat(1_000)} }`);
  });

  it("calls left open in a property value", { timeout: 30_000 }, () => {
    expectNoProblems(`source s = t { p = ${"env(".repeat(1_000)}`);
  });

  it("nested blocks", { timeout: 30_000 }, () => {
    expectNoProblems(`source s = t { ${"p = {".repeat(1_500)}${"}".repeat(1_500)} }`);
  });

  it("nested parentheses in a condition", { timeout: 30_000 }, () => {
    expectNoProblems(`tier a { source s = tcp { port = 1 } | drop(${"(".repeat(2_000)}body exists${")".repeat(2_000)}) }`);
  });

  it("a long chain of `not`", { timeout: 30_000 }, () => {
    expectNoProblems(`source s = t | drop(${"not ".repeat(5_000)}body exists)`);
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
