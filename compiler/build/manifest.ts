import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { dirname, relative, sep } from "node:path";
import type { CrossTierLink, TierPlan } from "../ir";
import { hostFootprint, type EnvVariable, type Listen, type Write } from "./host-footprint";

/** A `.flow` file of the topology, by its path relative to the root file's directory. */
export interface SourceDigest {
  readonly file: string;
  readonly sha256: string;
}

/**
 * `dist/<tier>/manifest.json`: what was built, from what, with what, and what the agent touches on its
 * host. No timestamps and no absolute paths (except a `--node` binary's), so two builds of the same input
 * give the same bytes. Keys are written in the order of this declaration.
 */
export interface Manifest {
  readonly flowcVersion: string;
  readonly tier: string;
  readonly node: { readonly version: string; readonly origin: string };
  /** Whether the binary carries V8's code cache (`--code-cache`): it starts faster but is not reproducible. */
  readonly codeCache: boolean;
  /** `path` is relative to the manifest's directory. */
  readonly binary: { readonly path: string; readonly sha256: string; readonly bytes: number };
  /** Every `.flow` file of the topology, the root first. */
  readonly source: readonly SourceDigest[];
  readonly listens: readonly Listen[];
  readonly writes: readonly Write[];
  readonly env: readonly EnvVariable[];
  /** Links to and from other tiers' agents: deploy them together, and open the firewall between them. */
  readonly links: readonly ManifestLink[];
}

/** `out`: this tier's `component` sends to `peer` (`tier.source`); `in`: `peer` (`tier.sink`) sends to `component`. */
export interface ManifestLink {
  readonly direction: "out" | "in";
  readonly component: string;
  readonly peer: string;
}

export interface ManifestInput {
  readonly plan: TierPlan;
  readonly node: { readonly version: string; readonly origin: string };
  readonly codeCache: boolean;
  readonly binary: { readonly path: string; readonly sha256: string; readonly bytes: number };
  readonly source: readonly SourceDigest[];
  /** Every link of the build; the manifest lists those of its tier. */
  readonly links: readonly CrossTierLink[];
}

export function tierManifest(input: ManifestInput): Manifest {
  const footprint = hostFootprint(input.plan);
  return {
    flowcVersion: input.plan.flowcVersion,
    tier: input.plan.tier,
    node: { version: input.node.version, origin: input.node.origin },
    codeCache: input.codeCache,
    binary: { path: input.binary.path, sha256: input.binary.sha256, bytes: input.binary.bytes },
    source: input.source.map((digest) => ({ file: digest.file, sha256: digest.sha256 })),
    listens: footprint.listens,
    writes: footprint.writes,
    env: footprint.env,
    links: input.links.flatMap((link): ManifestLink[] => {
      const out = link.from.tier === input.plan.tier ? [{ direction: "out" as const, component: link.from.component, peer: `${link.to.tier}.${link.to.component}` }] : [];
      const into = link.to.tier === input.plan.tier ? [{ direction: "in" as const, component: link.to.component, peer: `${link.from.tier}.${link.from.component}` }] : [];
      return [...out, ...into];
    }),
  };
}

export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * The digests of a topology's files (the root first, as the compiler read them), named relative to the
 * root's directory with `/`, so the manifest does not depend on where the build ran.
 */
export function sourceDigests(files: readonly { readonly path: string; readonly text: string }[]): SourceDigest[] {
  const root = files[0];
  if (root === undefined) return [];
  const base = dirname(root.path);
  return files.map((file) => ({
    file: relative(base, file.path).split(sep).join("/"),
    sha256: createHash("sha256").update(file.text, "utf8").digest("hex"),
  }));
}

/** The sha256 of a file, read as a stream (agent binaries are over 100 MB). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
