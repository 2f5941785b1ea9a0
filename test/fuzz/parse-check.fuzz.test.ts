import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIAGNOSTICS } from "../../compiler/diagnostics";
import { createPrng } from "../helpers/prng";
import { KNOWN_PROBLEMS } from "./known-crashes";
import { mutate, tokenPool } from "./mutate";
import { checkCompile } from "./properties";
import { CLEAN_SEED, RICH_SEED, SEEDS } from "./seeds";

/**
 * Property test of the front end: mutants of valid `.flow` files never make `compileSource` throw, and
 * its diagnostics are well formed (see `checkCompile`). Every case has its own PRNG, derived from the
 * base seed and the case number, so one case replays alone:
 *   FLOWC_FUZZ_SEED=<seed> FLOWC_FUZZ_CASE=<n> npx vitest run test/fuzz/parse-check
 * FLOWC_FUZZ_CASES sets how many cases run (default 10,000: 10–15 s of CPU); another FLOWC_FUZZ_SEED
 * explores other inputs.
 */
const BASE_SEED = Number(process.env["FLOWC_FUZZ_SEED"] ?? 0x5eed_f10c);
const CASES = Number(process.env["FLOWC_FUZZ_CASES"] ?? 10_000);
const ONLY_CASE = process.env["FLOWC_FUZZ_CASE"] === undefined ? undefined : Number(process.env["FLOWC_FUZZ_CASE"]);

const EXAMPLES = join(__dirname, "..", "..", "examples");

function exampleSeeds(): { name: string; text: string }[] {
  return readdirSync(EXAMPLES, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".flow"))
    .sort()
    .map((path) => ({ name: `examples/${path}`, text: readFileSync(join(EXAMPLES, path), "utf8") }));
}

/** One PRNG per case: mixing the case number in keeps neighbouring cases unrelated. */
function casePrng(base: number, index: number) {
  return createPrng((base ^ Math.imul(index + 1, 0x9e37_79b1)) >>> 0);
}

interface Failure {
  readonly index: number;
  readonly seed: string;
  readonly note: string;
  readonly input: string;
  readonly problems: readonly string[];
}

describe("parse/check fuzz", () => {
  const seeds = [...exampleSeeds(), ...SEEDS];
  const pool = tokenPool(seeds.map((seed) => seed.text));

  it("finds the examples to use as seeds", () => {
    expect(seeds.some((seed) => seed.name.startsWith("examples/"))).toBe(true);
  });

  // Mutants of a clean seed reach the checker and lowering; if a seed stops checking clean (a new rule,
  // a renamed property), update it, or the fuzz test quietly stops covering those phases.
  it.each([
    ["clean", CLEAN_SEED],
    ["rich", RICH_SEED],
  ])("the %s seed compiles without errors", (_, text) => {
    const { result, problems } = checkCompile(text);
    expect(problems).toEqual([]);
    expect(result?.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it(`survives ${ONLY_CASE === undefined ? CASES : 1} mutated inputs (base seed ${BASE_SEED})`, { timeout: 120_000 }, () => {
    const failures: Failure[] = [];
    const known = new Map<string, number>();
    const byCode = new Map<string, number>();
    let clean = 0;
    let checked = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const indices = ONLY_CASE === undefined ? Array.from({ length: CASES }, (_, i) => i) : [ONLY_CASE];
    for (const index of indices) {
      const prng = casePrng(BASE_SEED, index);
      const seed = prng.pick(seeds);
      // Half the cases get one mutation and stay close to valid (they reach the checker and lowering).
      const { text, note } = mutate(seed.text, prng.chance(0.5) ? 1 : prng.int(2, 5), prng, pool);
      const { result, problems } = checkCompile(text);
      for (const d of result?.diagnostics ?? []) byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
      if (result !== undefined && result.errorCount === 0) clean++;
      if (result?.checked !== undefined) checked++;
      if (problems.length === 0) continue;
      const knownProblem = problems.length === 1 ? KNOWN_PROBLEMS.find((problem) => problem.matches(problems[0] as string)) : undefined;
      if (knownProblem !== undefined) {
        known.set(knownProblem.id, (known.get(knownProblem.id) ?? 0) + 1);
        continue;
      }
      failures.push({ index, seed: seed.name, note, input: text, problems });
    }
    const seconds = (performance.now() - started) / 1000;
    const usage = process.cpuUsage(cpu);
    const cpuSeconds = (usage.user + usage.system) / 1e6;

    const codes = [...byCode.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `${code}=${n}`);
    const unseen = Object.keys(DIAGNOSTICS).filter((code) => !byCode.has(code));
    console.log(
      [
        `fuzz: ${indices.length} inputs in ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU, ${Math.round(indices.length / seconds)}/s), base seed ${BASE_SEED}`,
        `fuzz: ${clean} compiled without errors, ${checked} reached the checker, ${failures.length} failed`,
        `fuzz: known problems (see regressions.test.ts) ${known.size === 0 ? "none" : [...known.entries()].map(([id, n]) => `${id}=${n}`).join(" ")}`,
        `fuzz: diagnostics by code ${codes.join(" ")}`,
        `fuzz: codes never reported ${unseen.length === 0 ? "none" : unseen.join(" ")}`,
      ].join("\n"),
    );
    const shown = failures.slice(0, 5).map((f) =>
      [
        `case ${f.index} (replay: FLOWC_FUZZ_SEED=${BASE_SEED} FLOWC_FUZZ_CASE=${f.index} npx vitest run test/fuzz/parse-check) from seed ${f.seed}`,
        `  mutations: ${f.note}`,
        `  input: ${JSON.stringify(f.input)}`,
        ...f.problems.map((p) => `  problem: ${p}`),
      ].join("\n"),
    );
    expect(failures.length, `${failures.length} of ${indices.length} inputs broke a property:\n\n${shown.join("\n\n")}`).toBe(0);
  });
});
