import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { UserFacingError } from "./errors";
import type { Logger } from "./log";

export const LOCK_FILE = "in_use.lock";

/** Directories locked by components of this process, with their owners (a PID check cannot tell two of them apart). */
const lockedHere = new Map<string, string>();

/** Who takes a lock, for the messages when someone else holds it. */
export interface LockOwner {
  /** E.g. "channel `buffer`", "source `spool`". */
  readonly subject: string;
  /** What the owner does with the directory: "uses", "reads". */
  readonly verb: string;
  /** Why two cannot share it: "two file channels cannot share a directory". */
  readonly sharing: string;
  /** The directory as the user wrote it, when the lock lives in a subdirectory of it. */
  readonly shown?: string;
}

/** How long an empty lock file is given to receive its PID (it is written right after the exclusive create). */
const EMPTY_LOCK_GRACE_MS = 500;

export interface DirLock {
  release(): void;
}

/**
 * Keeps a second agent, or a second component of this one, off a directory: two file channels on one
 * `dir`, two spooldir sources on one spooling directory. Takes the directory lock: `in_use.lock`, created
 * with O_EXCL, holding the owner's PID. A lock whose PID
 * is not a running process is stale (its agent was killed) and is taken over; a lock held by a running
 * process fails with a `UserFacingError` naming it. Within one process a map of locked directories
 * stands in for the PID: a lock file carrying this process's own PID but not in the map was left by an
 * earlier process that had the same PID (common in containers, where the agent is often PID 1).
 *
 * A PID reused by an unrelated process makes a stale lock look live; the message says which file to
 * delete then.
 */
export async function acquireDirLock(dir: string, owner: LockOwner, log: Logger): Promise<DirLock> {
  const shown = owner.shown ?? dir;
  const holderHere = lockedHere.get(dir);
  if (holderHere !== undefined) {
    throw new UserFacingError(`${owner.subject} cannot use directory ${shown}: ${holderHere} of this agent already ${owner.verb} it (${owner.sharing})`, 1);
  }
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) throw cannotUse(owner, shown, error);
      const holder = await readHolder(path);
      if (holder === null) continue; // released meanwhile: try again
      if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
        throw new UserFacingError(
          `${owner.subject} cannot use directory ${shown}: another running process (pid ${holder}) ${owner.verb} it; ` +
            `${owner.sharing}. If pid ${holder} is not a flowc agent, delete ${path}`,
          1,
        );
      }
      log.warn("taking over a stale lock left by a process that is gone", { lock: path, pid: holder ?? "none" });
      try {
        unlinkSync(path);
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== "ENOENT") throw cannotUse(owner, shown, unlinkError);
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } catch (error) {
      closeSync(fd);
      unlinkSync(path);
      throw cannotUse(owner, shown, error);
    }
    closeSync(fd);
    break;
  }
  lockedHere.set(dir, owner.subject);
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      lockedHere.delete(dir);
      try {
        if (readPid(path) === process.pid) unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
}

function cannotUse(owner: LockOwner, shown: string, error: unknown): UserFacingError {
  return new UserFacingError(`${owner.subject} cannot use directory ${shown}: ${(error as Error).message}`, 1);
}

/**
 * The PID in the lock file, waiting briefly while it is empty (created but not yet written); undefined
 * when it holds no PID, null when the file is gone.
 */
async function readHolder(path: string): Promise<number | undefined | null> {
  const deadline = Date.now() + EMPTY_LOCK_GRACE_MS;
  for (;;) {
    const pid = readPid(path);
    if (pid !== undefined || Date.now() > deadline) return pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function readPid(path: string): number | undefined | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? null : undefined;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process with this PID exists (EPERM: it exists but belongs to another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
