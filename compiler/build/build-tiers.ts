import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateEntry } from "../codegen";
import type { TierPlan } from "../ir";
import { bundleAgent } from "./bundle";
import { resolveEmbeddedNode } from "./embedded-node";
import { makeSeaBinary } from "./sea";

export interface BuildOptions {
  /** Binaries go to `<outDir>/<tier>/<tier>`. */
  readonly outDir: string;
  /** A Node binary to embed instead of the pinned release. */
  readonly nodePath?: string;
  readonly onProgress: (line: string) => void;
}

export interface TierBuild {
  readonly tier: string;
  readonly binary: string;
  readonly bytes: number;
  readonly nodeVersion: string;
  readonly milliseconds: number;
}

/** Builds one single-executable agent per plan, one after the other (injection needs a lot of memory). */
export async function buildTiers(plans: readonly TierPlan[], options: BuildOptions): Promise<TierBuild[]> {
  const node = await resolveEmbeddedNode(options.nodePath, options.onProgress);
  options.onProgress(`embedding Node.js ${node.version} (${node.origin})`);
  const builds: TierBuild[] = [];
  for (const plan of plans) {
    const started = performance.now();
    const dir = join(options.outDir, plan.tier);
    const binary = join(dir, plan.tier);
    await mkdir(dir, { recursive: true });
    const workDir = await mkdtemp(join(tmpdir(), `flowc-${plan.tier}-`));
    try {
      const entry = generateEntry(plan);
      const bundle = await bundleAgent(entry, `${plan.tier}.generated.ts`);
      await makeSeaBinary({ name: plan.tier, nodePath: node.path, bundle, output: binary, workDir });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    const build: TierBuild = {
      tier: plan.tier,
      binary,
      bytes: (await stat(binary)).size,
      nodeVersion: node.version,
      milliseconds: Math.round(performance.now() - started),
    };
    options.onProgress(`built tier \`${plan.tier}\` → ${binary} (${(build.bytes / 1_048_576).toFixed(1)} MiB) in ${(build.milliseconds / 1000).toFixed(1)}s`);
    builds.push(build);
  }
  return builds;
}
