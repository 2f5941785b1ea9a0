import { execFile } from "node:child_process";
import { chmod, copyFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { PACKAGE_ROOT } from "../package-root";

const run = promisify(execFile);

/** The fuse Node checks to know a blob was injected (from Node's single-executable documentation). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/**
 * The Node.js options every agent binary starts with. `--enable-source-maps`: stack traces name the
 * `.flow` line and the runtime's source file (the bundle carries an inline map, see bundleAgent).
 * `--max-semi-space-size=8` (MiB): Node 24's larger default young generation made a busy agent's peak RSS
 * a third higher for no measurable throughput (peers.sh J1: 160 MB → 109 MB at ~0.95M events/s either
 * way). NODE_OPTIONS still overrides both. bench/pipeline.ts --as-agent runs with the same.
 */
export const AGENT_EXEC_ARGV: readonly string[] = ["--enable-source-maps", "--max-semi-space-size=8"];

export interface SeaOptions {
  /** Names the script inside the binary (it appears in stack traces as `<name>.cjs`). */
  readonly name: string;
  /** The Node binary to embed; it must also be the one that makes the blob. */
  readonly nodePath: string;
  readonly bundle: string;
  /** Where to put the finished binary (replaced atomically). */
  readonly output: string;
  /** A private scratch directory. */
  readonly workDir: string;
  /** Put V8's code cache in the blob: the agent starts faster, but the blob differs on every build. */
  readonly codeCache?: boolean;
}

/**
 * Makes a Node single-executable application: the blob is prepared by the same Node binary that is
 * then copied and injected with postject. No code cache unless asked for: a blob with V8's code cache
 * differs on every build, and builds are reproducible by default.
 */
export async function makeSeaBinary(options: SeaOptions): Promise<void> {
  const { nodePath, bundle, output, workDir, name } = options;
  const main = `${name}.cjs`;
  const blob = join(workDir, "agent.blob");
  const config = join(workDir, "sea-config.json");
  await writeFile(join(workDir, main), bundle);
  // The blob records `main` as written here: a relative path keeps the scratch directory's random name
  // out of the binary, which would otherwise differ on every build.
  await writeFile(
    config,
    JSON.stringify({
      main,
      output: "agent.blob",
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: options.codeCache === true,
      execArgv: AGENT_EXEC_ARGV,
    }),
  );
  await run(nodePath, ["--experimental-sea-config", config], { cwd: workDir, env: {} });

  const staged = join(workDir, "agent.bin");
  await copyFile(nodePath, staged);
  await chmod(staged, 0o755);
  await injectQuietly(staged, blob);
  await rename(staged, output).catch(async () => {
    // Across file systems rename fails: copy, then replace.
    await copyFile(staged, `${output}.tmp`);
    await rename(`${output}.tmp`, output);
  });
  await rm(blob, { force: true });
}

/**
 * Injects the blob with postject's command line in a child process rather than its API in this one: the
 * injection (LIEF compiled to WebAssembly) is most of a tier's build time and runs on one thread, so
 * several tiers inject in parallel (see buildTiers). Its harmless "Can't find string offset" warnings
 * are held back and shown only if the injection fails.
 */
async function injectQuietly(binary: string, blob: string): Promise<void> {
  const cli = createRequire(join(PACKAGE_ROOT, "package.json")).resolve("postject/dist/cli.js");
  try {
    await run(process.execPath, [cli, binary, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE], { maxBuffer: 64 * 1_048_576 });
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`postject could not inject the agent: ${message}\n${stdout ?? ""}${stderr ?? ""}`);
  }
}
