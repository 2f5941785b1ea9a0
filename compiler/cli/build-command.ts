import { buildTiers, EmbeddedNodeError } from "../build";
import { compileSource } from "../pipeline";
import { CliError, ExitCode } from "./exit-codes";
import { readFlowFile } from "./read-input";
import { reportDiagnostics } from "./report-diagnostics";

export interface BuildCommandOptions {
  readonly out: string;
  readonly tier?: string;
  readonly node?: string;
  readonly denyWarnings?: boolean;
}

/** `flowc build FILE`: checks the file, then builds one single-executable agent per tier. */
export async function buildCommand(path: string, options: BuildCommandOptions): Promise<number> {
  const started = performance.now();
  const result = compileSource(path, await readFlowFile(path));
  if (result.diagnostics.length > 0) reportDiagnostics(result, "pretty");
  if (result.plans === undefined) return ExitCode.inputErrors;
  if (options.denyWarnings === true && result.warningCount > 0) {
    process.stderr.write("error: not building: there are warnings and --deny-warnings is set\n");
    return ExitCode.inputErrors;
  }

  let plans = result.plans;
  if (options.tier !== undefined) {
    plans = plans.filter((plan) => plan.tier === options.tier);
    if (plans.length === 0) {
      const known = result.plans.map((plan) => `\`${plan.tier}\``).join(", ");
      throw new CliError(`no tier \`${options.tier}\` in \`${path}\`; its tiers are ${known}`, ExitCode.usage);
    }
  }
  const progress = (line: string): void => {
    process.stderr.write(`flowc: ${line}\n`);
  };
  try {
    await buildTiers(plans, { outDir: options.out, nodePath: options.node ?? process.env["FLOWC_NODE"], onProgress: progress });
  } catch (error) {
    if (error instanceof EmbeddedNodeError) throw new CliError(error.message, ExitCode.inputErrors);
    throw error;
  }
  progress(`done in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  return ExitCode.ok;
}
