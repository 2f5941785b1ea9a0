import { flowLexer } from "../../grammar/tokens";
import { decodeString } from "./strings";

/**
 * What formatting must not change: the significant tokens (strings compared by value, commas ignored
 * because the formatter writes its own), and the comments, in order, each still at the end of a line of
 * code or alone on its line (a line holding only commas counts as empty). Returns the first difference, or undefined when there is none.
 */
export function codeDifference(before: string, after: string): string | undefined {
  const a = codeOf(before);
  const b = codeOf(after);
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return `${a[i] ?? "the end of the file"} became ${b[i] ?? "the end of the file"}`;
  }
  return undefined;
}

function codeOf(text: string): string[] {
  const lexed = flowLexer.tokenize(text);
  const items = [
    ...lexed.tokens.map((token) => ({ offset: token.startOffset, token })),
    ...(lexed.groups["comments"] ?? []).map((token) => ({ offset: token.startOffset, token })),
  ].sort((x, y) => x.offset - y.offset);
  const result: string[] = [];
  for (const { token } of items) {
    const type = token.tokenType.name;
    if (type === "Comma") continue;
    if (type === "Comment") {
      const lineStart = text.lastIndexOf("\n", token.startOffset - 1) + 1;
      const alone = text.slice(lineStart, token.startOffset).replaceAll(",", "").trim() === "";
      result.push(`${alone ? "own-line" : "trailing"} comment \`${token.image.trimEnd()}\``);
    } else if (type === "StringLiteral") {
      result.push(`string ${JSON.stringify(decodeString(token.image) ?? token.image)}`);
    } else {
      result.push(`${type} \`${token.image}\``);
    }
  }
  return result;
}
