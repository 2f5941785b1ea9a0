/**
 * Problems the fuzz test has found (crashes, and diagnostics that break a property of `checkCompile`)
 * that have a failing reproducer in `regressions.test.ts`. The fuzz test counts inputs whose only problem
 * is one of these instead of failing on them, so it keeps guarding everything else while the compiler's
 * owner fixes them. Remove an entry once its regression tests pass.
 */
export interface KnownProblem {
  readonly id: string;
  /** Recognises the problem from what `checkCompile` reported (its message, and a throw's stack). */
  readonly matches: (problem: string) => boolean;
}

export const KNOWN_PROBLEMS: readonly KnownProblem[] = [
  {
    // regressions.test.ts, "deep nesting": a few hundred nested `[`, `(`, `{`, `env(` or thousands of `not`.
    id: "deep-nesting-stack-overflow",
    matches: (problem) => problem.startsWith("compileSource threw: RangeError: Maximum call stack size exceeded"),
  },
  {
    // regressions.test.ts, "FLOW4018 in the wrong file": a non-source uses a definition with an interceptor chain.
    id: "flow4018-span-from-definition",
    matches: (problem) => problem.startsWith("span outside") && problem.includes(": FLOW4018 "),
  },
];
