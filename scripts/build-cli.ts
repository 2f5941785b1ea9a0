// Bundles the CLI into build/flowc.cjs. chevrotain is ESM-only and is bundled in; the other
// dependencies stay external (esbuild has a native binary, ts-morph and postject are large CommonJS).
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

await build({
  entryPoints: [join(root, "compiler/cli/index.ts")],
  outfile: join(root, "build/flowc.cjs"),
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: ["esbuild", "ts-morph", "postject", "commander"],
  sourcemap: "linked",
  logLevel: "warning",
  // compiler/package-root.ts reads import.meta only when __dirname is missing, which never happens in CommonJS.
  logOverride: { "empty-import-meta": "silent" },
});
