import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { buildGraph, renderDot, renderMermaid } from "../../compiler/graph";
import { ROOT } from "../helpers/run-cli";
import { layOutDot } from "./helpers/graphviz";
import { parseMermaid } from "./helpers/mermaid-structure";
import { plansOfFile } from "./helpers/plans";

/** Every `.flow` file under examples/, found when the tests run, so a new example is covered without a change here. */
const EXAMPLES = (readdirSync(join(ROOT, "examples"), { recursive: true, encoding: "utf8" }) as string[])
  .filter((path) => path.endsWith(".flow"))
  .sort()
  .map((path) => relative(ROOT, join(ROOT, "examples", path)));

describe("every example renders in both formats", () => {
  it("finds the examples", () => {
    expect(EXAMPLES).toContain(join("examples", "quickstart.flow"));
  });

  it.each(EXAMPLES)("%s", (path) => {
    const plans = plansOfFile(join(ROOT, path));
    const graph = buildGraph(plans);
    const components = plans.flatMap((plan) => [...plan.sources, ...plan.channels, ...plan.groups, ...plan.sinks]);

    const svg = layOutDot(renderDot(graph));
    expect(svg.clusters).toHaveLength(plans.length);
    expect(svg.nodes).toHaveLength(components.length);

    const document = parseMermaid(renderMermaid(graph));
    expect(document.subgraphs.size).toBe(plans.length);
    expect(document.nodes.size).toBe(components.length);
  });
});
