import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import picomatch from "picomatch";

/** A file a group's glob matched. */
export interface FoundFile {
  readonly group: string;
  readonly path: string;
}

interface GroupPattern {
  readonly group: string;
  /** The glob, absolute. */
  readonly pattern: string;
  /** The deepest directory without glob characters: where matches can appear. */
  readonly base: string;
  /** Tests a path relative to `base`; undefined for a pattern without glob characters (a single path). */
  readonly matches: ((relative: string) => boolean) | undefined;
  /** How many directory levels below `base` a match can be (Infinity with `**`). */
  readonly depth: number;
}

/**
 * Matches the `files` globs of a taildir source: picomatch decides what matches; the walk below a glob's
 * fixed base directory goes only as deep as the glob can match, and does not follow symbolic links to
 * directories (no loops), while symbolic links to files are matched like files.
 */
export class FileFinder {
  private readonly groups: readonly GroupPattern[];

  constructor(files: Readonly<Record<string, string>>, cwd: string) {
    this.groups = Object.entries(files).map(([group, glob]) => {
      const pattern = isAbsolute(glob) ? glob : resolve(cwd, glob);
      const scan = picomatch.scan(pattern);
      if (!scan.isGlob) return { group, pattern, base: pattern, matches: undefined, depth: 0 };
      const base = scan.base === "" ? "/" : scan.base;
      const depth = scan.glob.includes("**") ? Number.POSITIVE_INFINITY : scan.glob.split("/").length;
      return { group, pattern, base, matches: picomatch(scan.glob, { dot: false }), depth };
    });
  }

  /** The globs, for the readiness line. */
  get patterns(): readonly string[] {
    return this.groups.map((group) => group.pattern);
  }

  /** The directories under which matches can appear (watched for notifications). */
  get baseDirectories(): readonly string[] {
    return [...new Set(this.groups.map((group) => (group.matches === undefined ? parentOf(group.base) : group.base)))];
  }

  /**
   * Every file the globs match now, group by group in the order of `files`, each group's paths sorted.
   * Unreadable or missing directories match nothing (they are tried again at the next poll).
   */
  async find(): Promise<FoundFile[]> {
    const found: FoundFile[] = [];
    for (const group of this.groups) {
      const paths: string[] = [];
      if (group.matches === undefined) {
        if (await exists(group.base)) paths.push(group.base);
      } else await walk(group.base, "", group.depth, group.matches, paths);
      paths.sort();
      for (const path of paths) found.push({ group: group.group, path });
    }
    return found;
  }
}

async function walk(directory: string, relative: string, depth: number, matches: (relative: string) => boolean, into: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(directory, entry.name);
    const inner = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (depth > 1) await walk(path, inner, depth - 1, matches, into);
    } else if (matches(inner)) into.push(path);
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

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}
