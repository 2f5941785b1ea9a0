import { compileSource, type CompileResult } from "../../compiler/pipeline";
import { DIAGNOSTICS, renderPretty, toJsonDiagnostic } from "../../compiler/diagnostics";
import { IMPORTABLE, ROOT_PATH } from "./seeds";

/** Imports resolve to the fixed files of `seeds.ts` and never touch the disk. */
export const readFixedFile = (path: string): string | undefined => IMPORTABLE.get(path);

export interface Checked {
  /** Undefined when `compileSource` threw. */
  readonly result: CompileResult | undefined;
  /** Each broken property, in words (a throw comes with its stack). */
  readonly problems: readonly string[];
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

/**
 * Compiles `text` as the fuzz test's root file (imports read from `readFile`) and checks the front end's contract on it: it never
 * throws; every diagnostic has a catalogued code and the catalogue's severity, a non-empty message and
 * a span inside its file, and renders as text and as JSON; without errors there are plans, and they are
 * plain JSON.
 */
export function checkCompile(text: string, readFile: (path: string) => string | undefined = readFixedFile): Checked {
  let result: CompileResult;
  try {
    result = compileSource(ROOT_PATH, text, { readFile });
  } catch (error) {
    return { result: undefined, problems: [`compileSource threw: ${describeError(error)}`] };
  }
  const problems: string[] = [];
  for (const d of result.diagnostics) {
    const where = `${d.code} ${JSON.stringify(d.span)} ${JSON.stringify(d.message)}`;
    if (!Object.hasOwn(DIAGNOSTICS, d.code)) problems.push(`code not in the catalogue: ${where}`);
    else if (DIAGNOSTICS[d.code].severity !== d.severity) problems.push(`severity ${d.severity} differs from the catalogue: ${where}`);
    const length = d.file.text.length;
    const { start, end } = d.span;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > length + 1) {
      problems.push(`span outside ${d.file.path} (length ${length}): ${where}`);
    }
    if (typeof d.message !== "string" || d.message.trim() === "") problems.push(`empty message: ${where}`);
    try {
      renderPretty(d, { color: false });
      renderPretty(d, { color: true });
    } catch (error) {
      problems.push(`renderPretty threw on ${where}: ${describeError(error)}`);
    }
    try {
      JSON.stringify(toJsonDiagnostic(d));
    } catch (error) {
      problems.push(`toJsonDiagnostic threw on ${where}: ${describeError(error)}`);
    }
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (errors !== result.errorCount) problems.push(`errorCount ${result.errorCount} but ${errors} error diagnostics`);
  if (result.errorCount === 0) {
    if (result.plans === undefined) problems.push("no errors but no plans");
    else {
      try {
        const json = JSON.stringify(result.plans);
        if (!isDeepEqual(JSON.parse(json), result.plans)) problems.push("plans change in a JSON round trip (undefined, NaN, Infinity or a non-plain object)");
      } catch (error) {
        problems.push(`plans are not JSON-serialisable: ${describeError(error)}`);
      }
    }
  }
  return { result, problems };
}

/** Strict structural equality of JSON-like values: `undefined` properties and NaN count as differences. */
function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(b) !== Object.prototype && !Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && isDeepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
