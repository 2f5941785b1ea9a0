import { compileSource } from "../pipeline";
import { ExitCode } from "./exit-codes";
import { readFlowFile } from "./read-input";
import { reportDiagnostics, type OutputFormat } from "./report-diagnostics";

export interface CheckOptions {
  readonly format: OutputFormat;
}

/** `flowc check FILE`: parses and checks every tier, prints diagnostics, exits 1 on errors. */
export async function checkCommand(path: string, options: CheckOptions): Promise<number> {
  const result = compileSource(path, await readFlowFile(path));
  reportDiagnostics(result, options.format);
  return result.errorCount > 0 ? ExitCode.inputErrors : ExitCode.ok;
}
