import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleAgent } from "../../compiler/build/bundle";
import { flowSourceMap, generateEntry } from "../../compiler/codegen";
import { compileSource } from "../../compiler/pipeline";

const FLOW = `tier edge {
  source lines = tcp { port = 0 }
    | static(key = "dc", value = "eu")

  channel mem = memory {}
  sink out = files { path = "out.log" }
  lines -> mem -> out
}
`;

const work = mkdtempSync(join(tmpdir(), "flowc-sourcemap-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function planOf(text: string) {
  const plan = compileSource("edge.flow", text).plans?.[0];
  if (plan === undefined) throw new Error("expected a plan");
  return plan;
}

/** The generated entry with a throw placed right after the comment that introduces `marker`'s code. */
function entryThrowingAt(marker: string): string {
  const lines = generateEntry(planOf(FLOW), { mode: "module" }).split("\n");
  const at = lines.findIndex((line) => line.includes(marker));
  if (at < 0) throw new Error(`no line with ${marker}`);
  lines.splice(at + 1, 0, 'throw new Error("probe");');
  return `${lines.join("\n")}\nbuildTopology({ read: () => undefined } as never);\n`;
}

/** Runs a bundle with source maps on, as agents do (`execArgv` in the SEA config), and returns stderr. */
function runBundle(code: string): string {
  const file = join(work, `bundle-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(file, code);
  return spawnSync(process.execPath, ["--enable-source-maps", file], { encoding: "utf8" }).stderr;
}

describe("source maps from the agent back to the .flow file", () => {
  it("maps every generated line after a component's comment to that component's .flow line", () => {
    const entry = generateEntry(planOf(FLOW));
    const map = flowSourceMap(entry, "edge.flow", "edge.generated.ts");
    expect(map.sources).toEqual(["edge.flow", "edge.generated.ts"]);
    expect(map.mappings.split(";")).toHaveLength(entry.split("\n").length);
  });

  it("makes a stack trace through a source's construction name its line in the .flow file", async () => {
    const entry = entryThrowingAt("// source `lines` (edge.flow:2)");
    const bundle = await bundleAgent(entry, "edge.generated.ts", "node20", flowSourceMap(entry, "edge.flow", "edge.generated.ts"));
    expect(runBundle(bundle)).toMatch(/Error: probe\n\s+at buildTopology \(.*edge\.flow:2:1\)/);
  });

  it("names the interceptor's line for code of its chain, and the sink's line for the sink", async () => {
    for (const [marker, line] of [
      ["// interceptor `static` (edge.flow:3)", 3],
      ["// sink `out` (edge.flow:6)", 6],
    ] as const) {
      const entry = entryThrowingAt(marker);
      const bundle = await bundleAgent(entry, "edge.generated.ts", "node20", flowSourceMap(entry, "edge.flow", "edge.generated.ts"));
      expect(runBundle(bundle)).toContain(`edge.flow:${line}:1`);
    }
  });

  it("maps lines before the first component to the generated file, which --emit-ts keeps", async () => {
    const lines = generateEntry(planOf(FLOW), { mode: "module" }).split("\n");
    const importLine = lines.findIndex((line) => line.startsWith("import "));
    lines.splice(importLine, 0, 'throw new Error("probe");');
    const entry = lines.join("\n");
    const bundle = await bundleAgent(entry, "edge.generated.ts", "node20", flowSourceMap(entry, "edge.flow", "edge.generated.ts"));
    expect(runBundle(bundle)).toContain(`edge.generated.ts:${importLine + 1}:1`);
  });
});
