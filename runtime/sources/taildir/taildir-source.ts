import { constants, watch, type FSWatcher } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ChannelProcessor, Source } from "../../core/component";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import type { FlowEvent, Headers } from "../../core/event";
import type { Logger } from "../../core/log";
import { compileRegex, type ConfigOf } from "../../spec";
import { findCopy, type HeadIdentity } from "./copy-finder";
import { EventSplitter } from "./event-splitter";
import { FileFinder } from "./file-finder";
import { HEAD_LENGTH, headDigest, PositionFileError, readPositionFile, writePositionFile, type PositionEntry } from "./position-file";
import type { taildirSourceSpec } from "./spec";
import { Tail } from "./tail";
import { TaildirSourceCounter } from "./taildir-counter";

export type TaildirSourceConfig = ConfigOf<typeof taildirSourceSpec>;
export { TaildirSourceCounter };

/** Bytes asked for per read: large reads keep system calls and promises per event near zero. */
const READ_SIZE = 1_048_576;
/** After a file-system notification that may mean a new or renamed file, poll this soon. */
const HINT_DELAY_MS = 20;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Positions loaded at start, matched to the files found by the first poll. */
class SavedPositions {
  private readonly byKey = new Map<string, PositionEntry>();
  private readonly byInodeAndPath = new Map<string, PositionEntry>();

  constructor(entries: readonly PositionEntry[]) {
    for (const entry of entries) {
      this.byKey.set(`${entry.dev}:${entry.inode}`, entry);
      this.byInodeAndPath.set(`${entry.inode}:${entry.path}`, entry);
    }
  }

  /** The entry for a file: by device and inode, or (device numbers can change across reboots) by inode and path. */
  take(key: string, inode: string, path: string): PositionEntry | undefined {
    const entry = this.byKey.get(key) ?? this.byInodeAndPath.get(`${inode}:${path}`);
    if (entry !== undefined) {
      this.byKey.delete(`${entry.dev}:${entry.inode}`);
      this.byInodeAndPath.delete(`${entry.inode}:${entry.path}`);
    }
    return entry;
  }
}

/**
 * Flume's TAILDIR source: follows the files that groups of globs match, turning lines (or multi-line
 * records) into events, through rename and copytruncate rotation, and records in a position file how far
 * each file's events reached the channels. See docs/taildir.md.
 *
 * Polling every `poll_interval` is the truth (globs matched again, every file checked); file-system
 * notifications only make reads start sooner. Each file is read by one loop at a time, a large chunk per
 * read; when a channel refuses a batch, that file's reading pauses until the processor says there is room.
 */
export class TaildirSource implements Source {
  readonly counter = new TaildirSourceCounter();
  private readonly finder: FileFinder;
  private readonly multilineStart: RegExp | undefined;
  /** Followed files by `dev:inode`. */
  private readonly tails = new Map<string, Tail>();
  /** Followed files by the path the globs last matched them at (for notifications). */
  private byPath = new Map<string, Tail>();
  /** Keys of files whose open failed or that are not regular files, with what was logged (logged once). */
  private readonly refused = new Map<string, string>();
  /** Copies of truncated files whose content was read to `size`: if a glob matches one, it starts there. */
  private readonly consumedCopies = new Map<string, number>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** Paths a followed file left (renamed or rotated away) while it was open: a new file there is its successor. */
  private readonly vacated = new Map<string, Tail>();
  private log: Logger | undefined;
  private saved: SavedPositions | undefined;
  private firstStart = false;
  private started = false;
  /** Set once the position file could be written at start: from then on files are read. */
  private running = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private settle: (() => void) | undefined;
  private polling = false;
  private pollAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private hintTimer: NodeJS.Timeout | undefined;
  private positionTimer: NodeJS.Timeout | undefined;
  /** Positions moved (or files came and went) since the position file was last written. */
  private dirty = false;
  private writing: Promise<void> | undefined;
  private writeFailing = false;

  constructor(
    readonly name: string,
    private readonly config: TaildirSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    if (Object.keys(config.files).length === 0) throw new UserFacingError(`source \`${name}\` has no group in \`files\`: nothing to follow`, 1);
    this.finder = new FileFinder(config.files, process.cwd());
    this.multilineStart = config.multiline_start === undefined ? undefined : compileRegex(config.multiline_start);
  }

