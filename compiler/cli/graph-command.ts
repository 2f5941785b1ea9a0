import { basename } from "node:path";
import { buildGraph, renderGraph, type GraphFormat } from "../graph";
import { compileSource } from "../pipeline";
import { CliError, ExitCode } from "./exit-codes";
import { readFlowFile } from "./read-input";
import { reportDiagnostics } from "./report-diagnostics";

export interface GraphCommandOptions {
  readonly format: GraphFormat;
  readonly tier?: string;
}

/** `flowc graph FILE`: checks the file, then prints its topology as Graphviz dot or mermaid on stdout. */
export async function graphCommand(path: string, options: GraphCommandOptions): Promise<number> {
  const result = compileSource(path, await readFlowFile(path));
  if (result.diagnostics.length > 0) reportDiagnostics(result, "pretty");
  if (result.plans === undefined) return ExitCode.inputErrors;

  if (options.tier !== undefined && !result.plans.some((plan) => plan.tier === options.tier)) {
    const known = result.plans.map((plan) => `\`${plan.tier}\``).join(", ");
    throw new CliError(`no tier \`${options.tier}\` in \`${path}\`; its tiers are ${known}`, ExitCode.usage);
  }
  const graph = buildGraph(result.plans, { sourceFile: basename(path), ...(options.tier === undefined ? {} : { tier: options.tier }) });
  process.stdout.write(renderGraph(graph, options.format));
  return ExitCode.ok;
}
