import type { CstNode } from "chevrotain";
import { childNode, childNodes, childToken, childTokens, firstToken, lastToken, requiredNode, requiredToken } from "./cst-tokens";
import { group, hardline, ifBreak, indent, line, softline, type Doc } from "./doc";
import type { FormatContext } from "./format-context";
import { printCondition } from "./print-conditions";
import { printArguments, printBlock } from "./print-values";

/**
 * `source NAME = KIND { … } | interceptor() | …`, on one line when it fits. Otherwise the block breaks
 * if it must, and each interceptor gets a line of its own, its `|` two columns in; the first one follows
 * the closing brace of a broken block, which puts its `|` in the same column as the others:
 *
 *     source access = taildir {
 *       files = ["/var/log/nginx/access.log*"]
 *     } | host(header = "host")
 *       | timestamp()
 */
export function printComponentDecl(context: FormatContext, node: CstNode): Doc {
  const head = [
    context.token(firstToken(node)),
    " ",
    context.token(requiredToken(node, "name")),
    " ",
    context.token(requiredToken(node, "Equals")),
    " ",
    context.token(requiredToken(node, "kind")),
  ];
  const blockNode = childNode(node, "block");
  const blockId = Symbol("block");
  // Asked before the block is printed, which takes the comment.
  const blockEndsLine = blockNode !== undefined && context.comments.hasTrailing(lastToken(blockNode));
  const block = blockNode === undefined ? "" : [" ", printBlock(context, blockNode, blockId)];
  const pipes = childTokens(node, "Pipe");
  const interceptors = childNodes(node, "interceptor");
  if (interceptors.length === 0) return [head, block];
  const chain = interceptors.map((interceptor, index) => {
    // The first `|` follows a broken block's `}` (unless a comment ends that line); after a flat block (or
    // none) it starts a line like the others.
    const afterBlock = blockEndsLine ? hardline : ifBreak(" ", hardline, blockId);
    const separator = index > 0 || blockNode === undefined ? line : ifBreak(afterBlock, " ");
    // Indented once more: a broken call has its arguments two columns in from its name, its `)` under it.
    return [separator, context.token(pipes[index] ?? requiredToken(node, "Pipe")), " ", indent(printInterceptor(context, interceptor))];
  });
  return group([head, block, indent(chain)], { shouldBreak: context.hasComment(node) });
}

/** `host(header = "host")` or `drop(condition)`. */
function printInterceptor(context: FormatContext, node: CstNode): Doc {
  const drop = childToken(node, "Drop");
  if (drop === undefined) return [context.token(requiredToken(node, "Identifier")), printArguments(context, node)];
  const open = requiredToken(node, "LParen");
  const close = requiredToken(node, "RParen");
  const condition = printCondition(context, requiredNode(node, "condition"));
  const contents = [context.token(open), indent([softline, condition, context.leading(close)]), softline, context.token(close)];
  return [context.token(drop), group(contents, { shouldBreak: context.hasComment(open, close) })];
}