  async start(log: Logger): Promise<string> {
    this.log = log.child({ source: this.name });
    const path = this.config.position_file;
    let entries: PositionEntry[] | undefined;
    try {
      entries = await readPositionFile(path);
    } catch (error) {
      if (!(error instanceof PositionFileError)) throw error;
      throw new UserFacingError(
        `source \`${this.name}\` cannot use its position file ${path}: ${error.message}; move it away to start over (every file is then read again per \`start_at\`)`,
        1,
      );
    }
    this.firstStart = entries === undefined;
    this.saved = new SavedPositions(entries ?? []);
    this.started = true;
    await this.pollOnce();
    this.saved = undefined; // files that are gone lose their entries
    this.firstStart = false;
    try {
      await this.writePositions();
    } catch (error) {
      throw new UserFacingError(`source \`${this.name}\` cannot write its position file ${path}: ${(error as Error).message}`, 1);
    }
    this.running = true;
    for (const tail of this.tails.values()) this.tend(tail, Date.now());
    // Kept referenced: like a listening socket, the poll keeps the agent's event loop alive.
    this.pollTimer = setInterval(() => void this.poll(), this.config.poll_interval);
    this.positionTimer = setInterval(() => void this.savePositions(), this.config.position_interval);
    this.positionTimer.unref();
    this.counter.StartTime = Date.now();
    this.log.debug("following", { files: this.tails.size, position_file: path, first_start: entries === undefined });
    return `taildir:${this.finder.patterns.join(",")}`;
  }

  /**
   * Stops reading, hands every event already read to the channels (waiting for room if need be), records
   * the final positions and closes the files. An unfinished line or open multi-line record is not handed
   * on: the position file points at its start, so the next start reads it whole.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pollTimer);
    clearInterval(this.positionTimer);
    clearTimeout(this.hintTimer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    if (!this.started) return;
    await new Promise<void>((resolve) => {
      this.settle = resolve;
      this.checkSettled();
    });
    try {
      await this.writing?.catch(() => undefined); // a failed write was logged; the final one is tried anyway
      await this.writePositions();
    } catch (error) {
      this.counter.PositionWriteFail++;
      this.log?.error("cannot write the position file at stop; the events since it was last written will be read again", {
        position_file: this.config.position_file,
        error: (error as Error).message,
      });
    }
    for (const tail of this.tails.values()) await this.close(tail);
    this.counter.StopTime = Date.now();
  }

  private checkSettled(): void {
    if (this.settle === undefined || this.polling) return;
    for (const tail of this.tails.values()) if (tail.pumping || tail.queue !== undefined) return;
    const settle = this.settle;
    this.settle = undefined;
    settle();
  }

  // ---------------------------------------------------------------- finding files

  private async poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.pollAgain = false;
        await this.pollOnce();
      } while (this.pollAgain && !this.stopping);
    } catch (error) {
      this.counter.GenericProcessingFail++;
      this.log?.error("polling the files failed; trying again at the next poll", { error: (error as Error).message });
    } finally {
      this.polling = false;
      this.checkSettled();
    }
  }

  /** A notification that may mean a new, renamed or deleted file: poll soon rather than at the next tick. */
  private hint(): void {
    if (this.hintTimer !== undefined || this.stopping) return;
    this.hintTimer = setTimeout(() => {
      this.hintTimer = undefined;
      void this.poll();
    }, HINT_DELAY_MS);
    this.hintTimer.unref();
  }

