import { DIAGNOSTICS, type DiagnosticCode } from "../diagnostics";
import { CliError, ExitCode } from "./exit-codes";

/** `flowc explain CODE`: the long explanation of a diagnostic, with an example that triggers it. */
export function explainCommand(code: string): number {
  const normalised = /^\d+$/.test(code) ? `FLOW${code}` : code.toUpperCase();
  if (!(normalised in DIAGNOSTICS)) {
    throw new CliError(`no diagnostic \`${code}\`; codes look like FLOW2001 (see docs/diagnostics.md)`, ExitCode.usage);
  }
  const info = DIAGNOSTICS[normalised as DiagnosticCode];
  const example = info.example.split("\n").map((line) => `    ${line}`).join("\n");
  process.stdout.write(`${normalised}: ${info.title} (${info.severity})\n\n${info.explanation}\n\nFor example:\n\n${example}\n`);
  return ExitCode.ok;
}
