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
  const bounds = { start: Number.POSITIVE_INFINITY, end: Number.NEGATIVE_INFINITY };
  widen(node, bounds);
  return bounds.start === Number.POSITIVE_INFINITY ? undefined : { start: bounds.start, end: bounds.end };
}

/** Widens `bounds` to cover every positioned token under `node`, allocating nothing on the way. */
function widen(node: CstNode, bounds: { start: number; end: number }): void {
  for (const key in node.children) {
    for (const element of node.children[key] as CstElement[]) {
      if ("image" in element) {
        if (!isRealToken(element)) continue;
        if (element.startOffset < bounds.start) bounds.start = element.startOffset;
        const end = (element.endOffset ?? element.startOffset) + 1;
        if (end > bounds.end) bounds.end = end;
      } else widen(element, bounds);
    }
  }
}