  private async pollOnce(): Promise<void> {
    const found = await this.finder.find();
    const seen = new Set<Tail>();
    const fresh: Tail[] = [];
    const byPath = new Map<string, Tail>();
    for (const { group, path } of found) {
      if (this.stopping) return;
      let stats;
      try {
        stats = await stat(path, { bigint: true });
      } catch {
        continue; // gone since the glob matched it
      }
      const key = `${stats.dev}:${stats.ino}`;
      let tail = this.tails.get(key);
      if (tail === undefined) {
        if (!stats.isFile()) {
          this.refuse(key, path, "not a regular file; skipped", "");
          continue;
        }
        tail = await this.follow(group, path, this.refused.has(key));
        if (tail === undefined) continue;
        fresh.push(tail);
      } else if (seen.has(tail)) continue;
      else if (tail.path !== path) {
        // Renamed to another name the globs match (e.g. `app.log` to `app.log.1` with `app.log*`).
        if (tail.handle !== undefined && tail.successor === undefined && !tail.detached) this.vacated.set(tail.path, tail);
        this.counted(tail);
        this.log?.info("file renamed", { path: tail.path, to: path });
      }
      seen.add(tail);
      byPath.set(path, tail);
      tail.path = path;
      tail.detached = false;
      if (tail.handle === undefined && !tail.retiring && (Number(stats.size) !== tail.readPos || tail.replaced)) await this.reopen(tail);
    }
    if (this.stopping) return;
    // Before anything awaits (a notification could start reading a new file): files gone from the globs
    // vacate their paths, and new files at those paths are linked to them.
    const gone: Tail[] = [];
    for (const tail of this.tails.values()) if (!seen.has(tail)) gone.push(tail);
    for (const tail of gone) this.detach(tail);
    // A path that a file followed before still holds is not vacant (whatever an earlier poll concluded).
    for (const [path, tail] of byPath) if (!fresh.includes(tail)) this.vacated.delete(path);
    for (const tail of fresh) this.linkPredecessor(tail);
    this.byPath = byPath;
    for (const tail of gone) await this.checkLinks(tail);
    this.watchDirectories();
    if (!this.running) return; // the first poll at start only finds files: reading waits for the position file
    const now = Date.now();
    for (const tail of this.tails.values()) this.tend(tail, now);
  }

