import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MAX_NESTING, parseFlow } from "../grammar";
import { buildAst, type FlowFile, type ImportDecl } from "./ast";
import { checkTopology, type CheckedTopology } from "./check";
import { DiagnosticBag, sortDiagnostics, SourceFile, type Diagnostic } from "./diagnostics";
import { lowerToPlans, type TierPlan } from "./ir";
import { FLOWC_VERSION } from "./package-root";
import { syntaxHint } from "./syntax-hints";

export interface CompileResult {
  /** The file named on the command line. */
  readonly source: SourceFile;
  /** Every diagnostic of the phases that ran, by file and position. */
  readonly diagnostics: readonly Diagnostic[];
  readonly errorCount: number;
  readonly warningCount: number;
  /** The parsed files: the root first, then its imports. */
  readonly files: readonly FlowFile[];
  /** Present when checking ran and found no errors. */
  readonly checked?: CheckedTopology;
  /** One per tier of the topology, present when there were no errors. */
  readonly plans?: readonly TierPlan[];
}

export interface CompileOptions {
  /** Reads an imported file; undefined when it cannot be read. Defaults to the file system. */
  readonly readFile?: (path: string) => string | undefined;
}

/**
 * Runs the front end over a file and everything it imports: parse → AST → check → plans. Syntax errors
 * stop before checking and check errors stop before planning; within a phase every error is reported.
 */
export function compileSource(path: string, text: string, options: CompileOptions = {}): CompileResult {
  const diagnostics = new DiagnosticBag();
  const files = loadTopology(path, text, options.readFile ?? readFromDisk, diagnostics);
  const root = files[0] as FlowFile;
  const result = (extra: { checked?: CheckedTopology; plans?: TierPlan[] } = {}): CompileResult => ({
    source: root.source,
    diagnostics: sortDiagnostics(diagnostics.items),
    errorCount: diagnostics.errorCount,
    warningCount: diagnostics.warningCount,
    files,
    ...extra,
  });
  if (diagnostics.errorCount > 0) return result();
  const checked = checkTopology(files, diagnostics);
  if (diagnostics.errorCount > 0) return result({ checked });
  return result({ checked, plans: lowerToPlans(checked, FLOWC_VERSION) });
}

function readFromDisk(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Parses the root file and, depth first, every file it imports (each once, however often imported). */
function loadTopology(path: string, text: string, readFile: (path: string) => string | undefined, diagnostics: DiagnosticBag): FlowFile[] {
  const loaded = new Map<string, FlowFile>();
  const inProgress: string[] = [];
  const visit = (displayPath: string, content: string): FlowFile => {
    const key = resolve(displayPath);
    inProgress.push(key);
    const file = parseFile(displayPath, content, diagnostics);
    loaded.set(key, file);
    for (const decl of file.imports) {
      const importedPath = join(dirname(displayPath), decl.path.value);
      const importedKey = resolve(importedPath);
      if (inProgress.includes(importedKey)) {
        reportCycle(decl, file, inProgress.slice(inProgress.indexOf(importedKey)).concat(importedKey), diagnostics);
        continue;
      }
      if (loaded.has(importedKey)) continue;
      const importedText = readFile(importedPath);
      if (importedText === undefined) {
        diagnostics.report("FLOW5003", file.source, decl.path.span, `cannot read imported file \`${decl.path.value}\``, {
          label: `no readable file at ${importedPath}`,
          help: "import paths are relative to the file that imports them",
        });
        continue;
      }
      visit(importedPath, importedText);
    }
    inProgress.pop();
    return file;
  };
  visit(path, text);
  return [...loaded.values()];
}

function parseFile(path: string, text: string, diagnostics: DiagnosticBag): FlowFile {
  const source = new SourceFile(path, text);
  const parsed = parseFlow(text);
  for (const error of parsed.lexErrors) {
    const character = text.slice(error.offset, error.offset + error.length);
    diagnostics.report("FLOW1002", source, { start: error.offset, end: error.offset + error.length }, `unrecognised character \`${character}\``, {
      label: "not part of the language",
      help: "comments start with `#`; strings are written in double quotes",
    });
  }
  if (parsed.tooDeep !== undefined) {
    const token = parsed.tooDeep;
    diagnostics.report("FLOW1008", source, { start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1 }, `nested more than ${MAX_NESTING} levels deep`, {
      label: "too deep here",
      help: "brackets, parentheses, blocks and `not` may nest at most 64 levels; the file was not parsed further",
    });
  }
  for (const error of parsed.parseErrors) {
    diagnostics.report("FLOW1001", source, syntaxErrorSpan(error.token, error.previousToken, text.length), error.message, {
      label: "unexpected here",
      help: syntaxHint(error.token.image, error.previousToken?.image, error.message),
    });
  }
  return buildAst(source, parsed, diagnostics);
}

function reportCycle(decl: ImportDecl, file: FlowFile, cycle: readonly string[], diagnostics: DiagnosticBag): void {
  const names = cycle.map((key) => `\`${key.split("/").pop()}\``).join(" → ");
  diagnostics.report("FLOW5002", file.source, decl.path.span, `import cycle: ${names}`, {
    label: "this import closes the cycle",
    help: "move what these files share into a file that each of them imports",
  });
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
