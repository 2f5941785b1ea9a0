import type { CstNode } from "chevrotain";
import { END_OF_FILE } from "./comments";
import { childNodes, requiredToken } from "./cst-tokens";
import type { Doc } from "./doc";
import type { FormatContext } from "./format-context";
import { printComponentDecl } from "./print-components";
import { printListBody } from "./print-list";
import { printBracedBody, printTierItem } from "./print-tier-items";

/**
 * A whole file: imports, shared definitions and tiers in the order written, with a blank line between
 * two of them (consecutive imports keep the user's choice), and the comments after the last one.
 */
export function printFile(context: FormatContext, node: CstNode): Doc {
  const items = childNodes(node, "importDecl", "componentDecl", "tierDecl");
  const print = (item: CstNode): Doc => {
    if (item.name === "importDecl") return [context.token(requiredToken(item, "Import")), " ", context.token(requiredToken(item, "StringLiteral"))];
    if (item.name === "componentDecl") return printComponentDecl(context, item);
    return printTier(context, item);
  };
  const blankBetween = (previous: CstNode, next: CstNode): boolean => previous.name !== "importDecl" || next.name !== "importDecl";
  return printListBody(context, items, print, END_OF_FILE, { blankBetween }).doc;
}

/** `tier NAME {` one item per line, blank lines as the user grouped them `}` */
function printTier(context: FormatContext, node: CstNode): Doc {
  const body = printBracedBody(context, node, childNodes(node, "tierItem"), (item) => printTierItem(context, item));
  return [context.token(requiredToken(node, "Tier")), " ", context.token(requiredToken(node, "Identifier")), " ", body];
}
