import { parseFlow } from "../../grammar";
import { Comma } from "../../grammar/tokens";
import { CommentMap } from "./comments";
import { tokensOf } from "./cst-tokens";
import { FormatContext } from "./format-context";
import { LINE_WIDTH } from "./layout-options";
import { printDoc } from "./print-doc";
import { printFile } from "./print-file";
import { codeDifference } from "./same-code";

/** The formatter would have lost or changed something: a bug in flowc, never the user's fault. */
export class FormatterBugError extends Error {
  constructor(message: string) {
    super(`flowc fmt: ${message}`);
    this.name = "FormatterBugError";
  }
}

/** The input cannot be formatted because it does not parse. */
export class UnformattableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnformattableError";
  }
}

/**
 * Formats the text of a `.flow` file that has no syntax errors (`formatSource` checks that and
 * reports them). Works on the CST, which holds every token; attaches each comment to a token; lays the
 * file out with `printDoc`. Before returning, it lexes the result and checks that the tokens and
 * comments are the same, in the same order, as in the input: it throws `FormatterBugError` rather than
 * return text that would lose a comment or change what the file means.
 */
export function formatFlow(text: string): string {
  const parsed = parseFlow(text);
  if (parsed.lexErrors.length > 0 || parsed.parseErrors.length > 0 || parsed.tooDeep !== undefined) throw new UnformattableError("the file has syntax errors");
  const tokens = tokensOf(parsed.cst);
  if (tokens.some((token) => token.tokenType.name === "UnterminatedString")) throw new UnformattableError("the file has an unterminated string");
  const comments = new CommentMap(
    text,
    tokens.filter((token) => token.tokenType !== Comma),
    parsed.comments,
  );
  const doc = printFile(new FormatContext(comments), parsed.cst);
  if (comments.untaken() > 0) throw new FormatterBugError(`${comments.untaken()} comment(s) were not placed`);
  const formatted = printDoc(doc, LINE_WIDTH);
  const reparsed = parseFlow(formatted);
  if (reparsed.lexErrors.length > 0 || reparsed.parseErrors.length > 0) throw new FormatterBugError("the formatted text does not parse");
  const difference = codeDifference(text, formatted);
  if (difference !== undefined) throw new FormatterBugError(`formatting changed the code: ${difference}`);
  return formatted;
}
