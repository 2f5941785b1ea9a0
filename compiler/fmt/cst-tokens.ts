import type { CstElement, CstNode, IToken } from "chevrotain";

/**
 * Ordered access to chevrotain's CST, which groups a node's children by name and so loses their order.
 * The formatter works on the CST rather than the AST: the CST keeps every token (parentheses in
 * conditions, the written form of numbers and strings, nodes the AST builder drops after reporting them).
 */
export function isToken(element: CstElement): element is IToken {
  return "image" in element;
}

const tokenCache = new WeakMap<CstNode, readonly IToken[]>();

/** Every token under `node`, in source order. */
export function tokensOf(node: CstNode): readonly IToken[] {
  const cached = tokenCache.get(node);
  if (cached !== undefined) return cached;
  const found: IToken[] = [];
  for (const list of Object.values(node.children)) {
    for (const element of list) {
      if (isToken(element)) found.push(element);
      else found.push(...tokensOf(element));
    }
  }
  found.sort((a, b) => a.startOffset - b.startOffset);
  tokenCache.set(node, found);
  return found;
}

export function firstToken(node: CstNode): IToken {
  const first = tokensOf(node)[0];
  if (first === undefined) throw new Error(`flowc fmt: empty \`${node.name}\` node`);
  return first;
}

export function lastToken(node: CstNode): IToken {
  const all = tokensOf(node);
  const last = all[all.length - 1];
  if (last === undefined) throw new Error(`flowc fmt: empty \`${node.name}\` node`);
  return last;
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
