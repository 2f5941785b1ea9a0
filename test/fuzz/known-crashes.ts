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
    // regressions.test.ts, "runs of `not` between parentheses": thousands of `not`s under the nesting limit.
    id: "not-runs-stack-overflow",
    matches: (problem) => problem.startsWith("compileSource threw: RangeError: Maximum call stack size exceeded"),
  },
];
