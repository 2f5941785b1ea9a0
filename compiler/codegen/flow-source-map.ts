/** A version 3 source map, as esbuild reads it from an input file's `sourceMappingURL` comment. */
export interface SourceMapV3 {
  readonly version: 3;
  readonly sources: readonly string[];
  readonly names: readonly string[];
  readonly mappings: string;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** One base64 VLQ number of a source map's `mappings`. */
function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let text = "";
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    text += BASE64[digit];
  } while (rest > 0);
  return text;
}

/**
 * Maps the generated entry back to the `.flow` file: the generator writes a `// … (FILE:LINE)` comment
 * before the code of each component, interceptor and `drop()`, so every line from such a comment to the
 * next one maps to that `.flow` line. Lines before the first one (imports, the embedded plan) map to the
 * generated file itself, which `flowc build --emit-ts` keeps. esbuild carries this map into the bundle's,
 * so a stack trace through generated code names the `.flow` line that produced it.
 */
export function flowSourceMap(generated: string, flowFile: string, generatedFile: string): SourceMapV3 {
  const marker = new RegExp(`\\(${flowFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+)\\)`);
  const segments: string[] = [];
  // Fields are deltas from the previous segment: source index, source line (0-based), column.
  let previousSource = 0;
  let previousLine = 0;
  let flowLine: number | undefined;
  const lines = generated.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index] as string;
    const found = /^\s*\/\//.test(text) ? marker.exec(text) : null;
    if (found !== null) flowLine = Number(found[1]) - 1;
    const source = flowLine === undefined ? 1 : 0;
    const line = flowLine ?? index;
    segments.push(`${vlq(0)}${vlq(source - previousSource)}${vlq(line - previousLine)}${vlq(0)}`);
    previousSource = source;
    previousLine = line;
  }
  return { version: 3, sources: [flowFile, generatedFile], names: [], mappings: segments.join(";") };
}

/** The comment that hands `map` to the bundler with the code it describes. */
export function inlineSourceMapComment(map: SourceMapV3): string {
  return `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
}
