/**
 * Words that mermaid's flowchart lexer reads as keywords when an unquoted id starts with them (it takes the
 * first rule that matches, not the longest, so `styles__x` lexes as `style` + `s__x`). `TB`, `BT`, `RL`
 * and `LR` are here because `direction` at the end of one line followed by one of them on the next is read
 * as a `direction` statement. The lexer is case-sensitive.
 */
const MERMAID_RESERVED_PREFIXES = [
  "style",
  "linkStyle",
  "interpolate",
  "class",
  "graph",
  "flowchart",
  "subgraph",
  "_self",
  "_blank",
  "_parent",
  "_top",
  "TB",
  "BT",
  "RL",
  "LR",
];

/**
 * Hands out the ids of one drawing: readable (`tier__component`), unique across tiers and clusters, and
 * valid unquoted in mermaid (graphviz ids are always quoted). `tier__component` alone is not enough:
 * tier `a_` with component `b` and tier `a` with component `_b` both give `a___b`, so a repeated id gets
 * `_2`, `_3`, … in the order ids are asked for, which is declaration order: the output stays deterministic.
 */
export class IdAllocator {
  private readonly used = new Set<string>();

  allocate(base: string): string {
    const safe = safeId(base);
    let id = safe;
    for (let n = 2; this.used.has(id); n++) id = `${safe}_${n}`;
    this.used.add(id);
    return id;
  }
}

/** `[A-Za-z_][A-Za-z0-9_]*`, not `end`, not starting with a mermaid keyword. */
function safeId(base: string): string {
  const word = base.replace(/[^A-Za-z0-9_]/g, "_");
  const reserved = word === "" || word === "end" || /^[0-9]/.test(word) || MERMAID_RESERVED_PREFIXES.some((prefix) => word.startsWith(prefix));
  return reserved ? `n_${word}` : word;
}
