import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { flowSourceMap, generateEntry } from "../codegen";
import type { CrossTierLink, TierPlan } from "../ir";
import { bundleAgent } from "./bundle";
import { type EmbeddedNode, resolveEmbeddedNode } from "./embedded-node";
import { fileSha256, renderManifest, tierManifest, type SourceDigest } from "./manifest";
import { makeSeaBinary } from "./sea";
import { systemdUnit } from "./systemd-unit";

export interface BuildOptions {
  /** Binaries go to `<outDir>/<tier>/<tier>`, with `<tier>.service` and `manifest.json` next to them. */
  readonly outDir: string;
  /** A Node binary to embed instead of the pinned release. */
  readonly nodePath?: string;
  readonly onProgress: (line: string) => void;
  /** The topology's `.flow` files, the root first, for the manifest. */
  readonly sources: readonly SourceDigest[];
  /** The links between the build's tiers (of all its tiers, also with `--tier`), for the manifests. */
  readonly links: readonly CrossTierLink[];
  /** Put V8's code cache in the binaries: faster start, but not reproducible (recorded in the manifest). */
  readonly codeCache?: boolean;
  /** Keep the generated TypeScript as `<tier>.generated.ts` next to the binary. */
  readonly emitTs?: boolean;
}

export interface TierBuild {
  readonly tier: string;
  readonly binary: string;
  readonly bytes: number;
  readonly nodeVersion: string;
  readonly milliseconds: number;
}

/** Tiers built at once: the injection of each runs in its own process (see makeSeaBinary). */
const PARALLEL_TIERS = Math.max(1, Math.min(4, availableParallelism()));

/**
 * Builds one single-executable agent per plan, up to `PARALLEL_TIERS` at a time, and next to each its
 * deploy artefacts: a systemd unit and a manifest (written last: it describes the binary). Returns the
 * builds in the plans' order; each is reported as it finishes.
 */
export async function buildTiers(plans: readonly TierPlan[], options: BuildOptions): Promise<TierBuild[]> {
  const node = await resolveEmbeddedNode(options.nodePath, options.onProgress);
  const codeCache = options.codeCache === true;
  options.onProgress(`embedding Node.js ${node.version} (${node.origin})`);
  if (codeCache) options.onProgress("with V8's code cache (--code-cache): the binaries will differ from build to build");
  const builds: TierBuild[] = new Array(plans.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plans.length) {
      const index = next++;
      builds[index] = await buildTier(plans[index] as TierPlan, node, codeCache, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_TIERS, plans.length) }, worker));
  return builds;
}

async function buildTier(plan: TierPlan, node: EmbeddedNode, codeCache: boolean, options: BuildOptions): Promise<TierBuild> {
  const started = performance.now();
  const dir = join(options.outDir, plan.tier);
  const binary = join(dir, plan.tier);
  const generated = join(dir, `${plan.tier}.generated.ts`);
  const manifestPath = join(dir, "manifest.json");
  await mkdir(dir, { recursive: true });
  // Until the new one is written, no manifest: an old one would describe a binary that is being replaced.
  await rm(manifestPath, { force: true });
  const workDir = await mkdtemp(join(tmpdir(), `flowc-${plan.tier}-`));
  try {
    const entry = generateEntry(plan);
    // A file left by an earlier `--emit-ts` build would no longer match the binary.
    await (options.emitTs === true ? writeFile(generated, entry) : rm(generated, { force: true }));
    const entryName = `${plan.tier}.generated.ts`;
    const bundle = await bundleAgent(entry, entryName, "node24", flowSourceMap(entry, plan.sourceFile, entryName));
    await makeSeaBinary({ name: plan.tier, nodePath: node.path, bundle, output: binary, workDir, codeCache });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const bytes = (await stat(binary)).size;
  await writeFile(join(dir, `${plan.tier}.service`), systemdUnit(plan));
  const manifest = tierManifest({
    plan,
    node: { version: node.version, origin: node.origin },
    codeCache,
    binary: { path: basename(binary), sha256: await fileSha256(binary), bytes },
    source: options.sources,
    links: options.links,
  });
  await writeFile(manifestPath, renderManifest(manifest));
  const build: TierBuild = {
    tier: plan.tier,
    binary,
    bytes,
    nodeVersion: node.version,
    milliseconds: Math.round(performance.now() - started),
  };
  options.onProgress(`built tier \`${plan.tier}\` → ${binary} (${(build.bytes / 1_048_576).toFixed(1)} MiB) in ${(build.milliseconds / 1000).toFixed(1)}s`);
  return build;
}
