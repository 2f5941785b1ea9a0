import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { PACKAGE_ROOT, RUNTIME_ENTRY } from "../package-root";
import { inlineSourceMapComment, RUNTIME_MODULE, type SourceMapV3 } from "../codegen";

/** Maps the generated code's `flowc/runtime` import to the runtime sources of this flowc. */
const runtimeAlias: Plugin = {
  name: "flowc-runtime",
  setup(build) {
    build.onResolve({ filter: /^flowc\/runtime$/ }, () => ({ path: RUNTIME_ENTRY }));
  },
};

/**
 * Replaces kafkajs's quadratic `groupMessagesPerPartition` with ours (same result, linear): see
 * runtime/kafka/group-messages-per-partition.ts. Only agents with a Kafka component contain kafkajs.
 */
const kafkajsGrouping: Plugin = {
  name: "flowc-kafkajs-grouping",
  setup(build) {
    build.onLoad({ filter: /[\\/]kafkajs[\\/]src[\\/]producer[\\/]groupMessagesPerPartition\.js$/ }, () => ({
      contents: `module.exports = require(${JSON.stringify(join(PACKAGE_ROOT, "runtime/kafka/group-messages-per-partition.ts"))}).groupMessagesPerPartition;`,
      loader: "js",
      resolveDir: PACKAGE_ROOT,
    }));
  },
};

/**
 * Bundles a generated entry with the runtime into one CommonJS file for Node's single-executable
 * support (which runs CommonJS and can require only built-in modules). Paths in the output are relative
 * to flowc's package root, so the bundle does not depend on where flowc is installed.
 */
export async function bundleAgent(entrySource: string, entryName: string, target = "node24", sourceMap?: SourceMapV3): Promise<string> {
  // The entry's own map (to the `.flow` file) is composed by esbuild into the bundle's inline map; the
  // runtime's sources are named by path only (no contents), which keeps the map small.
  const contents = sourceMap === undefined ? entrySource : `${entrySource}${inlineSourceMapComment(sourceMap)}`;
  const result = await build({
    stdin: { contents, loader: "ts", sourcefile: entryName, resolveDir: PACKAGE_ROOT },
    ...(sourceMap === undefined ? {} : { sourcemap: "inline" as const, sourcesContent: false }),
    absWorkingDir: PACKAGE_ROOT,
    bundle: true,
    platform: "node",
    target,
    format: "cjs",
    write: false,
    plugins: [runtimeAlias, kafkajsGrouping],
    legalComments: "none",
    logLevel: "silent",
    external: [RUNTIME_MODULE],
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild produced no output");
  return output.text;
}
