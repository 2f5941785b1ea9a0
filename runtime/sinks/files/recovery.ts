import { open, readdir, rename, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "../../core/log";
import { describeFileError } from "../file-output/file-errors";
import { syncDirectory } from "../file-output/file-set";
import { completeGzipLength, lengthThroughLastNewline } from "../file-output/tail-repair";
import type { TemplatePart } from "./path-template";

export interface RecoveryOptions {
  readonly in_use_prefix: string;
  readonly in_use_suffix: string;
  readonly suffix: string;
  readonly compression: "none" | "gzip";
  readonly sync: boolean;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * What a finished file of this template is called: the template with each escape matching any text
 * without `/` (`%D` spans three directory levels), then `.<counter><suffix>` and `.gz` for gzip.
 */
export function finishedNamePattern(parts: readonly TemplatePart[], options: RecoveryOptions): RegExp {
  let pattern = "^";
  for (const part of parts) {
    if (part.kind === "literal") pattern += escapeRegex(part.text);
    else if (part.kind === "time" && part.letter === "D") pattern += "[^/]*/[^/]*/[^/]*";
    else pattern += "[^/]*";
  }
  const extension = options.compression === "gzip" && !options.suffix.endsWith(".gz") ? ".gz" : "";
  return new RegExp(`${pattern}\\.\\d+${escapeRegex(options.suffix + extension)}$`);
}

/**
 * Finishes the files an earlier run left in progress (a crash, a kill, a power cut): every file under the
 * template's fixed directory named `<in_use_prefix><name><in_use_suffix>` whose `<name>` is one the
 * template makes. Its tail is cut back to the last complete line (or gzip member): a torn batch was not
 * acknowledged, and the channel delivers it again. Then it is renamed to `<name>`. Returns how many were
 * finished. With neither an in-use prefix nor suffix there is nothing to recognise and nothing is done.
 */
export async function recoverInProgressFiles(parts: readonly TemplatePart[], options: RecoveryOptions, log: Logger): Promise<number> {
  const { in_use_prefix: prefix, in_use_suffix: suffix } = options;
  if (prefix === "" && suffix === "") return 0;
  const first = parts[0];
  const fixed = first?.kind === "literal" ? first.text : "";
  const head = fixed.slice(0, fixed.lastIndexOf("/") + 1);
  const rest = parts.map((part) => (part.kind === "literal" ? part.text : part.kind === "time" && part.letter === "D" ? "x/x/x" : "x")).join("").slice(head.length);
  const depth = rest.split("/").length - 1;
  const pattern = finishedNamePattern(parts, options);
  let finished = 0;

  const visit = async (directory: string, level: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(directory === "" ? "." : directory, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") log.warn("cannot look for in-progress files", { directory: directory || ".", error: describeFileError(error) });
      return;
    }
    for (const entry of entries) {
      const path = directory + entry.name;
      if (entry.isDirectory()) {
        if (level < depth) await visit(`${path}/`, level + 1);
        continue;
      }
      if (!entry.isFile() || entry.name.length <= prefix.length + suffix.length || !entry.name.startsWith(prefix) || !entry.name.endsWith(suffix)) continue;
      const final = directory + entry.name.slice(prefix.length, entry.name.length - suffix.length);
      if (!pattern.test(final)) continue;
      if (await finish(path, final, options, log)) finished++;
    }
  };
  await visit(head, 0);
  if (finished > 0) log.info("finished in-progress files left by an earlier run", { files: finished });
  return finished;
}

async function finish(path: string, final: string, options: RecoveryOptions, log: Logger): Promise<boolean> {
  try {
    if (await exists(final)) {
      log.warn("an in-progress file left by an earlier run has a finished twin; leaving both", { file: path, finished: final });
      return false;
    }
    const handle = await open(path, "r+");
    try {
      const size = (await handle.stat()).size;
      const complete = options.compression === "gzip" ? await completeGzipLength(handle, size) : await lengthThroughLastNewline(handle, size);
      if (complete !== undefined && complete < size) {
        await handle.truncate(complete);
        log.warn("cut a batch torn by a crash from the end of an in-progress file (the channel delivers it again)", { file: path, bytes: size - complete });
      }
      if (options.sync) await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(path, final);
    if (options.sync) await syncDirectory(dirname(final));
    log.info("finished an in-progress file left by an earlier run", { file: final });
    return true;
  } catch (error) {
    log.error("cannot finish an in-progress file left by an earlier run", { file: path, error: describeFileError(error) });
    return false;
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
