import type { Diagnostic } from "./diagnostic";

export interface RenderOptions {
  readonly color: boolean;
}

const STYLES = { error: "\u001b[1;31m", warning: "\u001b[1;33m", blue: "\u001b[1;34m", bold: "\u001b[1m", reset: "\u001b[0m" };

/**
 * rustc-style text: the code and message, `--> file:line:col`, the source line, carets under the span
 * with a label, then `= help:` lines. Tabs are shown as single spaces so the carets line up.
 */
export function renderPretty(diagnostic: Diagnostic, options: RenderOptions): string {
  const paint = (style: keyof typeof STYLES, text: string): string =>
    options.color ? `${STYLES[style]}${text}${STYLES.reset}` : text;
  const { file, span } = diagnostic;
  const start = file.position(span.start);
  const end = file.position(Math.max(span.start, span.end - 1));
  const gutter = String(start.line).length;
  const pad = " ".repeat(gutter);
  const lineText = file.lineText(start.line).replace(/\t/g, " ");
  const lastColumn = start.line === end.line ? end.column : lineText.length;
  const width = Math.max(1, lastColumn - start.column + 1);
  const caret = `${" ".repeat(start.column - 1)}${"^".repeat(width)}`;
  const out = [
    `${paint(diagnostic.severity, `${diagnostic.severity}[${diagnostic.code}]`)}${paint("bold", `: ${diagnostic.message}`)}`,
    `${pad}${paint("blue", "-->")} ${file.path}:${start.line}:${start.column}`,
    `${pad} ${paint("blue", "|")}`,
    `${paint("blue", `${start.line} |`)} ${lineText}`,
    `${pad} ${paint("blue", "|")} ${paint(diagnostic.severity, diagnostic.label === undefined ? caret : `${caret} ${diagnostic.label}`)}`,
  ];
  if (diagnostic.help.length > 0) {
    out.push(`${pad} ${paint("blue", "|")}`);
    for (const help of diagnostic.help) out.push(`${pad} ${paint("blue", "=")} ${paint("bold", "help")}: ${help}`);
  }
  return `${out.join("\n")}\n`;
}

export function renderSummary(errors: number, warnings: number, path: string, options: RenderOptions): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (errors === 0 && warnings === 0) return `${path}: no problems found\n`;
  const counts = [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""].filter(Boolean).join(", ");
  const head = errors > 0 ? (options.color ? `${STYLES.error}error${STYLES.reset}` : "error") : options.color ? `${STYLES.warning}warning${STYLES.reset}` : "warning";
  return `${head}: ${path}: ${counts}\n`;
}
