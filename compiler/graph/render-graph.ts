import type { TopologyGraph } from "./graph-model";
import { renderDot } from "./render-dot";
import { renderMermaid } from "./render-mermaid";

export const GRAPH_FORMATS = ["dot", "mermaid"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** The graph as text in one of the formats. */
export function renderGraph(graph: TopologyGraph, format: GraphFormat): string {
  return format === "dot" ? renderDot(graph) : renderMermaid(graph);
}
