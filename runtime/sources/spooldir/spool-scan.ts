import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** The suffix of files refused because they changed while being read. */
export const FAILED_SUFFIX = ".FAILED";

/** A file that may be read, as a directory listing saw it. */
export interface Candidate {
  readonly path: string;
  readonly name: string;
  readonly mtimeMs: number;
}

export interface ScanRules {
  readonly directory: string;
  /** Never listed, even when it is a subdirectory of `directory`. */
  readonly trackerDir: string;
  readonly recursive: boolean;
  readonly include: RegExp | undefined;
  readonly ignore: RegExp | undefined;
  /** Files ending with it were finished; empty when finished files are deleted. */
  readonly completedSuffix: string;
  /**
   * Called for a file whose name is not valid UTF-8: Node lists it with U+FFFD in place of the bad bytes,
   * a name that leads nowhere, so it cannot be read.
   */
  readonly onUnreadableName?: (path: string) => void;
}

export type ConsumeOrder = "oldest" | "youngest" | "random";

/**
 * Lists the files of the spooling directory that may be read, in the order they should be: names
 * starting with `.` (files being written under a temporary name, the tracker directory), finished and
 * failed files, names the patterns exclude and anything but regular files (and symbolic links to them)
 * are left out. A file or directory that disappears while being listed is skipped.
 */
export async function listCandidates(rules: ScanRules, order: ConsumeOrder): Promise<Candidate[]> {
  const found: Candidate[] = [];
  await walk(rules.directory, rules, found, true);
  if (order === "random") {
    for (let i = found.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [found[i], found[j]] = [found[j] as Candidate, found[i] as Candidate];
    }
  } else {
    const sign = order === "oldest" ? 1 : -1;
    found.sort((a, b) => sign * (a.mtimeMs - b.mtimeMs) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  return found;
}

/** Whether a file of this name may be read (by name alone). */
export function acceptsName(rules: ScanRules, name: string): boolean {
  if (name.startsWith(".") || name.endsWith(FAILED_SUFFIX)) return false;
  if (rules.completedSuffix !== "" && name.endsWith(rules.completedSuffix)) return false;
  if (rules.include !== undefined && !rules.include.test(name)) return false;
  return rules.ignore === undefined || !rules.ignore.test(name);
}

async function walk(dir: string, rules: ScanRules, found: Candidate[], top: boolean): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // The top directory must be listable (the caller reports why not); a subdirectory may vanish.
    if (top || !isGone(error)) throw error;
    return;
  }
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    if (entry.isDirectory()) {
      if (rules.recursive && path !== rules.trackerDir && (rules.ignore === undefined || !rules.ignore.test(name))) await walk(path, rules, found, false);
      continue;
    }
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    if (!acceptsName(rules, name)) continue;
    try {
      const info = await stat(path); // follows a symbolic link: only one to a regular file is read
      if (info.isFile()) found.push({ path, name, mtimeMs: info.mtimeMs });
    } catch (error) {
      if (!isGone(error)) throw error;
      if (name.includes("\uFFFD")) rules.onUnreadableName?.(path);
    }
  }
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
