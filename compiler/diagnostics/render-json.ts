import type { Diagnostic } from "./diagnostic";

/** LSP-shaped (`Diagnostic` of the Language Server Protocol: 0-based lines and characters). */
export interface JsonDiagnostic {
  readonly file: string;
  readonly range: { readonly start: JsonPosition; readonly end: JsonPosition };
  /** 1 = error, 2 = warning, as in LSP's DiagnosticSeverity. */
  readonly severity: 1 | 2;
  readonly code: string;
  readonly source: "flowc";
  readonly message: string;
  readonly label?: string;
  readonly help: readonly string[];
}

interface JsonPosition {
  readonly line: number;
  readonly character: number;
}

export function toJsonDiagnostic(diagnostic: Diagnostic): JsonDiagnostic {
  const start = diagnostic.file.position(diagnostic.span.start);
  const end = diagnostic.file.position(diagnostic.span.end);
  return {
    file: diagnostic.file.path,
    range: {
      start: { line: start.line - 1, character: start.column - 1 },
      end: { line: end.line - 1, character: end.column - 1 },
    },
    severity: diagnostic.severity === "error" ? 1 : 2,
    code: diagnostic.code,
    source: "flowc",
    message: diagnostic.message,
    ...(diagnostic.label === undefined ? {} : { label: diagnostic.label }),
    help: diagnostic.help,
  };
}
