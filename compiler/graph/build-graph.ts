import type { TierPlan } from "../ir";
import { chainText } from "./chain-text";
import { conditionText } from "./condition-text";
import { crossTierLinks, type ComponentRef, type CrossTierLink } from "../ir";
import type { Cluster, GraphEdge, GraphNode, TopologyGraph } from "./graph-model";
import { IdAllocator } from "./id-allocator";

export interface BuildGraphOptions {
  /** Draw only this tier; the caller has checked that it exists. */
  readonly tier?: string;
  /** The `.flow` file's name for the header comment; defaults to the first plan's `sourceFile`. */
  readonly sourceFile?: string;
  /** The links between tiers; defaults to `crossTierLinks(plans)`. */
  readonly links?: readonly CrossTierLink[];
}

/**
 * Builds the drawing of a topology from its tier plans (which exist only when the file has no errors).
 * Everything is visited in declaration order, so the same plans always give the same graph:
 * per tier, nodes are sources, channels, groups, sinks; edges are each source's targets or route arms,
 * then each channel's readers, then each group's members.
 */
export function buildGraph(plans: readonly TierPlan[], options: BuildGraphOptions = {}): TopologyGraph {
  const ids = new IdAllocator();
  const drawn = plans.filter((plan) => options.tier === undefined || plan.tier === options.tier);
  const clusterIds = drawn.map((plan) => ids.allocate(plan.tier));
  const nodeIds = new Map<string, Map<string, string>>();
  const clusters = drawn.map((plan, index): Cluster => {
    const names = new Map<string, string>();
    nodeIds.set(plan.tier, names);
    return { id: clusterIds[index] ?? plan.tier, tier: plan.tier, ...tierContents(plan, ids, names) };
  });

  const externals: GraphNode[] = [];
  const externalIds = new Map<string, string>();
  const endpoint = (ref: ComponentRef): string => {
    const drawnId = nodeIds.get(ref.tier)?.get(ref.component);
    if (drawnId !== undefined) return drawnId;
    const key = `${ref.tier}.${ref.component}`;
    let id = externalIds.get(key);
    if (id === undefined) {
      id = ids.allocate(`${ref.tier}__${ref.component}`);
      externalIds.set(key, id);
      externals.push({ id, role: "external", label: [key] });
    }
    return id;
  };
  const isDrawn = (ref: ComponentRef): boolean => nodeIds.get(ref.tier)?.has(ref.component) === true;
  const links = (options.links ?? crossTierLinks(plans))
    .filter((link) => isDrawn(link.from) || isDrawn(link.to))
    .map((link): GraphEdge => ({ from: endpoint(link.from), to: endpoint(link.to), kind: "link", optional: false }));

  return { sourceFile: options.sourceFile ?? plans[0]?.sourceFile ?? "", clusters, externals, links };
}

function tierContents(plan: TierPlan, ids: IdAllocator, names: Map<string, string>): Pick<Cluster, "nodes" | "edges"> {
  const nodes: GraphNode[] = [];
  const add = (role: GraphNode["role"], name: string, detail: string): void => {
    const id = ids.allocate(`${plan.tier}__${name}`);
    names.set(name, id);
    nodes.push({ id, role, label: [name, detail] });
  };
  for (const source of plan.sources) add("source", source.id, chainText(source));
  for (const channel of plan.channels) add("channel", channel.id, channel.kind);
  for (const group of plan.groups) add("group", group.id, group.kind);
  for (const sink of plan.sinks) add("sink", sink.id, sink.kind);

  const idOf = (name: string): string => {
    const id = names.get(name);
    if (id === undefined) throw new Error(`internal: tier \`${plan.tier}\` has no component \`${name}\` to draw an edge to`);
    return id;
  };
  const edges: GraphEdge[] = [];
  for (const source of plan.sources) {
    for (const target of source.targets) edges.push({ from: idOf(source.id), to: idOf(target.channel), kind: "wire", optional: target.optional });
    for (const arm of source.route ?? []) {
      const label = arm.condition === undefined ? "else" : conditionText(arm.condition);
      for (const target of arm.targets) edges.push({ from: idOf(source.id), to: idOf(target.channel), kind: "route", optional: target.optional, label });
    }
  }
  for (const channel of plan.channels) {
    const readers = [...plan.groups.filter((group) => group.channel === channel.id), ...plan.sinks.filter((sink) => sink.channel === channel.id)];
    for (const reader of readers) edges.push({ from: idOf(channel.id), to: idOf(reader.id), kind: "wire", optional: false });
  }
  for (const group of plan.groups) {
    group.members.forEach((member, index) => {
      edges.push({ from: idOf(group.id), to: idOf(member), kind: "member", optional: false, label: String(index + 1) });
    });
  }
  return { nodes, edges };
}
