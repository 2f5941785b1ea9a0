import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildGraph, renderDot, renderMermaid } from "../../compiler/graph";
import { layOutDot } from "./helpers/graphviz";
import { parseMermaid } from "./helpers/mermaid-structure";
import { FIXTURES, plansOfFile } from "./helpers/plans";

/**
 * The representative file (fixtures/weblogs.flow): two tiers, fan-out, an optional channel, interceptor
 * chains with drops, a route with several arms and `else` (one with an optional target), a failover and a
 * load-balancing group, and two forward sinks linking the tiers. What should be drawn is written out here by hand, not derived from the plans.
 */
const NODES: readonly (readonly [id: string, role: "source" | "channel" | "group" | "sink", label: string])[] = [
  ["edge__access", "source", "access\ntcp | host | timestamp | drop(body ~ /healthcheck/)"],
  ["edge__errors", "source", "errors\ntcp | static"],
  ["edge__buf", "channel", "buf\nmemory"],
  ["edge__audit", "channel", "audit\nmemory"],
  ["edge__spill", "channel", "spill\nmemory"],
  ["edge__up", "sink", "up\nforward"],
  ["edge__audit_out", "sink", "audit_out\nfiles"],
  ["edge__spill_out", "sink", "spill_out\nforward"],
  ["collector__inbound", "source", 'inbound\nlisten | host | static | drop(header.level == "TRACE" or body !~ /\\S/)'],
  ["collector__replay", "source", "replay\nlisten"],
  ["collector__hot", "channel", "hot\nmemory"],
  ["collector__archive", "channel", "archive\nmemory"],
  ["collector__slow", "channel", "slow\nmemory"],
  ["collector__out", "group", "out\nfailover"],
  ["collector__slowlog", "group", "slowlog\nload_balance"],
  ["collector__alerts", "sink", "alerts\nfiles"],
  ["collector__store", "sink", "store\nfiles"],
  ["collector__spare", "sink", "spare\nfiles"],
  ["collector__slow_a", "sink", "slow_a\nfiles"],
  ["collector__slow_b", "sink", "slow_b\nfiles"],
];

const LEVELS = 'header.level in ["ERROR", "FATAL"]';
const SLOW = 'body ~ /took \\d+ms/ and header["x-request-id"] exists';
const NOT_DEBUG = 'not (header.level == "DEBUG" or header.host != "web<1>")';

const EDGES: readonly (readonly [from: string, to: string, label: string | undefined, optional: boolean])[] = [
  // Fan-out, with an optional channel.
  ["edge__access", "edge__buf", undefined, false],
  ["edge__access", "edge__audit", undefined, false],
  ["edge__access", "edge__spill", undefined, true],
  ["edge__errors", "edge__buf", undefined, false],
  ["edge__buf", "edge__up", undefined, false],
  ["edge__audit", "edge__audit_out", undefined, false],
  ["edge__spill", "edge__spill_out", undefined, false],
  // The route: one edge per target of each arm, labelled with the arm's condition.
  ["collector__inbound", "collector__hot", LEVELS, false],
  ["collector__inbound", "collector__archive", LEVELS, false],
  ["collector__inbound", "collector__slow", SLOW, false],
  ["collector__inbound", "collector__hot", SLOW, true],
  ["collector__inbound", "collector__archive", NOT_DEBUG, false],
  ["collector__inbound", "collector__archive", "else", false],
  ["collector__replay", "collector__archive", undefined, false],
  ["collector__hot", "collector__alerts", undefined, false],
  ["collector__archive", "collector__out", undefined, false],
  ["collector__slow", "collector__slowlog", undefined, false],
  // Groups to their members, numbered in list order.
  ["collector__out", "collector__store", "1", false],
  ["collector__out", "collector__spare", "2", false],
  ["collector__slowlog", "collector__slow_a", "1", false],
  ["collector__slowlog", "collector__slow_b", "2", false],
  // The links between the tiers: the forward sinks to the listen source.
  ["edge__up", "collector__inbound", undefined, false],
  ["edge__spill_out", "collector__inbound", undefined, false],
];

const graph = buildGraph(plansOfFile(join(FIXTURES, "weblogs.flow")));
const sorted = <T>(items: readonly T[]): string[] => items.map((item) => JSON.stringify(item)).sort();
const tierOf = (id: string): string => id.split("__")[0] ?? "";

describe("the weblogs topology in mermaid", () => {
  const document = parseMermaid(renderMermaid(graph));
  const SHAPE = { source: "[/", channel: "[(", group: "[[", sink: "([" };

  it("has one subgraph per tier", () => {
    expect(document.subgraphs).toEqual(
      new Map([
        ["edge", "tier edge"],
        ["collector", "tier collector"],
      ]),
    );
  });

  it("draws every component once, in its tier, shaped by role, with its name and kind", () => {
    expect([...document.nodes.values()].map((node) => [node.id, node.shape, node.label, node.subgraph])).toEqual(
      NODES.map(([id, role, label]) => [id, SHAPE[role], label, tierOf(id)]),
    );
  });

  it("draws every edge, dashed when optional, labelled with route conditions and member positions", () => {
    expect(document.edges.map((edge) => [edge.from, edge.to, edge.label, edge.arrow === "-.->"])).toEqual(EDGES.map((edge) => [...edge]));
    // Edges within a tier are drawn in its subgraph; links between tiers outside any, thick.
    const links = document.edges.filter((edge) => tierOf(edge.from) !== tierOf(edge.to));
    expect(links.map((edge) => [edge.arrow, edge.subgraph])).toEqual([
      ["==>", undefined],
      ["==>", undefined],
    ]);
    expect(document.edges.filter((edge) => !links.includes(edge)).every((edge) => edge.subgraph === tierOf(edge.from))).toBe(true);
  });
});

describe("the weblogs topology through Graphviz", () => {
  const svg = layOutDot(renderDot(graph));

  it("has one cluster per tier", () => {
    expect(svg.clusters.map((cluster) => [cluster.title, cluster.texts])).toEqual([
      ["cluster_edge", ["tier edge"]],
      ["cluster_collector", ["tier collector"]],
    ]);
  });

  // Graphviz writes elements in its own order: compare them sorted.
  it("draws every component once with its label lines", () => {
    expect(sorted(svg.nodes.map((node) => [node.title, node.texts]))).toEqual(sorted(NODES.map(([id, , label]) => [id, label.split("\n")])));
  });

  it("draws every edge, dashed when optional, with its label as written", () => {
    expect(sorted(svg.edges.map((edge) => [edge.title, edge.texts[0], edge.dashed]))).toEqual(
      sorted(EDGES.map(([from, to, label, optional]) => [`${from}->${to}`, label, optional])),
    );
  });
});
