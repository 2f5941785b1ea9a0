import type { CstElement, CstNode, IToken } from "chevrotain";
import type { Span } from "../diagnostics";
import type { Name } from "./nodes";

/** Small, safe accessors over chevrotain's loosely typed CST. */
export function children(node: CstNode, key: string): CstElement[] {
  return node.children[key] ?? [];
}

export function nodes(node: CstNode, key: string): CstNode[] {
  return children(node, key) as CstNode[];
}

/** A token that error recovery inserted has no position; treat it as absent. */
export function isRealToken(t: IToken | undefined): t is IToken {
  return t !== undefined && t.isInsertedInRecovery !== true && !Number.isNaN(t.startOffset);
}

export function token(node: CstNode, key: string, index = 0): IToken | undefined {
  const found = children(node, key)[index] as IToken | undefined;
  return isRealToken(found) ? found : undefined;
}

export function tokens(node: CstNode, key: string): IToken[] {
  return (children(node, key) as IToken[]).filter(isRealToken);
}

export function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
}

export function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

export function name(t: IToken): Name {
  return { $type: "Name", text: t.image, span: tokenSpan(t) };
}

/** The span of a CST node, from its positioned tokens; undefined when recovery left it empty. */
export function nodeSpan(node: CstNode): Span | undefined {
  let span: Span | undefined;
  for (const list of Object.values(node.children)) {
    for (const element of list) {
      const inner = "image" in element ? (isRealToken(element) ? tokenSpan(element) : undefined) : nodeSpan(element);
      if (inner !== undefined) span = span === undefined ? inner : join(span, inner);
    }
  }
  return span;
}
