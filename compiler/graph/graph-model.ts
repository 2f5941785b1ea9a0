/**
 * A topology as a drawing, independent of the output format: what `flowc graph` draws, built from the
 * tier plans by `buildGraph` and turned into text by `renderDot` or `renderMermaid`. It says what things
 * are (a source, a route arm, an optional target); the renderers decide how they look.
 */

/** What a node stands for. `external` is the far end of a cross-tier link whose tier is not drawn. */
export type NodeRole = "source" | "channel" | "sink" | "group" | "external";

export interface GraphNode {
  /** Unique across the whole drawing and valid in both formats (see `IdAllocator`). */
  readonly id: string;
  readonly role: NodeRole;
  /** Plain text, one entry per line; the renderers escape it. */
  readonly label: readonly string[];
}

/**
 * - `wire`: a wiring (`source -> channel`, `channel -> sink`, `channel -> group`);
 * - `route`: one target of one arm of a source's route, labelled with the arm's condition or `else`;
 * - `member`: a group to one of its sinks, labelled with its position in the group's `sinks` list;
 * - `link`: one tier's forwarding sink to another tier's receiving source.
 */
export type EdgeKind = "wire" | "route" | "member" | "link";

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** A best-effort target of a source: its refusal never fails the source's put. */
  readonly optional: boolean;
  /** Plain text; the renderers escape it. */
  readonly label?: string;
}

/** One tier: its components and the edges between them. */
export interface Cluster {
  readonly id: string;
  readonly tier: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface TopologyGraph {
  /** The `.flow` file's name, for the header comment. */
  readonly sourceFile: string;
  /** One per drawn tier, in declaration order. */
  readonly clusters: readonly Cluster[];
  /** Nodes outside every cluster: the ends of cross-tier links in tiers that are not drawn. */
  readonly externals: readonly GraphNode[];
  /** Cross-tier links, drawn between clusters. */
  readonly links: readonly GraphEdge[];
}
