import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { runInThisContext } from "node:vm";
import { bundleAgent } from "../build/bundle";
import { generateEntry, type EntryOptions } from "../codegen";
import type { TierPlan } from "../ir";
import { PACKAGE_ROOT } from "../package-root";

/**
 * Generates a tier's code, bundles it for the Node running flowc and evaluates it in this process, as a
 * CommonJS module. The same generated code as an agent binary, without packing one.
 */
export async function loadTier(plan: TierPlan, options: EntryOptions): Promise<Record<string, unknown>> {
  const name = `${plan.tier}.generated.ts`;
  const code = await bundleAgent(generateEntry(plan, options), name, `node${process.versions.node.split(".")[0]}`);
  const filename = join(PACKAGE_ROOT, name.replace(/\.ts$/, ".cjs"));
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename }) as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void;
  wrapper(module.exports, createRequire(filename), module, filename, dirname(filename));
  return module.exports;
}
