import { DIAGNOSTICS, type DiagnosticCode, type Severity } from "./codes";
import type { SourceFile, Span } from "./source-file";

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly file: SourceFile;
  readonly span: Span;
  /** Short text shown under the carets: what is wrong right there. */
  readonly label?: string;
  /** Facts that help fix it, e.g. the nearest known name. */
  readonly help: readonly string[];
}

export interface DiagnosticDetails {
  readonly label?: string;
  readonly help?: string | readonly string[] | undefined;
}

/** Collects the diagnostics of one phase; severity comes from the catalogue, never from the call site. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  report(code: DiagnosticCode, file: SourceFile, span: Span, message: string, details: DiagnosticDetails = {}): void {
    const help = details.help === undefined ? [] : typeof details.help === "string" ? [details.help] : details.help;
    this.items.push({
      code,
      severity: DIAGNOSTICS[code].severity,
      message,
      file,
      span,
      ...(details.label === undefined ? {} : { label: details.label }),
      help,
    });
  }

  get errorCount(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }

  get warningCount(): number {
    return this.items.filter((d) => d.severity === "warning").length;
  }
}

/** Orders diagnostics by file and position, so output does not depend on the order checks ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.file.path.localeCompare(b.file.path) || a.span.start - b.span.start || a.code.localeCompare(b.code),
  );
}
