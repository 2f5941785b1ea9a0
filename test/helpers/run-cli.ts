import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "flowc.cjs");

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `flowc` CLI (build/flowc.cjs, made by `npm run build`, which `npm test` runs first). */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    timeout: options.timeoutMs ?? 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `flowc build FILE --out OUT [OPTIONS…]` for an end-to-end test's setup (a build injects a 120 MB binary:
 * up to 170 s on a loaded CI machine); throws with flowc's output when it fails.
 */
export function buildFlow(file: string, out: string, ...options: string[]): void {
  const build = runCli(["build", file, "--out", out, ...options], { timeoutMs: 170_000 });
  if (build.status !== 0) throw new Error(`flowc build ${[file, ...options].join(" ")} failed (${build.status}):\n${build.stderr}`);
}
