import { it } from "vitest";
import { compileSource } from "../../compiler/pipeline";
const cases: Record<string, (n: number) => string> = {
  listOpen: (n) => `source s = t { p = ${"[".repeat(n)}`,
  listClosed: (n) => `source s = t { p = ${"[".repeat(n)}${"]".repeat(n)} }`,
  blockOpen: (n) => `source s = t { p = ${"{".repeat(n)}`,
  blocks: (n) => `source s = t { ${"p = {".repeat(n)}${"}".repeat(n)} }`,
  callOpen: (n) => `source s = t { p = ${"env(".repeat(n)}`,
  parensOpen: (n) => `source s = t | drop(${"(".repeat(n)}`,
  parens: (n) => `source s = t | drop(${"(".repeat(n)}body exists${")".repeat(n)})`,
  nots: (n) => `source s = t | drop(${"not ".repeat(n)}body exists)`,
  tierParens: (n) => `tier a { source s = tcp { port = 1 } | drop(${"(".repeat(n)}body exists${")".repeat(n)}) }`,
};
it("thresholds", { timeout: 600_000 }, () => {
  for (const [name, make] of Object.entries(cases)) {
    const throws = (n: number): string | undefined => { try { compileSource("a.flow", make(n), { readFile: () => undefined }); return undefined; } catch (e) { return String((e as Error).stack).split("\n").slice(0, 12).join("\n"); } };
    let lo = 1, hi = 20000;
    if (throws(hi) === undefined) { console.log(name, "no throw at", hi); continue; }
    while (lo < hi) { const mid = (lo + hi) >> 1; if (throws(mid) !== undefined) hi = mid; else lo = mid + 1; }
    const t = performance.now(); throws(lo - 1); const ms = performance.now() - t;
    console.log(name, "throws from depth", lo, `(depth ${lo - 1} compiles in ${ms.toFixed(0)} ms)\n`, throws(lo));
  }
});
