import { compileSource } from "../pipeline";
import { loadTier } from "../run/load-bundle";
import { CliError, ExitCode } from "./exit-codes";
import { readFlowFile } from "./read-input";
import { reportDiagnostics } from "./report-diagnostics";

/**
 * `flowc run FILE [--tier T] [-- AGENT OPTIONS]`: runs one tier in this process from the same generated
 * code as its binary, without packing one (on the Node running flowc). It behaves as the agent binary:
 * same options, logs, signals and exit codes.
 */
export async function runCommand(path: string, options: { tier?: string }, agentArgs: readonly string[]): Promise<number | undefined> {
  const result = compileSource(path, await readFlowFile(path));
  if (result.diagnostics.length > 0) reportDiagnostics(result, "pretty");
  if (result.plans === undefined) return ExitCode.inputErrors;
  const tiers = result.plans.map((plan) => `\`${plan.tier}\``).join(", ");
  const plan = options.tier === undefined ? (result.plans.length === 1 ? result.plans[0] : undefined) : result.plans.find((p) => p.tier === options.tier);
  if (plan === undefined) {
    throw new CliError(
      options.tier === undefined ? `\`${path}\` has several tiers (${tiers}); choose one with --tier` : `no tier \`${options.tier}\` in \`${path}\`; its tiers are ${tiers}`,
      ExitCode.usage,
    );
  }
  // The agent reads its options from process.argv, as the binary does; it exits the process itself.
  process.argv = [process.argv[0] ?? "node", plan.tier, ...agentArgs];
  await loadTier(plan, { mode: "agent" });
  return undefined;
}