  /** Opens a newly matched file and decides where to start reading it. */
  private async follow(group: string, path: string, quiet: boolean): Promise<Tail | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(path, OPEN_FLAGS);
    } catch (error) {
      this.counter.FileReadFail++;
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (!quiet) this.refuse(await keyOf(path), path, `cannot open the file: ${describeFileError(error)}; trying again at every poll`, code);
      return undefined;
    }
    try {
      const stats = await handle.stat({ bigint: true });
      const key = `${stats.dev}:${stats.ino}`;
      if (!stats.isFile() || this.tails.has(key)) {
        await handle.close();
        return undefined;
      }
      if (this.refused.delete(key)) this.log?.info("the file can be read now", { path });
      const size = Number(stats.size);
      const head = await readHead(handle, Math.min(size, HEAD_LENGTH));
      const tail = new Tail(key, String(stats.dev), String(stats.ino), path, group, this.splitterFor(group, path));
      tail.handle = handle;
      tail.setHead(head);
      this.counter.OpenFileCount++;
      this.place(tail, size, head);
      this.tails.set(key, tail);
      this.dirty = true;
      this.log?.debug("following", { path, group, from: tail.readPos });
      return tail;
    } catch (error) {
      await handle.close().catch(() => undefined);
      this.counter.FileReadFail++;
      this.log?.warn("cannot read the file; trying again at the next poll", { path, error: describeFileError(error) });
      return undefined;
    }
  }

  /** Sets where a new tail starts: its saved position, the end (first start with `start_at = end`) or 0. */
  private place(tail: Tail, size: number, head: Buffer): void {
    const entry = this.saved?.take(tail.key, tail.inode, tail.path);
    if (entry !== undefined) {
      const same = head.length >= entry.head.length && headDigest(head.subarray(0, entry.head.length)) === entry.head.sha256;
      if (same) {
        tail.readPos = tail.ackPos = entry.pos;
        return;
      }
      // Same inode, other content: rewritten while the agent was stopped (copytruncate), or a new file that
      // got a freed inode. Finish the former content from a copy if there is one, then read from 0.
      tail.ackPos = tail.readPos = entry.pos;
      tail.formerHead = entry.head;
      tail.replaced = true;
      return;
    }
    const consumed = this.consumedCopies.get(tail.key);
    if (consumed !== undefined) {
      this.consumedCopies.delete(tail.key);
      tail.readPos = tail.ackPos = Math.min(consumed, size);
      return;
    }
    if (this.firstStart && this.config.start_at === "end") tail.readPos = tail.ackPos = size;
  }

  private splitterFor(group: string, path: string): EventSplitter {
    const { file_header, group_header } = this.config;
    let headers: Headers | undefined;
    if (file_header !== undefined || group_header !== undefined) {
      headers = {};
      if (file_header !== undefined) headers[file_header] = path;
      if (group_header !== undefined) headers[group_header] = group;
    }
    return new EventSplitter(this.config.max_line_length, this.multilineStart, headers, this.counter);
  }

  private async reopen(tail: Tail): Promise<void> {
    try {
      const handle = await open(tail.path, OPEN_FLAGS);
      const stats = await handle.stat({ bigint: true });
      if (`${stats.dev}:${stats.ino}` !== tail.key) {
        await handle.close(); // replaced since it was matched: the next poll sorts it out
        return;
      }
      tail.handle = handle;
      tail.lastGrowth = Date.now();
      this.counter.OpenFileCount++;
    } catch (error) {
      this.counter.FileReadFail++;
      this.readFailed(tail, error);
    }
  }

  /** A followed file no glob matches any more: renamed away or deleted. */
  private detach(tail: Tail): void {
    if (tail.handle === undefined && tail.recovery === undefined) {
      // Closed while idle (or failing) and gone now: nothing more can be read from it.
      this.forget(tail);
      return;
    }
    if (tail.detached) return;
    tail.detached = true;
    tail.lastGrowth = Date.now(); // `rotate_wait` counts from here
    this.vacated.set(tail.path, tail);
  }

  /** A detached file: deleted (its last link gone) or renamed away? */
  private async checkLinks(tail: Tail): Promise<void> {
    if (!tail.detached || tail.deleted || tail.handle === undefined) return;
    let links = 1;
    try {
      links = Number((await tail.handle.stat()).nlink);
    } catch {
      // Closed meanwhile: treated as still linked.
    }
    if (links === 0) {
      tail.deleted = true;
      this.counter.FileDeletedCount++;
      this.log?.info("file deleted; reading it to its end", { path: tail.path });
    } else if (!tail.rotated) {
      this.counted(tail);
      this.log?.info("file renamed away; reading it to its end", { path: tail.path });
    }
  }

  /** Counts a rotation once per file, however often it is renamed again. */
  private counted(tail: Tail): void {
    if (tail.rotated) return;
    tail.rotated = true;
    this.counter.FileRotatedCount++;
  }

  /**
   * A new file at the path a rotated file had (renamed away, or to another matched name) waits until that
   * one was read to its end, so a rotation does not reorder lines.
   */
  private linkPredecessor(tail: Tail): void {
    const predecessor = this.vacated.get(tail.path);
    if (predecessor === undefined) return;
    this.vacated.delete(tail.path);
    if (predecessor === tail || this.tails.get(predecessor.key) !== predecessor || predecessor.successor !== undefined || predecessor.retiring || predecessor.handle === undefined) return;
    predecessor.successor = tail;
    tail.predecessor = predecessor;
  }

  /** Per poll: idle files are closed, finished rotated ones retired, timed-out multi-line records handed on, and every open file read. */
  private tend(tail: Tail, now: number): void {
    if (tail.retiring) return;
    const { idle_close, rotate_wait, multiline_timeout } = this.config;
    if (tail.splitter.hasOpenRecord && tail.idle && now - tail.lastGrowth >= multiline_timeout) {
      const events: FlowEvent[] = [];
      const ends: number[] = [];
      tail.splitter.closeRecord(events, ends);
      this.received(tail, events, ends);
    }
    if (tail.detached && tail.idle && (tail.deleted || now - tail.lastGrowth >= rotate_wait)) {
      this.retire(tail);
      return;
    }
    if (!tail.detached && idle_close > 0 && tail.handle !== undefined && tail.idle && !tail.splitter.hasOpenRecord && now - tail.lastGrowth >= idle_close) {
      void this.closeHandle(tail);
      return;
    }
    if (tail.handle !== undefined || tail.recovery !== undefined) void this.pump(tail);
  }

  /** A rotated-away or deleted file read to its end: hands on what it held, then forgets it. */
  private retire(tail: Tail): void {
    tail.retiring = true;
    const events: FlowEvent[] = [];
    const ends: number[] = [];
    tail.splitter.finish(events, ends);
    this.received(tail, events, ends);
    if (tail.queue === undefined) void this.finishRetiring(tail);
  }

  private async finishRetiring(tail: Tail): Promise<void> {
    this.forget(tail);
    await this.close(tail);
  }

  private forget(tail: Tail): void {
    if (this.tails.get(tail.key) !== tail) return;
    this.tails.delete(tail.key);
    if (this.byPath.get(tail.path) === tail) this.byPath.delete(tail.path);
    for (const [path, vacating] of this.vacated) if (vacating === tail) this.vacated.delete(path);
    const successor = tail.successor;
    if (successor !== undefined) {
      this.release(successor);
      void this.pump(successor);
    }
    this.dirty = true;
  }

  private refuse(key: string, path: string, message: string, code: string): void {
    const what = `${message}:${code}`;
    if (this.refused.get(key) === what) return;
    this.refused.set(key, what);
    this.log?.warn(message, { path });
  }

  private watchDirectories(): void {
    const directories = new Set(this.finder.baseDirectories);
    for (const tail of this.tails.values()) if (!tail.detached) directories.add(dirname(tail.path));
    for (const directory of directories) {
      if (this.watchers.has(directory)) continue;
      try {
        const watcher = watch(directory, { persistent: false }, (type, name) => this.notified(directory, type, name));
        watcher.on("error", () => {
          watcher.close();
          this.watchers.delete(directory);
        });
        this.watchers.set(directory, watcher);
      } catch {
        // Missing or unreadable: polling finds what appears there; watching is tried again at the next poll.
      }
    }
  }

  private notified(directory: string, type: string, name: string | Buffer | null): void {
    if (this.stopping || !this.running) return;
    const tail = name === null ? undefined : this.byPath.get(join(directory, name.toString()));
    if (tail !== undefined && type === "change") {
      if (tail.handle !== undefined) void this.pump(tail);
      else this.hint();
    } else this.hint();
  }

  // ---------------------------------------------------------------- reading

  /** Reads what the file has beyond `readPos`, hands it on, and repeats until caught up or pushed back. */
  private async pump(tail: Tail): Promise<void> {
    if (tail.pumping) {
      tail.again = true;
      return;
    }
    tail.pumping = true;
    try {
      do {
        tail.again = false;
        await this.readAvailable(tail);
      } while (tail.again && !this.stopping && tail.queue === undefined);
      if (tail.failing) {
        tail.failing = false;
        this.log?.info("the file can be read again", { path: tail.path });
      }
    } catch (error) {
      this.counter.FileReadFail++;
      this.readFailed(tail, error);
    } finally {
      tail.pumping = false;
      if (this.stopping) this.checkSettled();
      else if (tail.successor !== undefined && tail.drainedSeq >= tail.drainSeq && tail.drainSeq > 0 && tail.idle) void this.pump(tail.successor);
    }
  }

  private async readAvailable(tail: Tail): Promise<void> {
    while (!this.stopping && tail.queue === undefined && !tail.retiring) {
      if (tail.restartAtZero) this.startOverAtZero(tail);
      if (tail.recovery !== undefined) {
        await this.readRecovery(tail);
        continue;
      }
      const handle = tail.handle;
      if (handle === undefined) return;
      const drainSeq = tail.drainSeq;
      const size = Number((await handle.stat()).size);
      if (tail.replaced || size < tail.readPos) {
        await this.startOver(tail);
        continue;
      }
      if (size === tail.readPos) {
        // Caught up; a file truncated and refilled to exactly this size is caught by its head.
        if (await headChanged(handle, tail.head)) {
          tail.replaced = true;
          continue;
        }
        tail.caughtUp = true;
        tail.drainedSeq = drainSeq;
        return;
      }
      tail.caughtUp = false;
      if (this.waitsForPredecessor(tail)) return;
      const length = Math.min(size - tail.readPos, READ_SIZE);
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, tail.readPos);
      // Read but not yet received: after a restart it is read again, from the position file's offset.
      if (this.stopping || bytesRead === 0) return;
      // Checked after the read: if the file was truncated and refilled past `readPos` meanwhile, the chunk
      // may be new content; it is dropped and the former content finished from the copy from `readPos` on.
      if (await headChanged(handle, tail.head)) {
        tail.replaced = true;
        continue;
      }
      this.consume(tail, bytesRead === length ? buffer : buffer.subarray(0, bytesRead), tail.readPos);
    }
  }

  /**
   * A file that took a rotated file's place is read only once the rotated one is read to its end. Once the
   * new file has data, the writer has moved to it, so the old one is complete: it is asked to read to its
   * end as of now (`drainSeq`), and this file waits until it reports having done so (`drainedSeq`).
   */
  private waitsForPredecessor(tail: Tail): boolean {
    const predecessor = tail.predecessor;
    if (predecessor === undefined) return false;
    if (this.tails.get(predecessor.key) !== predecessor || predecessor.retiring || predecessor.handle === undefined) {
      this.release(tail);
      return false;
    }
    if (tail.drainRequest === 0) {
      tail.drainRequest = ++predecessor.drainSeq;
      void this.pump(predecessor);
      return true;
    }
    if (predecessor.drainedSeq >= tail.drainRequest && predecessor.idle) {
      this.release(tail);
      return false;
    }
    return true;
  }

  private release(tail: Tail): void {
    const predecessor = tail.predecessor;
    tail.predecessor = undefined;
    if (predecessor !== undefined && predecessor.successor === tail) predecessor.successor = undefined;
  }

  private consume(tail: Tail, chunk: Buffer, position: number): void {
    tail.noteHead(chunk, position);
    const events: FlowEvent[] = [];
    const ends: number[] = [];
    tail.splitter.push(chunk, position, events, ends);
    tail.readPos = position + chunk.length;
    tail.lastGrowth = Date.now();
    this.received(tail, events, ends);
  }

  private received(tail: Tail, events: FlowEvent[], ends: number[]): void {
    if (events.length === 0) return;
    this.counter.EventReceivedCount += events.length;
    tail.queue = { events, ends, next: 0 };
    this.deliver(tail);
  }

  /**
   * The file was truncated or rewritten in place. What was read of the former content is finished first:
   * from its copy (copytruncate leaves one in the same directory) when one is found, then whatever the
   * splitter holds; reading starts over at 0 once all of it is in the channels.
   */
  private async startOver(tail: Tail): Promise<void> {
    tail.replaced = false;
    tail.caughtUp = false;
    const identity: HeadIdentity = tail.identity();
    tail.formerHead = identity;
    this.counter.FileTruncatedCount++;
    const exclude = new Set(this.tails.keys());
    const copy = await findCopy(dirname(tail.path), identity, tail.readPos, exclude);
    if (copy !== undefined && !this.stopping) {
      this.log?.info("file truncated or rewritten; reading the rest of its former content from its copy, then the file from its start", {
        path: tail.path,
        copy: copy.path,
        from: tail.readPos,
        to: copy.size,
      });
      tail.recovery = { handle: copy.handle, path: copy.path, key: copy.key, pos: tail.readPos, end: copy.size };
      this.counter.OpenFileCount++;
      return;
    }
    if (copy !== undefined) await copy.handle.close();
    this.log?.info("file truncated or rewritten; reading it again from its start", { path: tail.path, read_to: tail.readPos });
    this.finishFormer(tail);
  }

  private async readRecovery(tail: Tail): Promise<void> {
    const recovery = tail.recovery as NonNullable<Tail["recovery"]>;
    if (recovery.pos >= recovery.end) {
      tail.recovery = undefined;
      this.consumedCopies.set(recovery.key, recovery.end);
      await recovery.handle.close().catch(() => undefined);
      this.counter.OpenFileCount--;
      this.finishFormer(tail);
      return;
    }
    const length = Math.min(recovery.end - recovery.pos, READ_SIZE);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await recovery.handle.read(buffer, 0, length, recovery.pos);
    if (this.stopping) return;
    if (bytesRead === 0) {
      recovery.pos = recovery.end; // the copy shrank: take what it had
      return;
    }
    this.consume(tail, bytesRead === length ? buffer : buffer.subarray(0, bytesRead), recovery.pos);
    recovery.pos += bytesRead;
  }

  /** Hands on what the splitter holds of the former content; reading restarts at 0 once it is accepted. */
  private finishFormer(tail: Tail): void {
    const events: FlowEvent[] = [];
    const ends: number[] = [];
    tail.splitter.finish(events, ends);
    tail.restartAtZero = true;
    this.received(tail, events, ends);
  }

  private startOverAtZero(tail: Tail): void {
    tail.restartAtZero = false;
    tail.splitter.reset();
    tail.readPos = tail.ackPos = 0;
    tail.formerHead = undefined;
    tail.setHead(Buffer.alloc(0));
    this.dirty = true;
  }

  private readFailed(tail: Tail, error: unknown): void {
    if (!tail.failing) {
      tail.failing = true;
      this.log?.warn("cannot read the file; trying again at the next poll", { path: tail.path, error: describeFileError(error) });
    }
    void this.closeHandle(tail);
  }

  // ---------------------------------------------------------------- handing on

  /** Hands the tail's undelivered events to the channels in batches; on a full channel, retries when there is room. */
  private deliver(tail: Tail): void {
    const queue = tail.queue;
    if (queue === undefined) return;
    const { events, ends } = queue;
    const batchSize = this.config.batch_size;
    while (queue.next < events.length) {
      const end = Math.min(queue.next + batchSize, events.length);
      const batch = queue.next === 0 && end === events.length ? events : events.slice(queue.next, end);
      try {
        this.processor.process(batch);
      } catch (error) {
        if (!(error instanceof ChannelFullError)) throw error;
        this.counter.ChannelWriteFail++;
        void this.processor.whenWritable().then(() => this.redeliver(tail));
        return;
      }
      this.counter.EventAcceptedCount += batch.length;
      tail.ackPos = ends[end - 1] as number;
      queue.next = end;
      this.dirty = true;
    }
    tail.queue = undefined;
  }

  private redeliver(tail: Tail): void {
    this.deliver(tail);
    if (tail.queue !== undefined) return;
    if (tail.retiring) void this.finishRetiring(tail);
    else if (!this.stopping) void this.pump(tail);
    this.checkSettled();
  }

  // ---------------------------------------------------------------- positions

  private async savePositions(): Promise<void> {
    if (!this.dirty || this.writing !== undefined || this.stopping) return;
    try {
      await this.writePositions();
      if (this.writeFailing) {
        this.writeFailing = false;
        this.log?.info("the position file is written again", { position_file: this.config.position_file });
      }
    } catch (error) {
      this.dirty = true;
      this.counter.PositionWriteFail++;
      if (!this.writeFailing) {
        this.writeFailing = true;
        this.log?.error("cannot write the position file; trying again", { position_file: this.config.position_file, error: (error as Error).message });
      }
    }
  }

  /**
   * Writes the positions as they are now, once the channels hold the events before them durably (a `file`
   * channel's fsync; at once for `memory`): a position never gets ahead of what a crash would keep.
   */
  private async writePositions(): Promise<void> {
    this.dirty = false;
    const entries: PositionEntry[] = [];
    for (const tail of this.tails.values()) entries.push(tail.positionEntry());
    this.writing = this.processor.whenDurable().then(() => writePositionFile(this.config.position_file, entries));
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  private async closeHandle(tail: Tail): Promise<void> {
    const handle = tail.handle;
    if (handle === undefined) return;
    tail.handle = undefined;
    this.counter.OpenFileCount--;
    await handle.close().catch(() => undefined);
  }

  private async close(tail: Tail): Promise<void> {
    await this.closeHandle(tail);
    const recovery = tail.recovery;
    if (recovery !== undefined) {
      tail.recovery = undefined;
      this.counter.OpenFileCount--;
      await recovery.handle.close().catch(() => undefined);
    }
  }
}

async function readHead(handle: FileHandle, length: number): Promise<Buffer> {
  if (length === 0) return Buffer.alloc(0);
  const head = Buffer.alloc(length);
  const { bytesRead } = await handle.read(head, 0, length, 0);
  return head.subarray(0, bytesRead);
}

/** Whether the file no longer starts with the bytes it started with (rewritten in place). */
async function headChanged(handle: FileHandle, head: Buffer): Promise<boolean> {
  if (head.length === 0) return false;
  const now = await readHead(handle, head.length);
  return !now.equals(head);
}

async function keyOf(path: string): Promise<string> {
  try {
    const stats = await stat(path, { bigint: true });
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return path;
  }
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOENT":
      return "no such file";
    case "EIO":
      return "input/output error";
    case "EMFILE":
    case "ENFILE":
      return "too many open files";
    default:
      return (error as Error).message;
  }
}
