import type { CstNode, IToken } from "chevrotain";
import { childNode, childNodes, childToken, childTokens, requiredNode, requiredToken } from "./cst-tokens";
import { group, hardline, indent, join, line, type Doc } from "./doc";
import type { FormatContext } from "./format-context";
import { printComponentDecl } from "./print-components";
import { printCondition } from "./print-conditions";
import { printListBody, type ListOptions } from "./print-list";
import { printBlock } from "./print-values";

/** One item of a tier: a declaration, a wiring, a route or a test. */
export function printTierItem(context: FormatContext, node: CstNode): Doc {
  const component = childNode(node, "componentDecl");
  if (component !== undefined) return printComponentDecl(context, component);
  const wiring = childNode(node, "wiring");
  if (wiring !== undefined) return printWiring(context, wiring);
  const route = childNode(node, "routeDecl");
  if (route !== undefined) return printRoute(context, route);
  return printTest(context, requiredNode(node, "testDecl"));
}

/** `a -> b, optional c -> d`; when too long, a line per `->`, indented. */
function printWiring(context: FormatContext, node: CstNode): Doc {
  const arrows = childTokens(node, "Arrow");
  const steps = childNodes(node, "targets").map((targets, index) => [line, context.token(arrows[index] as IToken), " ", printTargets(context, targets)]);
  return group([context.token(requiredToken(node, "Identifier")), indent(steps)], { shouldBreak: context.hasComment(node) });
}

/** `a, optional b` */
function printTargets(context: FormatContext, node: CstNode): Doc {
  const targets = childNodes(node, "target").map((target) => {
    const optional = childToken(target, "Optional");
    const name = context.token(requiredToken(target, "Identifier"));
    return optional === undefined ? name : [context.token(optional), " ", name];
  });
  return group(indent(join([",", line], targets)), { shouldBreak: context.hasComment(node) });
}

/** `route SOURCE {` one arm per line `}` */
function printRoute(context: FormatContext, node: CstNode): Doc {
  const body = printBracedBody(context, node, childNodes(node, "routeArm"), (arm) => printArm(context, arm));
  return [context.token(requiredToken(node, "Route")), " ", context.token(requiredToken(node, "Identifier")), " ", body];
}

/** `when CONDITION -> targets` or `else -> targets`; when too long, the condition breaks and `->` starts a line. */
function printArm(context: FormatContext, node: CstNode): Doc {
  const when = childToken(node, "When");
  const head = when === undefined ? context.token(requiredToken(node, "Else")) : [context.token(when), " ", printCondition(context, requiredNode(node, "condition"))];
  const targets = [line, context.token(requiredToken(node, "Arrow")), " ", printTargets(context, requiredNode(node, "targets"))];
  return group([head, indent(targets)], { shouldBreak: context.hasComment(node) });
}

/** `test "name" {` one step per line `}` */
function printTest(context: FormatContext, node: CstNode): Doc {
  const steps = childNodes(node, "sendStep", "expectStep");
  const body = printBracedBody(context, node, steps, (step) => (step.name === "sendStep" ? printSend(context, step) : printExpect(context, step)));
  return [context.token(requiredToken(node, "Test")), " ", context.token(requiredToken(node, "StringLiteral")), " ", body];
}

/** `send SOURCE { headers = { … }, body = "…" }` */
function printSend(context: FormatContext, node: CstNode): Doc {
  return [context.token(requiredToken(node, "Send")), " ", context.token(requiredToken(node, "Identifier")), " ", printBlock(context, requiredNode(node, "block"))];
}

/** `expect dropped`, `expect headers { … }` or `expect a, b` */
function printExpect(context: FormatContext, node: CstNode): Doc {
  const keyword = context.token(requiredToken(node, "Expect"));
  const dropped = childToken(node, "Dropped");
  if (dropped !== undefined) return [keyword, " ", context.token(dropped)];
  const what = childToken(node, "what");
  if (what !== undefined) return [keyword, " ", context.token(what), " ", printBlock(context, requiredNode(node, "block"))];
  return [keyword, " ", printTargets(context, requiredNode(node, "targets"))];
}

/**
 * `{`, then the items one per line (with the comments between them), then `}`; `{}` when there is
 * nothing inside. Used for tiers, routes and tests, which never go on one line.
 */
export function printBracedBody(
  context: FormatContext,
  node: CstNode,
  items: readonly CstNode[],
  print: (item: CstNode) => Doc,
  options: ListOptions = {},
): Doc {
  const open = requiredToken(node, "LBrace");
  const close = requiredToken(node, "RBrace");
  const body = printListBody(context, items, print, close, options);
  if (body.empty && !context.hasComment(open, close)) return [context.token(open), context.token(close)];
  return [context.token(open), indent([hardline, body.doc]), hardline, context.token(close)];
}
