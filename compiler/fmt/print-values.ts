import type { CstNode, IToken } from "chevrotain";
import { childNode, childNodes, childToken, requiredNode, requiredToken, tokensOf } from "./cst-tokens";
import { group, ifBreak, indent, line, softline, type Doc } from "./doc";
import type { FormatContext } from "./format-context";
import { printListBody } from "./print-list";

/**
 * Values and property blocks. Literals are printed as written (numbers keep their `_` grouping, durations,
 * sizes and regexes their spelling), except strings, which get canonical escapes.
 */
export function printValue(context: FormatContext, node: CstNode): Doc {
  const list = childNode(node, "list");
  if (list !== undefined) return printList(context, list);
  const block = childNode(node, "block");
  if (block !== undefined) return printBlock(context, block);
  const call = childNode(node, "callOrReference");
  if (call !== undefined) return printCallOrReference(context, call);
  return tokensOf(node).map((token) => context.token(token));
}

/** `name = value` */
export function printProperty(context: FormatContext, node: CstNode): Doc {
  const value = requiredNode(node, "value");
  const key = node.children["Identifier"] !== undefined ? requiredToken(node, "Identifier") : requiredToken(node, "StringLiteral");
  return [context.token(key), " ", context.token(requiredToken(node, "Equals")), " ", printValue(context, value)];
}

/**
 * `{ a = 1, b = "x" }` when it fits and holds no comment, else one property per line without commas.
 * `id` names the group, for a declaration whose interceptor chain follows the closing brace.
 */
export function printBlock(context: FormatContext, node: CstNode, id?: symbol): Doc {
  return printDelimited(context, node, "LBrace", "RBrace", "property", (property) => printProperty(context, property), {
    padding: line,
    itemSuffix: "",
    ...(id === undefined ? {} : { id }),
  });
}

/** `[a, b]` when it fits, else one item per line, each followed by a comma. */
export function printList(context: FormatContext, node: CstNode): Doc {
  return printDelimited(context, node, "LBracket", "RBracket", "value", (value) => printValue(context, value), { padding: softline, itemSuffix: ifBreak(",") });
}

/** `env("NAME", default)` like a list; `tier.component` as written. */
function printCallOrReference(context: FormatContext, node: CstNode): Doc {
  if (childToken(node, "LParen") === undefined) return tokensOf(node).map((token) => context.token(token));
  return [
    context.token(requiredToken(node, "Identifier")),
    printDelimited(context, node, "LParen", "RParen", "value", (value) => printValue(context, value), { padding: softline, itemSuffix: ifBreak(",") }),
  ];
}

/** Interceptor arguments: `host(header = "host")`, broken like a block. */
export function printArguments(context: FormatContext, node: CstNode): Doc {
  return printDelimited(context, node, "LParen", "RParen", "property", (property) => printProperty(context, property), { padding: softline, itemSuffix: "" });
}

interface DelimitedOptions {
  /** Between the opening token and the first item when flat: a space for blocks, nothing for lists. */
  readonly padding: Doc;
  readonly itemSuffix: Doc;
  readonly id?: symbol;
}

function printDelimited(
  context: FormatContext,
  node: CstNode,
  openKey: string,
  closeKey: string,
  itemKey: string,
  print: (item: CstNode) => Doc,
  options: DelimitedOptions,
): Doc {
  const open: IToken = requiredToken(node, openKey);
  const close: IToken = requiredToken(node, closeKey);
  const leading = context.leading(open);
  const body = printListBody(context, childNodes(node, itemKey), print, close, { flatSeparator: [",", line], itemSuffix: options.itemSuffix });
  const hasComment = context.hasComment(open, close);
  if (body.empty && !hasComment) return [leading, context.token(open), context.token(close)];
  const contents = [context.token(open), indent([options.padding, body.doc]), options.padding, context.token(close)];
  return [leading, group(contents, { shouldBreak: hasComment, ...(options.id === undefined ? {} : { id: options.id }) })];
}
