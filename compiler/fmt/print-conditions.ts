import type { CstNode, IToken } from "chevrotain";
import { childNode, childNodes, childToken, childTokens, requiredNode, requiredToken, tokensOf } from "./cst-tokens";
import { group, indent, line, softline, type Doc } from "./doc";
import type { FormatContext } from "./format-context";
import { printList, printValue } from "./print-values";

/**
 * Route and `drop()` conditions, with the parentheses the user wrote (no more, no fewer). A condition
 * that does not fit breaks before each `or`, indented under its start; an operand of `or` that still does
 * not fit breaks before each `and`, two columns deeper, so the nesting stays visible:
 *
 *     when header.level == "ERROR"
 *         and header.service == "payments"
 *       or body ~ /timeout/
 *       -> hot
 */
export function printCondition(context: FormatContext, node: CstNode): Doc {
  return printOperands(context, node, childNodes(node, "andCondition"), childTokens(node, "Or"), (operand) => printAnd(context, operand), true);
}

function printAnd(context: FormatContext, node: CstNode): Doc {
  return printOperands(context, node, childNodes(node, "notCondition"), childTokens(node, "And"), (operand) => printNot(context, operand), false);
}

function printOperands(
  context: FormatContext,
  node: CstNode,
  operands: readonly CstNode[],
  operators: readonly IToken[],
  print: (operand: CstNode) => Doc,
  indentFirst: boolean,
): Doc {
  const [first, ...rest] = operands;
  if (first === undefined) return "";
  if (rest.length === 0) return print(first);
  const following = rest.map((operand, index) => [line, context.token(operators[index] as IToken), " ", print(operand)]);
  const contents = indentFirst ? indent([print(first), following]) : [print(first), indent(following)];
  return group(contents, { shouldBreak: context.hasComment(node) });
}

function printNot(context: FormatContext, node: CstNode): Doc {
  const not = childToken(node, "Not");
  if (not !== undefined) return [context.token(not), " ", printNot(context, requiredNode(node, "notCondition"))];
  return printAtom(context, requiredNode(node, "atomCondition"));
}

function printAtom(context: FormatContext, node: CstNode): Doc {
  const nested = childNode(node, "condition");
  if (nested !== undefined) {
    const open = requiredToken(node, "LParen");
    const close = requiredToken(node, "RParen");
    const leading = context.leading(open);
    const condition = printCondition(context, nested);
    const contents = [context.token(open), indent([softline, condition, context.leading(close)]), softline, context.token(close)];
    return [leading, group(contents, { shouldBreak: context.hasComment(open, close) })];
  }
  const subject = tokensOf(requiredNode(node, "subject")).map((token) => context.token(token));
  return [subject, " ", printComparison(context, requiredNode(node, "comparison"))];
}

function printComparison(context: FormatContext, node: CstNode): Doc {
  const exists = childToken(node, "Exists");
  if (exists !== undefined) return context.token(exists);
  const inToken = childToken(node, "In");
  if (inToken !== undefined) {
    const not = childToken(node, "Not");
    return [not === undefined ? "" : [context.token(not), " "], context.token(inToken), " ", printList(context, requiredNode(node, "list"))];
  }
  const regex = childToken(node, "RegexLiteral");
  if (regex !== undefined) return [context.token(childToken(node, "Match") ?? requiredToken(node, "NotMatch")), " ", context.token(regex)];
  const operator = childToken(node, "EqualEqual") ?? requiredToken(node, "NotEqual");
  return [context.token(operator), " ", printValue(context, requiredNode(node, "value"))];
}
