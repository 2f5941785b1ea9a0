import { randomBytes } from "node:crypto";
import { chmod, realpath, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { formatSource } from "../fmt";
import { CliError, ExitCode } from "./exit-codes";
import { readFlowFile } from "./read-input";
import { reportDiagnostics } from "./report-diagnostics";

export interface FmtOptions {
  /** Write nothing; exit 1 and list the files that would change. */
  readonly check: boolean;
  /** Print the formatted text of the (single) file instead of writing it. */
  readonly stdout: boolean;
}

/**
 * `flowc fmt FILE...`: rewrites each file in its canonical layout (only when that changes it). A file
 * with syntax errors is left untouched and its errors are printed as `flowc check` prints them.
 */
export async function fmtCommand(paths: readonly string[], options: FmtOptions): Promise<number> {
  if (options.stdout && paths.length !== 1) throw new CliError("--stdout formats exactly one file", ExitCode.usage);
  // Read everything first: a missing file is a usage error, and then nothing has been written.
  const files = [];
  for (const path of paths) files.push({ path, text: await readFlowFile(path) });

  let exitCode: number = ExitCode.ok;
  for (const { path, text } of files) {
    const formatted = formatSource(path, text);
    if (formatted.kind === "syntax-errors") {
      reportDiagnostics(formatted.result, "pretty");
      exitCode = ExitCode.inputErrors;
      continue;
    }
    if (options.stdout) {
      process.stdout.write(formatted.text);
    } else if (!formatted.changed) {
      continue;
    } else if (options.check) {
      process.stdout.write(`${path}\n`);
      exitCode = ExitCode.inputErrors;
    } else {
      await replaceFile(path, formatted.text);
      process.stderr.write(`formatted ${path}\n`);
    }
  }
  return exitCode;
}

/** Writes a sibling temporary file and renames it over the target, so a crash never leaves half a file. */
async function replaceFile(path: string, text: string): Promise<void> {
  const target = await realpath(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temporary, text, { encoding: "utf8", flag: "wx" });
    await chmod(temporary, (await stat(target)).mode & 0o7777);
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new CliError(`cannot write \`${path}\`: ${(error as Error).message}`, ExitCode.inputErrors);
  }
}

/** The exit codes block of `flowc fmt --help`. */
export const FMT_EXIT_CODE_HELP = `
Exit codes:
  0  success: every file is formatted (rewritten if it was not)
  1  with --check, a file would change; or a file has syntax errors (it is left untouched)
  2  usage error: bad options, or a path that is not a readable file
  3  internal error: a bug in flowc, please report it`;
