import { mkdir, open, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import type { SinkCounter } from "../../metrics/counters";
import { EventEncoder, type EventFormat } from "./event-encoder";
import { describeFileError, FileWriteError } from "./file-errors";
import { completeGzipLength, endsWithNewline } from "./tail-repair";

const gzip = promisify(gzipCallback);

export type Compression = "none" | "gzip";

/**
 * How a file set names its files. In append mode a bucket's file is the bucket's path itself, appended to
 * and never renamed; otherwise each file of a bucket gets a new name, is written under `writing` and
 * renamed to `final` once finished (the two may be equal).
 */
export interface FileNaming {
  readonly appends: boolean;
  /** Names for a new file of `bucket`; called again (with the same `now`) when those are taken. */
  next(bucket: string, now: number): { readonly writing: string; readonly final: string };
}

export interface FileSetOptions {
  /** The sink's name, for messages. */
  readonly sink: string;
  readonly format: EventFormat;
  readonly compression: Compression;
  /** fdatasync every file a batch wrote before the batch is acknowledged; fsync directories after creating and renaming files. */
  readonly sync: boolean;
  /** Bytes of encoded events (before compression) after which a file is finished; 0: no limit. */
  readonly rollSize: number;
  /** Events after which a file is finished; 0: no limit. */
  readonly rollCount: number;
  /** Milliseconds after opening at which a file is finished; 0: never. */
  readonly rollInterval: number;
  /** Milliseconds without a write after which a file is closed (and finished); 0: never. */
  readonly idleTimeout: number;
  /** Most files open at once; the least recently written one is closed (and finished) to open another. */
  readonly maxOpenFiles: number;
  readonly naming: FileNaming;
}

/** The low-level write, one per file set so that a test can make it fail like a full disk. */
export interface FileIo {
  write(handle: FileHandle, buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
}

/** One open output file. */
class OutputFile {
  handle: FileHandle | undefined = undefined;
  /** Bytes on disk that belong to acknowledged batches (and to the batch being written, once written). */
  length = 0;
  events = 0;
  /** Bytes of the events in it before compression, for `rollSize`. */
  rawBytes = 0;
  /** The next write starts with a newline: the file was appended to and did not end with one. */
  leadingNewline = false;
  /** Bytes past `length` may be on disk: cut them before the next write (a rollback's truncate failed). */
  dirty = false;
  rollTimer: NodeJS.Timeout | undefined = undefined;
  idleTimer: NodeJS.Timeout | undefined = undefined;
  /** The batch that last recorded this file's state (so a batch records it once). */
  journal: Journal | undefined = undefined;

  constructor(
    readonly bucket: string,
    readonly writing: string,
    readonly final: string,
  ) {}
}

/** A file's state before a batch touched it, to put back if the batch fails. */
interface Touch {
  readonly file: OutputFile;
  readonly length: number;
  readonly events: number;
  readonly rawBytes: number;
  readonly leadingNewline: boolean;
  /** Opened by this batch under a new name: deleted if the batch fails. */
  readonly created: boolean;
}

class Journal {
  readonly touches: Touch[] = [];
  /** Files the batch filled: finished once it is acknowledged, back in use if it fails. */
  readonly filled: OutputFile[] = [];

  touch(file: OutputFile, created = false): void {
    if (file.journal === this) return;
    file.journal = this;
    this.touches.push({ file, length: file.length, events: file.events, rawBytes: file.rawBytes, leadingNewline: file.leadingNewline, created });
  }
}

/**
 * The files a file sink writes, grouped in buckets (one per resolved path), with Flume's HDFS-sink rules:
 * a bucket's file is finished when it reaches `rollSize` or `rollCount`, `rollInterval` after it was opened,
 * or after `idleTimeout` without writes, and the least recently written files are closed beyond
 * `maxOpenFiles`. A finished file is closed and renamed from its in-progress name to its final one.
 *
 * A batch is written as a unit: if any part of it fails, every file it touched is cut back to where it was
 * (files it created are deleted, files it filled stay in use) and the error is thrown, so the sink runner's
 * retry writes each event once. Batches, timers and stop run one at a time.
 */
export class FileSet {
  readonly io: FileIo = { write: (handle, buffer, offset, length) => handle.write(buffer, offset, length) };
  private readonly open = new Map<string, OutputFile>();
  /** Finished files whose rename failed; retried after each batch and at stop (and by recovery at start). */
  private readonly unrenamed: OutputFile[] = [];
  private readonly encoder: EventEncoder;
  /** Whether a batch, timer or stop is running; the others wait in `waiting`, in order. */
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private stopped = false;
  private log: Logger | undefined;
  private warnedUnterminated = false;

  constructor(
    private readonly options: FileSetOptions,
    private readonly counter: SinkCounter,
  ) {
    this.encoder = new EventEncoder(options.format);
  }

  start(log: Logger): void {
    this.log = log;
    this.stopped = false;
  }

  /** How many files are open now. */
  get openFiles(): number {
    return this.open.size;
  }

  /** Opens the file of an append-mode bucket now (to fail at start rather than at the first batch). */
  openNow(bucket: string): Promise<void> {
    return this.exclusive(async () => {
      if (!this.open.has(bucket)) await this.openFile(bucket, new Journal(), Date.now());
    });
  }

  /**
   * Writes each list of events to the file of its bucket (`buckets[i]` for `lists[i]`); resolves once all of
   * it was written (and flushed to disk with `sync`). On failure nothing of the batch is left in any file.
   */
  write(buckets: readonly string[], lists: readonly (readonly FlowEvent[])[]): Promise<void> {
    return this.exclusive(() => this.writeBatch(buckets, lists));
  }

  /** Closes every file (finishing each), retries failed renames; later timers do nothing. */
  stop(): Promise<void> {
    return this.exclusive(async () => {
      this.stopped = true;
      for (const file of [...this.open.values()]) {
        this.open.delete(file.bucket);
        await this.finish(file);
      }
      await this.retryRenames();
    });
  }

  /**
   * Runs `work` once no other batch, timer or stop is running. Uncontended (the usual case: the sink
   * runner writes one batch at a time) it starts at once, without a trip through the microtask queue.
   */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy = true;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.busy = false;
      else next(); // hands `busy` over
    }
  }

  private async writeBatch(buckets: readonly string[], lists: readonly (readonly FlowEvent[])[]): Promise<void> {
    const journal = new Journal();
    const now = Date.now();
    try {
      for (let b = 0; b < buckets.length; b++) await this.writeBucket(buckets[b] as string, lists[b] as readonly FlowEvent[], journal, now);
      if (this.options.sync) await Promise.all(journal.touches.map((touch) => this.datasync(touch.file)));
    } catch (error) {
      await this.rollBack(journal);
      throw error;
    }
    for (const file of journal.filled) await this.finish(file);
    for (const touch of journal.touches) {
      const file = touch.file;
      if (this.open.get(file.bucket) !== file) continue;
      file.idleTimer?.refresh();
      // Most recently written last: the first entries are the ones closed beyond maxOpenFiles.
      this.open.delete(file.bucket);
      this.open.set(file.bucket, file);
    }
    while (this.open.size > this.options.maxOpenFiles) {
      const oldest = this.open.values().next().value as OutputFile;
      this.open.delete(oldest.bucket);
      await this.finish(oldest);
    }
    if (this.unrenamed.length > 0) await this.retryRenames();
  }

  private full(file: OutputFile): boolean {
    const { rollCount, rollSize } = this.options;
    return (rollCount > 0 && file.events >= rollCount) || (rollSize > 0 && file.rawBytes >= rollSize);
  }

  private async writeBucket(bucket: string, events: readonly FlowEvent[], journal: Journal, now: number): Promise<void> {
    const { rollCount, rollSize, compression } = this.options;
    const encoder = this.encoder;
    let i = 0;
    while (i < events.length) {
      let file = this.open.get(bucket);
      if (file === undefined) file = await this.openFile(bucket, journal, now);
      journal.touch(file);
      if (file.dirty) await this.cutBack(file, file.length);
      const end = encoder.encode(
        events,
        i,
        events.length,
        rollCount > 0 ? rollCount - file.events : Infinity,
        rollSize > 0 ? rollSize - file.rawBytes : Infinity,
        file.events === 0,
        file.leadingNewline,
      );
      if (end > i) {
        const raw = encoder.length;
        await this.append(file, compression === "gzip" ? await gzip(encoder.bytes()) : encoder.bytes());
        file.leadingNewline = false;
        file.events += end - i;
        file.rawBytes += raw;
        i = end;
      }
      // Full, or the next event does not fit: the file is finished once the batch is acknowledged, and
      // the rest of the batch goes to a new one.
      if (i < events.length || this.full(file)) this.fill(file, journal);
    }
  }

  private fill(file: OutputFile, journal: Journal): void {
    if (this.open.get(file.bucket) === file) this.open.delete(file.bucket);
    journal.filled.push(file);
  }

  private async append(file: OutputFile, data: Buffer): Promise<void> {
    const handle = file.handle as FileHandle;
    let written = 0;
    try {
      while (written < data.length) {
        const result = await this.io.write(handle, data, written, data.length - written);
        written += result.bytesWritten;
      }
    } catch (error) {
      if (written > 0) file.dirty = true;
      throw new FileWriteError(`sink \`${this.options.sink}\` cannot write ${file.writing}: ${describeFileError(error)}`, error);
    }
    file.length += data.length;
  }

  private async datasync(file: OutputFile): Promise<void> {
    try {
      await file.handle?.datasync();
    } catch (error) {
      throw new FileWriteError(`sink \`${this.options.sink}\` cannot flush ${file.writing} to disk: ${describeFileError(error)}`, error);
    }
  }

  private async cutBack(file: OutputFile, length: number): Promise<void> {
    try {
      await file.handle?.truncate(length);
      file.dirty = false;
    } catch (error) {
      file.dirty = true;
      throw new FileWriteError(`sink \`${this.options.sink}\` cannot remove a failed batch from ${file.writing}: ${describeFileError(error)}`, error);
    }
  }

  /** Opens the file for `bucket`: its path in append mode, a new name otherwise. */
  private async openFile(bucket: string, journal: Journal, now: number): Promise<OutputFile> {
    const { naming, sink } = this.options;
    let file: OutputFile;
    if (naming.appends) {
      file = new OutputFile(bucket, bucket, bucket);
      try {
        await this.makeDirectory(dirname(bucket));
        // `a+`: appends, and reads the tail for checkTail.
        file.handle = await open(bucket, "a+");
        file.length = (await file.handle.stat()).size;
        await this.checkTail(file);
      } catch (error) {
        await file.handle?.close().catch(() => undefined);
        this.counter.ConnectionFailedCount++;
        throw new FileWriteError(`sink \`${sink}\` cannot open ${bucket}: ${describeFileError(error)}`, error);
      }
      journal.touch(file);
    } else {
      file = await this.createFile(bucket, now);
      journal.touch(file, true);
    }
    this.counter.ConnectionCreatedCount++;
    this.open.set(bucket, file);
    const { rollInterval, idleTimeout } = this.options;
    if (rollInterval > 0 && !naming.appends) file.rollTimer = setTimeout(() => void this.onTimer(file, "roll"), rollInterval).unref();
    if (idleTimeout > 0) file.idleTimer = setTimeout(() => void this.onTimer(file, "idle"), idleTimeout).unref();
    return file;
  }

  private async createFile(bucket: string, now: number): Promise<OutputFile> {
    const { naming, sink } = this.options;
    let lastError: unknown;
    for (let attempt = 0; attempt < 100; attempt++) {
      const { writing, final } = naming.next(bucket, now);
      try {
        await this.makeDirectory(dirname(writing));
        if (final !== writing && (await exists(final))) continue;
        const file = new OutputFile(bucket, writing, final);
        // `x`: never reuse a name, even one another process just took.
        file.handle = await open(writing, "ax");
        if (this.options.sync) await syncDirectory(dirname(writing));
        return file;
      } catch (error) {
        lastError = error;
        if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
        this.counter.ConnectionFailedCount++;
        throw new FileWriteError(`sink \`${sink}\` cannot create ${writing}: ${describeFileError(error)}`, error);
      }
    }
    this.counter.ConnectionFailedCount++;
    throw new FileWriteError(`sink \`${sink}\` found no free file name for ${bucket} in 100 attempts`, lastError);
  }

  /**
   * A file appended to may end in a batch torn by a crash. A torn gzip member would make every later
   * member unreadable to gzip tools, so it is cut off (the channel delivers that batch again); a file of
   * lines that does not end with a newline is never cut (it may not be flowc's), the next line starts on
   * a line of its own instead.
   */
  private async checkTail(file: OutputFile): Promise<void> {
    const handle = file.handle as FileHandle;
    if (file.length === 0) return;
    if (this.options.compression === "gzip") {
      const complete = await completeGzipLength(handle, file.length).catch(() => undefined);
      if (complete === undefined) {
        this.log?.warn("cannot tell whether the end of a gzip file is complete; appending to it as it is", { file: file.writing });
      } else if (complete < file.length) {
        await handle.truncate(complete);
        this.log?.warn("cut an incomplete gzip member (a batch torn by a crash, delivered again) from the end of a file", { file: file.writing, bytes: file.length - complete });
        file.length = complete;
      }
      return;
    }
    if (!(await endsWithNewline(handle, file.length))) {
      file.leadingNewline = true;
      if (!this.warnedUnterminated) this.log?.warn("a file appended to does not end with a newline; its last line is left as it is and new lines start after it", { file: file.writing });
      this.warnedUnterminated = true;
    }
  }

  private async makeDirectory(directory: string): Promise<void> {
    const created = await mkdir(directory, { recursive: true });
    if (created === undefined || !this.options.sync) return;
    // Make the new directories' entries durable too: fsync the parent of each, from the first one down.
    const first = resolve(created);
    for (let dir = resolve(directory); ; dir = dirname(dir)) {
      await syncDirectory(dirname(dir));
      if (dir === first || dirname(dir) === dir) break;
    }
  }

  private async rollBack(journal: Journal): Promise<void> {
    for (let t = journal.touches.length - 1; t >= 0; t--) {
      const touch = journal.touches[t] as Touch;
      const file = touch.file;
      if (touch.created) {
        if (this.open.get(file.bucket) === file) this.open.delete(file.bucket);
        this.clearTimers(file);
        await file.handle?.close().catch(() => undefined);
        file.handle = undefined;
        this.counter.ConnectionClosedCount++;
        await unlink(file.writing).catch((error: unknown) => this.log?.error("cannot delete the file of a failed batch", { file: file.writing, error: describeFileError(error) }));
        continue;
      }
      file.events = touch.events;
      file.rawBytes = touch.rawBytes;
      file.leadingNewline = touch.leadingNewline;
      if (file.length !== touch.length || file.dirty) {
        file.length = touch.length;
        await this.cutBack(file, touch.length).catch((error: unknown) =>
          this.log?.error("cannot remove a failed batch from a file; will retry before the next write", { file: file.writing, error: String(error) }),
        );
      }
      this.open.set(file.bucket, file);
      // An appended-to file is closed after a failure and opened again for the retry (the path may have
      // been fixed meanwhile: a file replaced, a network file system back); a cut that failed is retried
      // by keeping the file open instead.
      if (this.options.naming.appends && !file.dirty) {
        this.open.delete(file.bucket);
        this.clearTimers(file);
        await file.handle?.close().catch(() => undefined);
        file.handle = undefined;
        this.counter.ConnectionClosedCount++;
      }
    }
  }

  private async onTimer(file: OutputFile, reason: "roll" | "idle"): Promise<void> {
    await this.exclusive(async () => {
      if (this.stopped || this.open.get(file.bucket) !== file) return;
      this.open.delete(file.bucket);
      this.log?.debug(reason === "roll" ? "roll_interval reached" : "idle_timeout reached", { file: file.writing });
      await this.finish(file);
    });
  }

  private clearTimers(file: OutputFile): void {
    clearTimeout(file.rollTimer);
    clearTimeout(file.idleTimer);
    file.rollTimer = undefined;
    file.idleTimer = undefined;
  }

  /** Closes a file and renames it to its final name; failures are logged and counted (its data is written). */
  private async finish(file: OutputFile): Promise<void> {
    this.clearTimers(file);
    const handle = file.handle;
    file.handle = undefined;
    if (handle !== undefined) {
      try {
        await handle.close();
      } catch (error) {
        this.log?.error("cannot close a file", { file: file.writing, error: describeFileError(error) });
      }
      this.counter.ConnectionClosedCount++;
    }
    if (file.writing !== file.final && !(await this.renameToFinal(file))) this.unrenamed.push(file);
  }

  /**
   * Renames a finished file; false when that has to be tried again. A failure is counted and logged the
   * first time; an in-progress file that disappeared (removed by hand) is given up on.
   */
  private async renameToFinal(file: OutputFile, first = true): Promise<boolean> {
    try {
      await rename(file.writing, file.final);
      if (this.options.sync) await syncDirectory(dirname(file.final));
      return true;
    } catch (error) {
      const gone = (error as NodeJS.ErrnoException).code === "ENOENT";
      if (first) {
        this.counter.ConnectionFailedCount++;
        this.log?.error(gone ? "cannot rename a finished file: it is gone" : "cannot rename a finished file; will retry", { file: file.writing, to: file.final, error: describeFileError(error) });
      }
      return gone;
    }
  }

  private async retryRenames(): Promise<void> {
    for (const file of this.unrenamed.splice(0)) if (!(await this.renameToFinal(file, false))) this.unrenamed.push(file);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** Makes a directory's entries (a created or renamed file) durable. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
