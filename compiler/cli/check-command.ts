import { compileSource } from "../pipeline";
import { ExitCode } from "./exit-codes";
import { readFlowFile } from "./read-input";
import { reportDiagnostics, type OutputFormat } from "./report-diagnostics";

export interface CheckOptions {
  readonly format: OutputFormat;
  /** Warnings fail the check too (for CI). */
  readonly denyWarnings: boolean;
}

/** `flowc check FILE`: parses and checks every tier, prints diagnostics, exits 1 on errors. */
export async function checkCommand(path: string, options: CheckOptions): Promise<number> {
  const result = compileSource(path, await readFlowFile(path));
  reportDiagnostics(result, options.format);
  const failed = result.errorCount > 0 || (options.denyWarnings && result.warningCount > 0);
  return failed ? ExitCode.inputErrors : ExitCode.ok;
}
