/**
 * A strict reader of the mermaid that `flowc graph` writes (no mermaid CLI works offline). It accepts only
 * the subset renderMermaid uses and throws, naming the line, on anything else, so a test fails when the
 * output drifts from what mermaid's flowchart lexer (flow.jison) reads the way we mean it:
 * - a comment `%% …`, then `flowchart LR`;
 * - `subgraph ID["TITLE"]` … `end`, not nested;
 * - nodes `ID<open>"LABEL"<close>` with one of the shapes below;
 * - edges `ID --> ID`, `ID -.-> ID`, `ID ==> ID`, each optionally with `|"LABEL"|` after the arrow.
 * Labels must hold no raw `"`, no `#` outside an entity code, none of `<>&:%@` or a backtick outside `<br/>`,
 * no control character; they come back decoded, with `<br/>` as "\n".
 */
export interface MermaidNode {
  readonly id: string;
  readonly shape: string;
  readonly label: string;
  readonly subgraph: string | undefined;
}

export interface MermaidEdge {
  readonly from: string;
  readonly to: string;
  readonly arrow: "-->" | "-.->" | "==>";
  readonly label: string | undefined;
  readonly subgraph: string | undefined;
}

export interface MermaidDocument {
  readonly comments: readonly string[];
  readonly subgraphs: ReadonlyMap<string, string>;
  readonly nodes: ReadonlyMap<string, MermaidNode>;
  readonly edges: readonly MermaidEdge[];
}

const SHAPES: Readonly<Record<string, string>> = {
  "[/": "/]",
  "[(": ")]",
  "[[": "]]",
  "([": "])",
  "[": "]",
};

const RESERVED_ID_PREFIXES = ["style", "linkStyle", "interpolate", "class", "graph", "flowchart", "subgraph", "_self", "_blank", "_parent", "_top"];
const ENTITIES: Readonly<Record<string, string>> = { quot: '"', amp: "&", lt: "<", gt: ">" };

const ID = "([A-Za-z_][A-Za-z0-9_]*)";
const STRING = '"([^"]*)"';
const SUBGRAPH = new RegExp(`^subgraph ${ID}\\[${STRING}\\]$`);
const NODE = new RegExp(`^${ID}(\\[/|\\[\\(|\\[\\[|\\(\\[|\\[)${STRING}(/\\]|\\)\\]|\\]\\]|\\]\\)|\\])$`);
const EDGE = new RegExp(`^${ID} (-->|-\\.->|==>)(?:\\|${STRING}\\|)? ${ID}$`);

export function parseMermaid(text: string): MermaidDocument {
  if (!text.endsWith("\n")) throw new Error("the text does not end with a newline");
  const lines = text.slice(0, -1).split("\n");
  const comments: string[] = [];
  const subgraphs = new Map<string, string>();
  const nodes = new Map<string, MermaidNode>();
  const edges: MermaidEdge[] = [];
  let header = false;
  let current: string | undefined;

  lines.forEach((raw, index) => {
    const where = `line ${index + 1} (${JSON.stringify(raw)})`;
    // The lexer rules that match whole lines whatever they hold: a `direction` statement, and mermaid's
    // rewriting of `style…:…#…;` before parsing.
    if (/direction\s+(TB|BT|RL|LR)/.test(raw)) throw new Error(`${where}: would be read as a direction statement`);
    if (/style.*:\S*#.*;/.test(raw) || /classDef.*:\S*#.*;/.test(raw)) throw new Error(`${where}: mermaid would rewrite it`);
    if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(raw)) throw new Error(`${where}: holds a control character`);
    const line = raw.trim();
    if (line.startsWith("%%")) {
      if (!line.startsWith("%% ")) throw new Error(`${where}: a comment must start with "%% "`);
      comments.push(line.slice(3));
      return;
    }
    if (!header) {
      if (line !== "flowchart LR") throw new Error(`${where}: expected "flowchart LR"`);
      header = true;
      return;
    }
    const subgraph = SUBGRAPH.exec(line);
    if (subgraph !== null) {
      if (current !== undefined) throw new Error(`${where}: subgraphs are not nested`);
      const id = checkId(subgraph[1] ?? "", where);
      if (subgraphs.has(id) || nodes.has(id)) throw new Error(`${where}: id \`${id}\` is used twice`);
      subgraphs.set(id, decodeLabel(subgraph[2] ?? "", where, false));
      current = id;
      return;
    }
    if (line === "end") {
      if (current === undefined) throw new Error(`${where}: \`end\` outside a subgraph`);
      current = undefined;
      return;
    }
    const node = NODE.exec(line);
    if (node !== null) {
      const id = checkId(node[1] ?? "", where);
      const open = node[2] ?? "";
      if (SHAPES[open] !== node[4]) throw new Error(`${where}: shape opened with \`${open}\` is closed with \`${node[4]}\``);
      if (nodes.has(id) || subgraphs.has(id)) throw new Error(`${where}: id \`${id}\` is used twice`);
      nodes.set(id, { id, shape: open, label: decodeLabel(node[3] ?? "", where, true), subgraph: current });
      return;
    }
    const edge = EDGE.exec(line);
    if (edge !== null) {
      edges.push({
        from: checkId(edge[1] ?? "", where),
        arrow: edge[2] as MermaidEdge["arrow"],
        label: edge[3] === undefined ? undefined : decodeLabel(edge[3], where, false),
        to: checkId(edge[4] ?? "", where),
        subgraph: current,
      });
      return;
    }
    throw new Error(`${where}: not a line flowc writes`);
  });

  if (!header) throw new Error('no "flowchart LR" line');
  if (current !== undefined) throw new Error(`subgraph \`${current}\` is not closed`);
  for (const edge of edges) {
    for (const end of [edge.from, edge.to]) if (!nodes.has(end)) throw new Error(`edge ${edge.from} ${edge.arrow} ${edge.to}: \`${end}\` is not a declared node`);
  }
  return { comments, subgraphs, nodes, edges };
}

function checkId(id: string, where: string): string {
  if (id === "end" || RESERVED_ID_PREFIXES.some((prefix) => id.startsWith(prefix))) throw new Error(`${where}: id \`${id}\` starts with a mermaid keyword`);
  return id;
}

function decodeLabel(label: string, where: string, multiline: boolean): string {
  const parts = label.split("<br/>");
  if (!multiline && parts.length > 1) throw new Error(`${where}: a line break in a one-line label`);
  return parts
    .map((part) => {
      const forbidden = /[<>&:%@`]/.exec(part);
      if (forbidden !== null) throw new Error(`${where}: raw \`${forbidden[0]}\` in a label`);
      return part.replace(/#([^;#]*);|#/g, (match, code: string | undefined) => {
        if (code === undefined) throw new Error(`${where}: a \`#\` that starts no entity code`);
        if (/^\d+$/.test(code)) return String.fromCodePoint(Number(code));
        const named = ENTITIES[code];
        if (named === undefined) throw new Error(`${where}: unknown entity \`${match}\``);
        return named;
      });
    })
    .join("\n");
}
