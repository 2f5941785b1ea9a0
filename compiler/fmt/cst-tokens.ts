import type { CstElement, CstNode, IToken } from "chevrotain";

/**
 * Ordered access to chevrotain's CST, which groups a node's children by name and so loses their order.
 * The formatter works on the CST rather than the AST: the CST keeps every token (parentheses in
 * conditions, the written form of numbers and strings, nodes the AST builder drops after reporting them).
 */
export function isToken(element: CstElement): element is IToken {
  return "image" in element;
}

/** Every token under `node`, in source order. */
export function tokensOf(node: CstNode): IToken[] {
  const found: IToken[] = [];
  collectTokens(node, found);
  return found.sort((a, b) => a.startOffset - b.startOffset);
}

function collectTokens(node: CstNode, into: IToken[]): void {
  for (const list of Object.values(node.children)) {
    for (const element of list) {
      if (isToken(element)) into.push(element);
      else collectTokens(element, into);
    }
  }
}

const firstTokens = new WeakMap<CstNode, IToken>();
const lastTokens = new WeakMap<CstNode, IToken>();

export function firstToken(node: CstNode): IToken {
  return edgeToken(node, firstTokens, (a, b) => a.startOffset < b.startOffset);
}

export function lastToken(node: CstNode): IToken {
  return edgeToken(node, lastTokens, (a, b) => a.startOffset > b.startOffset);
}

/** The first (or last) token under `node`, remembered per node: the printers ask for it often. */
function edgeToken(node: CstNode, cache: WeakMap<CstNode, IToken>, better: (a: IToken, b: IToken) => boolean): IToken {
  const cached = cache.get(node);
  if (cached !== undefined) return cached;
  let edge: IToken | undefined;
  for (const list of Object.values(node.children)) {
    for (const element of list) {
      const candidate = isToken(element) ? element : edgeToken(element, cache, better);
      if (edge === undefined || better(candidate, edge)) edge = candidate;
    }
  }
  if (edge === undefined) throw new Error(`flowc fmt: empty \`${node.name}\` node`);
  cache.set(node, edge);
  return edge;
}

/** The child nodes under `key`, in source order. */
export function childNodes(node: CstNode, ...keys: string[]): CstNode[] {
  return keys
    .flatMap((key) => (node.children[key] ?? []).filter((element): element is CstNode => !isToken(element)))
    .sort((a, b) => firstToken(a).startOffset - firstToken(b).startOffset);
}

export function childNode(node: CstNode, key: string): CstNode | undefined {
  return childNodes(node, key)[0];
}

/** The tokens directly under `key`, in source order. */
export function childTokens(node: CstNode, key: string): IToken[] {
  return (node.children[key] ?? []).filter(isToken).sort((a, b) => a.startOffset - b.startOffset);
}

export function childToken(node: CstNode, key: string): IToken | undefined {
  return childTokens(node, key)[0];
}

/** A token that must be there (the file has no syntax errors, so the parser put it in the tree). */
export function requiredToken(node: CstNode, key: string): IToken {
  const found = childToken(node, key);
  if (found === undefined) throw new Error(`flowc fmt: \`${node.name}\` has no \`${key}\``);
  return found;
}

export function requiredNode(node: CstNode, key: string): CstNode {
  const found = childNode(node, key);
  if (found === undefined) throw new Error(`flowc fmt: \`${node.name}\` has no \`${key}\``);
  return found;
}
