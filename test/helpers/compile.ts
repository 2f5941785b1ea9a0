import { compileSource, type CompileResult } from "../../compiler/pipeline";

/** Compiles `.flow` text as if it were the file `test.flow`. */
export function compile(text: string): CompileResult {
  return compileSource("test.flow", text);
}

/** The codes of a result's diagnostics, in source order. */
export function codes(result: CompileResult): string[] {
  return result.diagnostics.map((diagnostic) => diagnostic.code);
}
