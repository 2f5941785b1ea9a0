/**
 * Crashes the fuzz test has found and that have a failing reproducer in `regressions.test.ts`. The fuzz
 * test counts inputs that hit one of these instead of failing on them, so it keeps guarding everything
 * else while the compiler's owner fixes them. Remove an entry once its regression test passes.
 */
export interface KnownCrash {
  readonly id: string;
  /** Recognises the crash from the problem `checkCompile` reported (its message and stack). */
  readonly matches: (problem: string) => boolean;
}

export const KNOWN_CRASHES: readonly KnownCrash[] = [
  {
    // regressions.test.ts, "deep nesting": a few hundred nested `[`, `(`, `{`, `env(` or thousands of `not`.
    id: "deep-nesting-stack-overflow",
    matches: (problem) => problem.startsWith("compileSource threw: RangeError: Maximum call stack size exceeded"),
  },
];
