import { parseFlow } from "../grammar";
import { buildAst } from "./ast";
import { checkFile, type CheckedFile } from "./check";
import { DiagnosticBag, sortDiagnostics, SourceFile, type Diagnostic } from "./diagnostics";
import { lowerToPlans, type TierPlan } from "./ir";
import { FLOWC_VERSION } from "./package-root";

export interface CompileResult {
  readonly source: SourceFile;
  /** Every diagnostic of the phases that ran, in source order. */
  readonly diagnostics: readonly Diagnostic[];
  readonly errorCount: number;
  readonly warningCount: number;
  /** Present when checking ran and found no errors. */
  readonly checked?: CheckedFile;
  /** One per tier, present when there were no errors. */
  readonly plans?: readonly TierPlan[];
}

/**
 * Runs the front end over one file: parse → AST → check → plans. Syntax errors stop before checking and
 * check errors stop before planning; within a phase every error is reported.
 */
export function compileSource(path: string, text: string): CompileResult {
  const source = new SourceFile(path, text);
  const diagnostics = new DiagnosticBag();
  const parsed = parseFlow(text);
  for (const error of parsed.lexErrors) {
    const character = text.slice(error.offset, error.offset + error.length);
    diagnostics.report("FLOW1002", source, { start: error.offset, end: error.offset + error.length }, `unrecognised character \`${character}\``, {
      label: "not part of the language",
      help: "comments start with `#`; strings are written in double quotes",
    });
  }
  for (const error of parsed.parseErrors) {
    diagnostics.report("FLOW1001", source, syntaxErrorSpan(error.token, error.previousToken, text.length), error.message, {
      label: "unexpected here",
    });
  }
  const ast = buildAst(source, parsed, diagnostics);
  const result = (extra: { checked?: CheckedFile; plans?: TierPlan[] } = {}): CompileResult => ({
    source,
    diagnostics: sortDiagnostics(diagnostics.items),
    errorCount: diagnostics.errorCount,
    warningCount: diagnostics.warningCount,
    ...extra,
  });
  if (diagnostics.errorCount > 0) return result();
  const checked = checkFile(ast, diagnostics);
  if (diagnostics.errorCount > 0) return result({ checked });
  return result({ checked, plans: lowerToPlans(checked, FLOWC_VERSION) });
}

/** Tokens at the end of input (or inserted by recovery) have no offset: point just after the previous token. */
function syntaxErrorSpan(
  token: { startOffset: number; endOffset?: number },
  previous: { endOffset?: number } | undefined,
  length: number,
): { start: number; end: number } {
  if (!Number.isNaN(token.startOffset)) return { start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1 };
  const after = previous?.endOffset === undefined || Number.isNaN(previous.endOffset) ? length : previous.endOffset + 1;
  return { start: Math.min(after, length), end: Math.min(after + 1, length + 1) };
}
