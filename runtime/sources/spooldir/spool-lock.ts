import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UserFacingError } from "../../core/errors";
import type { Logger } from "../../core/log";

const LOCK_FILE = "in_use.lock";

/** Tracker directories locked by sources of this process (a PID check cannot tell two of them apart). */
const lockedHere = new Map<string, string>();

export interface SpoolLock {
  release(): Promise<void>;
}

/**
 * Keeps a second source (in this agent or another process) off a spooling directory: two readers would
 * deliver the same files twice and fight over renaming them. The lock is `in_use.lock` in the tracker
 * directory, created exclusively and holding the owner's PID; a lock whose PID is not running was left by
 * a killed agent and is taken over.
 */
export async function acquireSpoolLock(trackerDir: string, directory: string, source: string, log: Logger): Promise<SpoolLock> {
  const owner = lockedHere.get(trackerDir);
  if (owner !== undefined) {
    throw new UserFacingError(`source \`${source}\` cannot use directory ${directory}: source \`${owner}\` of this agent already reads it`, 1);
  }
  const path = join(trackerDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: "wx", mode: 0o644 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) {
        throw new UserFacingError(`source \`${source}\` cannot lock ${path}: ${(error as Error).message}`, 1);
      }
    }
    let holder = await readPid(path);
    // Created but not yet written by its owner: give it a moment before calling it stale.
    for (let wait = 0; holder === undefined && wait < 25; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      holder = await readPid(path);
    }
    if (holder === null) continue; // released meanwhile
    if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
      throw new UserFacingError(
        `source \`${source}\` cannot use directory ${directory}: another running process (pid ${holder}) reads it; ` +
          `two sources cannot share a spooling directory. If pid ${holder} is not a flowc agent, delete ${path}`,
        1,
      );
    }
    log.warn("taking over a stale lock left by a process that is gone", { lock: path, pid: holder ?? "none" });
    await unlink(path).catch(() => undefined);
  }
  lockedHere.set(trackerDir, source);
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      lockedHere.delete(trackerDir);
      if ((await readPid(path)) === process.pid) await unlink(path).catch(() => undefined);
    },
  };
}

/** The PID in the lock file; undefined when it holds none, null when the file is gone. */
async function readPid(path: string): Promise<number | undefined | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
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
