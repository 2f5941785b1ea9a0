import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";

/** How many bytes from a file's start identify its content (with its device and inode). */
export const HEAD_LENGTH = 256;

/** One followed file in the position file. */
export interface PositionEntry {
  /** Device and inode numbers, as decimal strings (inode numbers may exceed 2^53). */
  readonly dev: string;
  readonly inode: string;
  /** Offset just past the last event that reached the channels: reading resumes here. */
  readonly pos: number;
  readonly group: string;
  /** Where the file was found (informative; files are matched by device and inode). */
  readonly path: string;
  /** The first `length` bytes of the file (at most HEAD_LENGTH) hash to `sha256`: it is still the same file. */
  readonly head: { readonly length: number; readonly sha256: string };
}

export const POSITION_FILE_VERSION = 1;

/** The SHA-256 (hex) of a file's first bytes, as the position file records it. */
export function headDigest(head: Buffer): string {
  return createHash("sha256").update(head).digest("hex");
}

/** Thrown for a position file that exists but cannot be used; the message says why. */
export class PositionFileError extends Error {}

/**
 * Reads the position file: `undefined` when there is none (the first start). Throws `PositionFileError`
 * when it exists but is not a position file this version understands.
 */
export async function readPositionFile(path: string): Promise<PositionEntry[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PositionFileError(`cannot read it: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PositionFileError("it is not valid JSON");
  }
  if (!isRecord(doc) || doc["version"] !== POSITION_FILE_VERSION || !Array.isArray(doc["files"])) {
    throw new PositionFileError(`it is not a version ${POSITION_FILE_VERSION} position file (expected {"version": ${POSITION_FILE_VERSION}, "files": [...]})`);
  }
  return (doc["files"] as unknown[]).map((entry, index) => parseEntry(entry, index));
}

function parseEntry(entry: unknown, index: number): PositionEntry {
  const bad = (what: string): PositionFileError => new PositionFileError(`entry ${index} of "files" ${what}`);
  if (!isRecord(entry)) throw bad("is not an object");
  const { dev, inode, pos, group, path, head } = entry;
  if (typeof dev !== "string" || !/^\d+$/.test(dev)) throw bad('has no "dev" (a decimal string)');
  if (typeof inode !== "string" || !/^\d+$/.test(inode)) throw bad('has no "inode" (a decimal string)');
  if (typeof pos !== "number" || !Number.isSafeInteger(pos) || pos < 0) throw bad('has no "pos" (a non-negative integer)');
  if (typeof group !== "string" || typeof path !== "string") throw bad('lacks "group" or "path"');
  if (!isRecord(head) || typeof head["length"] !== "number" || typeof head["sha256"] !== "string") throw bad('has no "head" ({"length", "sha256"})');
  const length = head["length"];
  if (!Number.isSafeInteger(length) || length < 0 || length > HEAD_LENGTH) throw bad('has a "head" length out of range');
  return { dev, inode, pos, group, path, head: { length, sha256: head["sha256"] } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The position file's text: one entry per line, so it reads well and diffs well. */
export function renderPositionFile(entries: readonly PositionEntry[]): string {
  const lines = entries.map((entry) => JSON.stringify(entry));
  return `{"version":${POSITION_FILE_VERSION},"files":[${lines.length === 0 ? "" : `\n${lines.join(",\n")}\n`}]}\n`;
}

/**
 * Replaces the position file atomically: writes `PATH.tmp`, flushes it to disk, renames it over `PATH` and
 * flushes the directory, so after a crash the file holds either the old or the new positions, never a mix.
 */
export async function writePositionFile(path: string, entries: readonly PositionEntry[]): Promise<void> {
  const temporary = `${path}.tmp`;
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const file = await open(temporary, "w", 0o644);
  try {
    await file.writeFile(renderPositionFile(entries));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const dir = await open(directory, "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
