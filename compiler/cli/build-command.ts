import { buildTiers, EmbeddedNodeError, sourceDigests } from "../build";
import { crossTierLinks } from "../ir";
import { compileSource } from "../pipeline";
import { CliError, ExitCode } from "./exit-codes";
import { readFlowFile } from "./read-input";
import { reportDiagnostics } from "./report-diagnostics";

export interface BuildCommandOptions {
  readonly out: string;
  readonly tier?: string;
  readonly node?: string;
  readonly denyWarnings?: boolean;
  /** Keep each tier's generated TypeScript next to its binary. */
  readonly emitTs?: boolean;
  /** V8's code cache in the binaries: faster start, not reproducible. */
  readonly codeCache?: boolean;
  /** Print only errors: no progress lines, and no warnings unless --deny-warnings makes them fatal. */
  readonly quiet?: boolean;
}

/**
 * `flowc build FILE`: checks the file, then builds one single-executable agent per tier, with its systemd
 * unit and manifest (and its generated TypeScript with --emit-ts).
 */
export async function buildCommand(path: string, options: BuildCommandOptions): Promise<number> {
  const started = performance.now();
  const quiet = options.quiet === true;
  const result = compileSource(path, await readFlowFile(path));
  const warningsStop = options.denyWarnings === true && result.warningCount > 0;
  // --quiet keeps the errors only; warnings still show when --deny-warnings makes them stop the build.
  const shown = quiet && !warningsStop ? { ...result, diagnostics: result.diagnostics.filter((d) => d.severity === "error"), warningCount: 0 } : result;
  if (shown.diagnostics.length > 0) reportDiagnostics(shown, "pretty");
  if (result.plans === undefined) return ExitCode.inputErrors;
  if (warningsStop) {
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
    if (!quiet) process.stderr.write(`flowc: ${line}\n`);
  };
  try {
    await buildTiers(plans, {
      outDir: options.out,
      nodePath: options.node ?? process.env["FLOWC_NODE"],
      onProgress: progress,
      sources: sourceDigests(result.files.map((file) => file.source)),
      links: crossTierLinks(result.plans),
      codeCache: options.codeCache === true,
      emitTs: options.emitTs === true,
    });
  } catch (error) {
    if (error instanceof EmbeddedNodeError) throw new CliError(error.message, ExitCode.inputErrors);
    throw error;
  }
  progress(`done in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  return ExitCode.ok;
}
