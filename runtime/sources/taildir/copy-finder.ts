import { constants } from "node:fs";
import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { headDigest } from "./position-file";

/** What identifies a file's former content: the digest of its first `length` bytes. */
export interface HeadIdentity {
  readonly length: number;
  readonly sha256: string;
}

/** A copy of a file's former content, opened. */
export interface FoundCopy {
  readonly handle: FileHandle;
  readonly path: string;
  readonly key: string;
  readonly size: number;
}

/**
 * After a file was truncated or rewritten in place (logrotate's `copytruncate`), looks in its directory for
 * the copy of its former content: a regular file at least `from` bytes long whose first bytes are those the
 * file had (`identity`). Its bytes from `from` on are what was written after the last read and before the
 * truncation. The most recently modified candidate wins; files whose keys are in `exclude` (followed
 * already) are not considered. Returns `undefined` when there is none, or when nothing identifies the content
 * (the file was empty when last seen).
 */
export async function findCopy(directory: string, identity: HeadIdentity, from: number, exclude: ReadonlySet<string>): Promise<FoundCopy | undefined> {
  if (identity.length === 0) return undefined;
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return undefined;
  }
  let best: { path: string; key: string; size: number; mtime: bigint } | undefined;
  const head = Buffer.allocUnsafe(identity.length);
  for (const name of names) {
    const path = join(directory, name);
    try {
      const stats = await stat(path, { bigint: true });
      const key = `${stats.dev}:${stats.ino}`;
      if (!stats.isFile() || stats.size < BigInt(from) || exclude.has(key)) continue;
      if (best !== undefined && stats.mtimeNs <= best.mtime) continue;
      const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const { bytesRead } = await file.read(head, 0, identity.length, 0);
        if (bytesRead === identity.length && headDigest(head) === identity.sha256) best = { path, key, size: Number(stats.size), mtime: stats.mtimeNs };
      } finally {
        await file.close();
      }
    } catch {
      // Vanished or unreadable: not the copy we can use.
    }
  }
  if (best === undefined) return undefined;
  try {
    const handle = await open(best.path, constants.O_RDONLY | constants.O_NONBLOCK);
    return { handle, path: best.path, key: best.key, size: best.size };
  } catch {
    return undefined;
  }
}
