import type { IToken } from "chevrotain";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseFlow } from "../../grammar";
import { flowLexer } from "../../grammar/tokens";
import { decodeString } from "../../compiler/fmt/strings";
import { compileSource } from "../../compiler/pipeline";
import { ROOT } from "../helpers/run-cli";

export { ROOT };

/** Every `.flow` file under `examples/` and `test/cases/` (read at test time: cases may be added at any moment). */
export function corpusFiles(): { readonly name: string; readonly path: string; readonly text: string }[] {
  const found: { name: string; path: string; text: string }[] = [];
  for (const folder of ["examples", join("test", "cases")]) {
    const dir = join(ROOT, folder);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
      if (!entry.endsWith(".flow")) continue;
      const path = join(dir, entry);
      found.push({ name: relative(ROOT, path), path, text: readFileSync(path, "utf8") });
    }
  }
  return found;
}

/** Whether the file lexes and parses (other errors, e.g. an unknown kind, are fine for formatting). */
export function parses(text: string): boolean {
  const parsed = parseFlow(text);
  return parsed.lexErrors.length === 0 && parsed.parseErrors.length === 0 && parsed.tooDeep === undefined;
}

/**
 * Where each comment sits, independently of the formatter's own bookkeeping: its text, the significant
 * tokens just before and after it (commas do not count), and whether code precedes it on its line.
 */
export function commentPlaces(text: string): string[] {
  const lexed = flowLexer.tokenize(text);
  const tokens = lexed.tokens.filter((token) => token.tokenType.name !== "Comma");
  return (lexed.groups["comments"] ?? []).map((comment) => {
    const before = tokens.filter((token) => token.startOffset < comment.startOffset);
    const index = before.length;
    const lineStart = text.lastIndexOf("\n", comment.startOffset - 1) + 1;
    const trailing = text.slice(lineStart, comment.startOffset).replaceAll(",", "").trim() !== "";
    const previous = imageOf(tokens[index - 1]) ?? "start";
    const next = imageOf(tokens[index]) ?? "end";
    return `${comment.image.trimEnd()} | after #${index} ${previous} | before ${next} | ${trailing ? "trailing" : "own line"}`;
  });
}

/** A token's text; a string by its value, since the formatter re-escapes strings. */
function imageOf(token: IToken | undefined): string | undefined {
  if (token === undefined) return undefined;
  return token.tokenType.name === "StringLiteral" ? JSON.stringify(decodeString(token.image)) : token.image;
}

/** A plan without source line numbers, which formatting is allowed to change. */
export function withoutLines(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLines);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, field]) => !(key === "line" && typeof field === "number"))
      .map(([key, field]) => [key, withoutLines(field)]),
  );
}

/** What the file means: its plans (lines aside) and the codes of its diagnostics. */
export function meaning(path: string, text: string): { plans: unknown; codes: string[] } {
  const result = compileSource(path, text);
  return { plans: withoutLines(result.plans), codes: result.diagnostics.map((diagnostic) => diagnostic.code) };
}

/** Puts a comment at every place a comment can go: after every token, or on its own line before every token. */
export function commentEverywhere(text: string, mode: "trailing" | "own-line"): string {
  const { tokens } = flowLexer.tokenize(text);
  let out = "";
  let last = 0;
  tokens.forEach((token, index) => {
    out += text.slice(last, token.startOffset);
    if (mode === "own-line") out += `\n# before ${index}\n`;
    out += token.image;
    if (mode === "trailing") out += ` # after ${index}\n`;
    last = (token.endOffset ?? token.startOffset) + 1;
  });
  return out + text.slice(last);
}
