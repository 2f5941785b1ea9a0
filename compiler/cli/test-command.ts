import { compileSource } from "../pipeline";
import { runFlowTests, type TestResult } from "../testing/run-flow-tests";
import { ExitCode } from "./exit-codes";
import { readFlowFile } from "./read-input";
import { reportDiagnostics, useColor } from "./report-diagnostics";

/** `flowc test FILE`: runs the `test` blocks of every tier, reports like a test runner, exits 1 on failure. */
export async function testCommand(path: string, options: { tier?: string }): Promise<number> {
  const result = compileSource(path, await readFlowFile(path));
  if (result.diagnostics.length > 0) reportDiagnostics(result, "pretty");
  if (result.plans === undefined) return ExitCode.inputErrors;
  const color = useColor(process.stdout);
  const paint = (code: string, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const results: TestResult[] = [];
  for (const plan of result.plans) {
    if (options.tier !== undefined && plan.tier !== options.tier) continue;
    const tierResults = await runFlowTests(plan);
    if (tierResults.length === 0) continue;
    process.stdout.write(`tier ${plan.tier}\n`);
    for (const test of tierResults) {
      if (test.failure === undefined) process.stdout.write(`  ${paint("32", "✓")} ${test.name}\n`);
      else process.stdout.write(`  ${paint("31", "✗")} ${test.name}\n      ${path}:${test.failure.line}: ${test.failure.message}\n`);
    }
    results.push(...tierResults);
  }
  const failed = results.filter((test) => test.failure !== undefined).length;
  if (results.length === 0) {
    process.stdout.write(`${path}: no tests\n`);
    return ExitCode.ok;
  }
  process.stdout.write(`\n${results.length} tests, ${results.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? ExitCode.inputErrors : ExitCode.ok;
}
