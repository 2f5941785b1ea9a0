import { renderPretty, renderSummary, toJsonDiagnostic } from "../diagnostics";
import type { CompileResult } from "../pipeline";

export type OutputFormat = "pretty" | "json";

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env["NO_COLOR"]) return false;
  if (process.env["FORCE_COLOR"]) return true;
  return stream.isTTY === true;
}

/** Prints a compile result's diagnostics: pretty text on stderr, or one JSON document on stdout. */
export function reportDiagnostics(result: CompileResult, format: OutputFormat): void {
  if (format === "json") {
    const document = {
      file: result.source.path,
      errors: result.errorCount,
      warnings: result.warningCount,
      diagnostics: result.diagnostics.map(toJsonDiagnostic),
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  const color = useColor(process.stderr);
  for (const diagnostic of result.diagnostics) process.stderr.write(`${renderPretty(diagnostic, { color })}\n`);
  process.stderr.write(renderSummary(result.errorCount, result.warningCount, result.source.path, { color }));
}
