import { spawnSync } from "node:child_process";

export interface SvgElement {
  /** The node's id, the cluster's name, or `from->to` for an edge. */
  readonly title: string;
  /** Its `<text>` elements in order, decoded: a node's label lines, an edge's label. */
  readonly texts: readonly string[];
  /** Whether its outline is dashed (`style=dashed`). */
  readonly dashed: boolean;
}

export interface Svg {
  readonly clusters: readonly SvgElement[];
  readonly nodes: readonly SvgElement[];
  readonly edges: readonly SvgElement[];
}

/**
 * Lays `dot` text out with the real Graphviz (`dot -Tsvg`) and reads back what it drew. Graphviz must be
 * installed (Debian: `apt-get install -y graphviz`; CI installs it): without it the test fails, it does not
 * skip. Any message on stderr (Graphviz reports syntax errors and warnings there) fails too.
 */
export function layOutDot(dot: string): Svg {
  const run = spawnSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8", timeout: 30_000 });
  if (run.error !== undefined) {
    const missing = (run.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? "Graphviz `dot` is not installed, and these tests validate `flowc graph` output with it: apt-get install -y graphviz"
        : `could not run Graphviz \`dot\`: ${run.error.message}`,
    );
  }
  if (run.status !== 0 || run.stderr !== "") throw new Error(`Graphviz \`dot\` rejected the output (exit ${run.status}):\n${run.stderr}\n--- input ---\n${dot}`);
  return readSvg(run.stdout);
}

function readSvg(svg: string): Svg {
  const groups = [...svg.matchAll(/<g id="[^"]*" class="(node|edge|cluster)">\s*<title>([^<]*)<\/title>([\s\S]*?)<\/g>/g)];
  const elements = (kind: string): SvgElement[] =>
    groups
      .filter((group) => group[1] === kind)
      .map((group) => ({
        title: decodeXml(group[2] ?? ""),
        texts: [...(group[3] ?? "").matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((text) => decodeXml(text[1] ?? "")),
        dashed: /stroke-dasharray/.test(group[3] ?? ""),
      }));
  return { clusters: elements("cluster"), nodes: elements("node"), edges: elements("edge") };
}

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|amp|lt|gt|apos);/g, (_match, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
    return { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'" }[entity] ?? entity;
  });
}
