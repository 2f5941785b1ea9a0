import { parseFlow } from "../../grammar";
import { buildAst } from "../ast";
import { DiagnosticBag, SourceFile } from "../diagnostics";
import { compileSource, type CompileResult } from "../pipeline";
import { formatFlow } from "./format-flow";

export type FormatResult =
  | { readonly kind: "formatted"; readonly text: string; readonly changed: boolean }
  /** The file was not formatted; `result` holds its syntax errors, as `flowc check` reports them. */
  | { readonly kind: "syntax-errors"; readonly result: CompileResult };

/** Syntax errors are the `FLOW1xxx` band: what the lexer, the parser and literal decoding report. */
function isSyntaxCode(code: string): boolean {
  return code.startsWith("FLOW1");
}

/**
 * Formats a file, or explains why not: a file with syntax errors (including a bad escape, unit, number or
 * regex) is left alone, because its layout cannot be trusted to mean what the user meant.
 */
export function formatSource(path: string, text: string): FormatResult {
  if (hasSyntaxErrors(path, text)) {
    const compiled = compileSource(path, text);
    const own = compiled.diagnostics.filter((diagnostic) => diagnostic.file === compiled.source && isSyntaxCode(diagnostic.code));
    const diagnostics = own.length > 0 ? own : compiled.diagnostics;
    const errorCount = diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
    return { kind: "syntax-errors", result: { ...compiled, diagnostics, errorCount, warningCount: diagnostics.length - errorCount } };
  }
  const formatted = formatFlow(text);
  return { kind: "formatted", text: formatted, changed: formatted !== text };
}

/** Parses and decodes the file alone (no imports, no checking), as the first phase of `compileSource` does. */
function hasSyntaxErrors(path: string, text: string): boolean {
  const parsed = parseFlow(text);
  if (parsed.lexErrors.length > 0 || parsed.parseErrors.length > 0 || parsed.tooDeep !== undefined) return true;
  const diagnostics = new DiagnosticBag();
  buildAst(new SourceFile(path, text), parsed, diagnostics);
  return diagnostics.items.some((diagnostic) => isSyntaxCode(diagnostic.code));
}
