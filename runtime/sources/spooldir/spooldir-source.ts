import { constants } from "node:fs";
import { access, lstat, mkdir, open, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { Backoff } from "../../core/backoff";
import type { ChannelProcessor, Source } from "../../core/component";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import { createLogger, type Logger } from "../../core/log";
import { SourceCounter } from "../../metrics/counters";
import { compileRegex, type ConfigOf } from "../../spec";
import { LineSplitter, type LineSplitterOptions } from "../tcp/line-splitter";
import { PositionStore, type Position } from "./position-store";
import { acquireDirLock, type DirLock } from "../../core/dir-lock";
import { FAILED_SUFFIX, listCandidates, type Candidate, type ScanRules } from "./spool-scan";
import type { spooldirSourceSpec } from "./spec";

export type SpooldirSourceConfig = ConfigOf<typeof spooldirSourceSpec>;

export class SpooldirSourceCounter extends SourceCounter {
  /** Lines longer than `max_line_length` cut to it (`long_lines = truncate`). */
  LineTruncatedCount = 0;
  /** Lines longer than `max_line_length` left out (`long_lines = discard`). */
  LineDiscardedCount = 0;
  /** Files read to their end and marked done (renamed with the completed suffix, or deleted). */
  FileCompletedCount = 0;
  /** Files given up on: changed while being read, unreadable, or gone before they were read to their end. */
  FileFailedCount = 0;
  /** Files waiting to be read, as of the last listing of the directory, minus those taken since. */
  PendingFileCount = 0;
}

/** Bytes read from a file at a time. Events are views into these chunks, so each chunk is a new buffer. */
const CHUNK_BYTES = 64 * 1024;
/** Waits after an unexpected error (a failing disk, a broken channel): doubling, as Flume's `maxBackoff`. */
const BACKOFF_INITIAL_MS = 250;
const BACKOFF_MAX_MS = 4_000;
/** The tracker directory when `tracker_dir` is not set, inside the spooling directory (hidden, so never read). */
export const DEFAULT_TRACKER_DIR = ".flowc-spool";

/**
 * Flume's spooling directory source: reads the files of a directory one at a time, one event per line,
 * and renames (or deletes) each once all its lines are in the channel.
 *
 * After each batch the channel committed, the position in the file is saved (atomically) in the tracker
 * directory; a restart resumes there, and a file is marked done only after its last batch was committed.
 * A file whose size or modification time changes while it is read is refused: reading stops, it is
 * renamed with `.FAILED`, and the log says how many of its bytes were delivered. See docs/spooldir.md.
 */
export class SpooldirSource implements Source {
  readonly counter = new SpooldirSourceCounter();
  private readonly directory: string;
  private readonly trackerDir: string;
  private readonly rules: ScanRules;
  private readonly splitterOptions: LineSplitterOptions;
  private readonly store: PositionStore;
  private readonly backoff = new Backoff(BACKOFF_INITIAL_MS, BACKOFF_MAX_MS);
  private log: Logger = createLogger("error", () => undefined);
  private lock: DirLock | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Ends the current `sleep` early (stop). */
  private wakeUp: (() => void) | undefined;
  /** The file being read, and how much of it is in the channel; undefined between files. */
  private position: Position | undefined;
  /** The last listing, read from `queueHead` on. */
  private queue: Candidate[] = [];
  private queueHead = 0;
  /** Files not to try again in this run: ones that could not be opened (`path`), or read but not marked (identity). */
  private readonly skipped = new Set<string>();
  /** True while errors repeat: the first is logged as an error, the rest at debug, until it works again. */
  private failing = false;

  constructor(
    readonly name: string,
    private readonly config: SpooldirSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    if (config.delimiter === "") throw new UserFacingError(`source \`${name}\`: \`delimiter\` must not be empty`, 1);
    if (config.delete_policy === "never" && config.completed_suffix === "") {
      throw new UserFacingError(`source \`${name}\`: \`completed_suffix\` must not be empty with \`delete_policy = never\` (finished files are renamed with it)`, 1);
    }
    if (config.completed_suffix.includes("/")) throw new UserFacingError(`source \`${name}\`: \`completed_suffix\` must not contain \`/\``, 1);
    this.directory = resolve(config.directory);
    this.trackerDir = config.tracker_dir === undefined ? join(this.directory, DEFAULT_TRACKER_DIR) : resolve(config.tracker_dir);
    this.rules = {
      directory: this.directory,
      trackerDir: this.trackerDir,
      recursive: config.recursive,
      include: config.include === undefined ? undefined : stateless(compileRegex(config.include)),
      ignore: config.ignore === undefined ? undefined : stateless(compileRegex(config.ignore)),
      completedSuffix: config.delete_policy === "never" ? config.completed_suffix : "",
      onUnreadableName: (path) => this.unreadableName(path),
    };
    this.splitterOptions = { delimiter: Buffer.from(config.delimiter, "utf8"), longLines: config.long_lines };
    this.store = new PositionStore(this.trackerDir);
  }

  async start(log: Logger): Promise<string> {
    this.log = log.child({ source: this.name });
    const directory = this.directory;
    try {
      await mkdir(directory, { recursive: true });
      if (!(await stat(directory)).isDirectory()) throw Object.assign(new Error("it is not a directory"), { code: "ENOTDIR" });
      // Finished files are renamed or deleted there: a directory that can only be read would re-read them forever.
      await access(directory, constants.R_OK | constants.W_OK | constants.X_OK);
      await mkdir(this.trackerDir, { recursive: true });
      await access(this.trackerDir, constants.W_OK);
    } catch (error) {
      throw new UserFacingError(`source \`${this.name}\` cannot use directory ${directory}: ${describeFsError(error)}`, 1);
    }
    // Two readers would deliver the same files twice and fight over renaming them.
    this.lock = await acquireDirLock(this.trackerDir, { subject: `source \`${this.name}\``, verb: "reads", sharing: "two sources cannot share a spooling directory", shown: directory }, this.log);
    try {
      const saved = await this.store.read();
      if (saved.kind === "position") this.position = saved.position;
      else if (saved.kind === "damaged") {
        this.log.error("the saved position is damaged and was moved aside; the file that was being read, if any, is read again from its start, so its first lines may be delivered twice", {
          position_file: this.store.path,
          reason: saved.reason,
          moved_to: saved.movedTo,
        });
      }
    } catch (error) {
      this.lock.release();
      this.lock = undefined;
      throw new UserFacingError(`source \`${this.name}\` cannot read its position file ${this.store.path}: ${describeFsError(error)}`, 1);
    }
    this.counter.StartTime = Date.now();
    if (!this.stopping) this.loop = this.run();
    return `spooldir:${directory}`;
  }

  /** Stops reading and resolves once the batch being delivered (if any) is in the channel and its position saved. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    if (this.loop !== undefined) await this.loop;
    this.lock?.release();
    this.counter.StopTime = Date.now();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let worked: boolean;
      try {
        worked = this.position !== undefined ? await this.resume(this.position) : await this.readNext();
      } catch (error) {
        this.counter.GenericProcessingFail++;
        const fields = { error: describeFsError(error), file: this.position === undefined ? undefined : join(this.directory, this.position.file) };
        if (!this.failing) this.log.error("cannot read the spooling directory; retrying", fields);
        else this.log.debug("still failing", fields);
        this.failing = true;
        await this.sleep(this.backoff.nextDelayMs());
        continue;
      }
      if (this.failing) this.log.info("reading the spooling directory works again");
      this.failing = false;
      this.backoff.reset();
      if (!worked) await this.sleep(this.config.poll_delay);
    }
  }

  /** Reads the next eligible file, if there is one; false when there is none. */
  private async readNext(): Promise<boolean> {
    if (this.queueHead >= this.queue.length || this.config.consume_order === "youngest") {
      this.queue = await listCandidates(this.rules, this.config.consume_order);
      this.queueHead = 0;
      this.counter.PendingFileCount = this.queue.length;
    }
    const now = Date.now();
    while (this.queueHead < this.queue.length && !this.stopping) {
      const candidate = this.queue[this.queueHead++] as Candidate;
      if (this.skipped.has(candidate.path)) continue;
      // Too young: left for a later listing (it may still be written).
      if (now - candidate.mtimeMs < this.config.min_age) continue;
      this.counter.PendingFileCount = Math.max(0, this.counter.PendingFileCount - 1);
      if (await this.openAndRead(candidate.path)) return true;
    }
    return false;
  }

  /** Reads a file from its start. False when it turned out not to be readable now. */
  private async openAndRead(path: string): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      if (isGone(error)) return false;
      this.counter.FileFailedCount++;
      this.skipped.add(path);
      this.log.error("cannot open a spooled file; it is skipped until the agent restarts", { file: path, error: describeFsError(error) });
      return false;
    }
    try {
      const info = await handle.stat({ bigint: true });
      if (!info.isFile() || this.skipped.has(identityKey(info.ino, info.size, info.mtimeNs))) return false;
      if (Date.now() - Number(info.mtimeNs / 1_000_000n) < this.config.min_age) return false; // modified since it was listed
      const position: Position = { file: relative(this.directory, path), ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, offset: 0 };
      this.position = position;
      await this.readFile(handle, path, position);
      return true;
    } finally {
      await handle.close();
    }
  }

  /** Continues the file of a saved position (after a restart, or after an error). */
  private async resume(position: Position): Promise<boolean> {
    const path = join(this.directory, position.file);
    const finished = BigInt(position.offset) === position.size;
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      if (!isGone(error)) throw error;
      if (!finished) {
        this.counter.FileFailedCount++;
        this.log.error("the file being read when the agent stopped is gone: the rest of it cannot be read", {
          file: path,
          delivered_bytes: position.offset,
          size: position.size.toString(),
        });
      }
      await this.clearPosition();
      return true;
    }
    try {
      const info = await handle.stat({ bigint: true });
      if (info.ino !== position.ino) {
        // Another file now has the name.
        if (!finished) {
          this.counter.FileFailedCount++;
          const renamedTo = await this.renameAside(path, FAILED_SUFFIX);
          this.log.error("the file being read when the agent stopped was replaced by another of the same name: the rest of it cannot be read, and the new one is refused, since a name must not be reused for different content", {
            file: path,
            delivered_bytes: position.offset,
            renamed_to: renamedTo,
          });
        }
        await this.clearPosition();
        return true;
      }
      const change = describeChange(info, position);
      if (change !== undefined) {
        await this.refuseChanged(path, position, change);
        return true;
      }
      await this.readFile(handle, path, position);
      return true;
    } finally {
      await handle.close();
    }
  }

  /**
   * Reads `handle` from `start.offset` to the size it had when opened, delivering batches and saving
   * the position after each; then marks the file done. Returns early when stopping (the position stays)
   * or when the file changed (it is refused).
   */
  private async readFile(handle: FileHandle, path: string, start: Position): Promise<void> {
    const batchSize = this.config.batch_size;
    const size = Number(start.size);
    const base = start.offset;
    const splitter = new LineSplitter(this.config.max_line_length, this.counter, this.splitterOptions);
    let events: FlowEvent[] = [];
    let ends: number[] = [];
    let readAt = base;
    while (readAt < size) {
      if (this.stopping) return;
      const length = Math.min(CHUNK_BYTES, size - readAt);
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(chunk, 0, length, readAt);
      if (bytesRead === 0) return this.refuseChanged(path, this.position ?? start, "it became shorter");
      const longBefore = splitter.longLines;
      splitter.push(bytesRead === length ? chunk : chunk.subarray(0, bytesRead), events, ends);
      if (longBefore === 0 && splitter.longLines > 0) this.warnLongLine(path);
      readAt += bytesRead;
      let from = 0;
      while (events.length - from >= batchSize) {
        if (this.stopping) return;
        const change = describeChange(await handle.stat({ bigint: true }), start);
        if (change !== undefined) return this.refuseChanged(path, this.position ?? start, change);
        const end = base + (ends[from + batchSize - 1] as number);
        await this.deliver(events.slice(from, from + batchSize), path, { ...start, offset: end });
        from += batchSize;
      }
      if (from > 0) {
        events = events.slice(from);
        ends = ends.slice(from);
      }
    }
    // Every byte the file had when opened was read: if it is still that file, its last line is complete.
    const change = describeChange(await handle.stat({ bigint: true }), start);
    if (change !== undefined) return this.refuseChanged(path, this.position ?? start, change);
    const longBefore = splitter.longLines;
    splitter.flush(events, ends);
    if (longBefore === 0 && splitter.longLines > 0) this.warnLongLine(path);
    for (let from = 0; from < events.length; from += batchSize) {
      const batch = from === 0 && events.length <= batchSize ? events : events.slice(from, from + batchSize);
      const last = Math.min(from + batchSize, events.length) - 1;
      await this.deliver(batch, path, { ...start, offset: base + (ends[last] as number) });
    }
    events = [];
    ends = [];
    await this.finish(path, start);
  }

  /** Hands a batch to the channels, waiting while they are full, then saves the position after it. */
  private async deliver(batch: FlowEvent[], path: string, next: Position): Promise<void> {
    this.label(batch, path);
    this.counter.EventReceivedCount += batch.length;
    for (let refused = 0; ; refused++) {
      try {
        this.processor.process(batch);
        break;
      } catch (error) {
        if (error instanceof ChannelFullError) {
          this.counter.ChannelWriteFail++;
          await this.processor.whenWritable();
          continue;
        }
        this.counter.GenericProcessingFail++;
        if (refused === 0) this.log.error("the channels failed to take a batch; retrying it", { file: path, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, this.backoff.nextDelayMs()));
      }
    }
    this.backoff.reset();
    this.counter.EventAcceptedCount += batch.length;
    this.position = next;
    // The saved position passes these lines only once they are durable in the channels (a file channel's
    // fsync), so a power loss re-reads them rather than losing them.
    await this.processor.whenDurable();
    await this.savePosition(next);
  }

  /** Sets the file headers, when configured. */
  private label(batch: FlowEvent[], path: string): void {
    const fileHeader = this.config.file_header;
    const basenameHeader = this.config.basename_header;
    if (fileHeader === undefined && basenameHeader === undefined) return;
    const name = basename(path);
    for (let i = 0; i < batch.length; i++) {
      const headers = (batch[i] as FlowEvent).headers;
      if (fileHeader !== undefined) headers[fileHeader] = path;
      if (basenameHeader !== undefined) headers[basenameHeader] = name;
    }
  }

  /** Saves the position, retrying while the disk refuses: reading waits, so the saved position never lags far. */
  private async savePosition(position: Position): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store.save(position);
        if (attempt > 0) this.log.info("the position is saved again", { position_file: this.store.path });
        return;
      } catch (error) {
        this.counter.GenericProcessingFail++;
        if (attempt === 0) {
          this.log.error("cannot save the position in the current file; reading waits until it can (lines delivered since the last save would be read again after a restart)", {
            position_file: this.store.path,
            error: describeFsError(error),
          });
        }
        if (this.stopping) {
          this.log.warn("stopping without having saved the position: the last batch will be read again after a restart", { position_file: this.store.path });
          return;
        }
        await this.sleep(this.backoff.nextDelayMs());
      }
    }
  }

  private async clearPosition(): Promise<void> {
    await this.store.clear();
    this.position = undefined;
  }

  /** Every line of the file is in the channel: mark it done, then forget the position. */
  private async finish(path: string, read: Position): Promise<void> {
    // So that after a restart a missing file with this position reads as finished, not as lost.
    const end = Number(read.size);
    if (this.position === undefined || this.position.offset !== end) {
      this.position = { ...read, offset: end };
      await this.savePosition(this.position);
    }
    const atPath = await statIfExists(path);
    if (atPath === undefined || atPath.ino !== read.ino) {
      // Read to its end through the open handle, but its name now belongs to nothing or to another file.
      this.skipped.add(identityKey(read.ino, read.size, read.mtimeNs));
      if (atPath === undefined) {
        this.log.warn("a spooled file was renamed or removed while it was read: it was read to its end, but cannot be marked done (renamed inside the directory, it would be read again after a restart)", { file: path });
      } else {
        this.counter.FileFailedCount++;
        const renamedTo = await this.renameAside(path, FAILED_SUFFIX);
        this.log.error("a spooled file was replaced by another of the same name while it was read: the one read was read to its end, the new one is refused, since a name must not be reused for different content", {
          file: path,
          renamed_to: renamedTo,
        });
      }
    } else if (this.config.delete_policy === "immediate") {
      await unlink(path);
    } else {
      await this.renameAside(path, this.config.completed_suffix);
    }
    this.counter.FileCompletedCount++;
    this.log.debug("file done", { file: path, bytes: end });
    await this.clearPosition();
  }

  /**
   * A file whose content changed while it was read: the lines of `committed.offset` bytes are delivered,
   * the rest is not read. It is renamed with `.FAILED` (if its name still leads to it) and not read again.
   */
  private async refuseChanged(path: string, committed: Position, change: string): Promise<void> {
    const atPath = await statIfExists(path);
    const renamedTo = atPath !== undefined && atPath.ino === committed.ino ? await this.renameAside(path, FAILED_SUFFIX) : undefined;
    // Counted once the file is set aside, so whoever reads the counter finds the `.FAILED` file there.
    this.counter.FileFailedCount++;
    this.log.error("a spooled file changed while it was read; it is not read further (files must not change once in the spooling directory: see docs/spooldir.md to deliver the rest)", {
      file: path,
      change,
      delivered_bytes: committed.offset,
      renamed_to: renamedTo,
    });
    await this.clearPosition();
  }

  /** Renames `path` to `path + suffix`, or, if that name is taken, with a timestamp before the suffix. */
  private async renameAside(path: string, suffix: string): Promise<string> {
    let target = path + suffix;
    if ((await lstatIfExists(target)) !== undefined) target = `${path}.${Date.now()}${suffix}`;
    await rename(path, target);
    return target;
  }

  /** A file whose name is not valid UTF-8 (reported once per run). */
  private unreadableName(path: string): void {
    const key = `name:${path}`;
    if (this.skipped.has(key)) return;
    this.skipped.add(key);
    this.counter.FileFailedCount++;
    this.log.error("cannot read a spooled file whose name is not valid UTF-8; rename it (U+FFFD marks the bad bytes)", { file: path });
  }

  private warnLongLine(path: string): void {
    const discarded = this.config.long_lines === "discard";
    this.log.warn(
      discarded
        ? "discarded a line longer than max_line_length; later ones in this file are only counted (LineDiscardedCount)"
        : "cut a line longer than max_line_length; later ones in this file are only counted (LineTruncatedCount)",
      { file: path, max_line_length: this.config.max_line_length },
    );
  }

  /** Waits `ms`, or less if `stop()` is called. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolveSleep) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolveSleep();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

/** How the open file differs from the identity it had when opened, or undefined. */
function describeChange(now: { size: bigint; mtimeNs: bigint }, was: Position): string | undefined {
  if (now.size < was.size) return `it became shorter (${now.size} bytes, was ${was.size})`;
  if (now.size > was.size) return `it grew (${now.size} bytes, was ${was.size})`;
  if (now.mtimeNs !== was.mtimeNs) return "it was modified (same size, new modification time)";
  return undefined;
}

function identityKey(ino: bigint, size: bigint, mtimeNs: bigint): string {
  return `${ino}:${size}:${mtimeNs}`;
}

/** A regex whose `test` keeps no state between calls (no `g` or `y` flag). */
function stateless(regex: RegExp): RegExp {
  return regex.global || regex.sticky ? new RegExp(regex.source, regex.flags.replace(/[gy]/g, "")) : regex;
}

async function statIfExists(path: string): Promise<{ ino: bigint } | undefined> {
  try {
    return await stat(path, { bigint: true });
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

async function lstatIfExists(path: string): Promise<object | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** A file system error in words, without the path Node repeats in its messages. */
function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "it (or a part of its path) is not a directory";
    case "ENOENT":
      return "no such file or directory";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on device";
    case "EIO":
      return "input/output error (the disk failed)";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

