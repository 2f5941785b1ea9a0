import { describe, expect, it } from "vitest";
import { checkCompile } from "./properties";

/**
 * Inputs that broke the front end's contract (`compileSource` never throws on bad input, see
 * `checkCompile`). Each case fails until the compiler is fixed; `known-crashes.ts` lets the fuzz test
 * step over them meanwhile. Keep a case here after its fix, as a regression test.
 */
function expectNoProblems(text: string): void {
  const { problems } = checkCompile(text);
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
