import { closeSync, mkdirSync, openSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { Channel, PutTransaction, TakeTransaction } from "../../core/channel";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import { createLogger, type Logger } from "../../core/log";
import { Signal } from "../../core/signal";
import type { ConfigOf } from "../../spec";
import { ChannelDiskError } from "./channel-disk-error";
import { CheckpointBuilder, writeCheckpointFile } from "./checkpoint";
import { acquireDirLock, type DirLock } from "../../core/dir-lock";
import { NODE_DISK_IO, type DiskIo } from "./disk-io";
import { EventRefQueue } from "./event-ref-queue";
import { FileChannelCounter } from "./file-channel-counter";
import { GroupCommit } from "./group-commit";
import { PutBatch } from "./put-batch";
import { checkRecord, decodePutRecord, RecordEncoder } from "./record-format";
import { replay, type ReplayStats } from "./replay";
import { SegmentLog } from "./segment-log";
import type { fileChannelSpec } from "./spec";
import { FileTakeTransaction } from "./transactions";
import { StagedPutTransaction } from "../../core/staged-put-transaction";

export type FileChannelConfig = ConfigOf<typeof fileChannelSpec>;

export interface FileChannelOptions {
  /** Where the channel logs (replay results, damage, disk trouble); stderr at `info` by default. */
  readonly log?: Logger;
  /** The disk operations whose failures tests inject. */
  readonly io?: DiskIo;
  /** How often free space is checked and a failed disk retried; 1 s by default. */
  readonly diskCheckIntervalMs?: number;
}

const RESOLVED = Promise.resolve();
/** A pending write is split into writes of about this size (records are never split). */
const WRITE_CHUNK_BYTES = 4 * 1_048_576;
/** The encoder's buffer is given back after a write larger than this. */
const ENCODER_KEEP_BYTES = 16 * 1_048_576;
const DISK_CHECK_INTERVAL_MS = 1_000;

const NEW = 0;
const RUNNING = 1;
const STOPPING = 2;
const STOPPED = 3;

/**
 * Flume's file channel: a durable queue in append-only segment files (docs/file-channel.md).
 *
 * - A put commit is synchronous, like the memory channel's: the batch joins the queue (takers see it at
 *   once) and the pending write list. At the end of the tick every pending batch is encoded, written with
 *   one `write` (it now survives the agent being killed) and, in `sync = batch`, flushed with one
 *   fdatasync for the whole group; `whenDurable()` resolves after that fsync.
 * - A take commit writes its take record synchronously before returning, so after a crash only takes
 *   that were not committed are delivered again (at most one transaction per taker).
 * - The queue holds references (batch, index). Batches keep their events in memory within `cache_size`;
 *   the others are read back from their segment, checksum-verified, when taken.
 * - Checkpoints record the live events' locations; a restart reads only the log written after the last one.
 */
export class FileChannel implements Channel {
  readonly counter: FileChannelCounter;
  readonly transactionCapacity: number;
  /** What the last start found and did (also logged). */
  replayStats: ReplayStats | undefined = undefined;

  private readonly capacity: number;
  private readonly cacheSize: number;
  private readonly syncEveryGroup: boolean;
  private readonly minFreeSpace: number;
  private readonly diskCheckIntervalMs: number;
  private log: Logger;
  private readonly io: DiskIo;

  private lifecycle = NEW;
  private dir: string;
  private dirFd = -1;
  private lock: DirLock | undefined = undefined;
  private segments: SegmentLog | undefined = undefined;

  private readonly queue: EventRefQueue;
  /** Events taken by open transactions: they still occupy capacity until their take commits. */
  private inFlight = 0;
  private readonly openTakes = new Set<FileTakeTransaction>();
  private nextSeq = 0;

  /** Committed batches not yet written, oldest first. */
  private readonly pendingBatches: PutBatch[] = [];
  /** Committed takes not yet written: [first sequence number, count, …]. */
  private readonly pendingTakes: number[] = [];
  /** Batches encoded into the current write chunk. */
  private readonly chunkBatches: PutBatch[] = [];
  private readonly encoder = new RecordEncoder();
  /** Memory cost (`PutBatch.memoryCost`) of the batches whose events are kept in memory. */
  private cachedBytes = 0;
  /** The last batch read back that did not fit in the cache, so its next events are not read again. */
  private lastReadBatch: PutBatch | undefined = undefined;
  private lastReadEvents: FlowEvent[] | null = null;

  private readonly groupCommit: GroupCommit;
  private flushScheduled = false;
  private checkpointTimer: NodeJS.Timeout | undefined = undefined;
  private diskTimer: NodeJS.Timeout | undefined = undefined;
  private checkpointing: Promise<void> | undefined = undefined;

  // Health: puts are refused while either is set.
  private writeError: Error | undefined = undefined;
  private lowSpace = false;
  private freeBytes = -1;
  private retryingWrites = false;

  private readonly readable = new Signal();
  private readonly writable = new Signal();

  constructor(
    readonly name: string,
    private readonly config: FileChannelConfig,
    options: FileChannelOptions = {},
  ) {
    this.capacity = config.capacity;
    this.transactionCapacity = Math.min(config.transaction_capacity, config.capacity);
    this.cacheSize = config.cache_size;
    this.syncEveryGroup = config.sync === "batch";
    this.minFreeSpace = config.min_free_space;
    this.diskCheckIntervalMs = options.diskCheckIntervalMs ?? DISK_CHECK_INTERVAL_MS;
    this.log = (options.log ?? createLogger("info")).child({ channel: name });
    this.io = options.io ?? NODE_DISK_IO;
    this.dir = resolve(config.dir);
    this.counter = new FileChannelCounter(config.capacity);
    this.queue = new EventRefQueue(Math.min(config.capacity, 65_536));
    this.groupCommit = new GroupCommit(
      {
        writePending: () => this.writePending(),
        sync: (done) => {
          const files = (this.segments as SegmentLog).sync(done);
          if (files > 0) this.counter.SyncCount++;
          return files;
        },
        onSyncError: (error) => this.onDiskError(error, "fsync"),
        failure: () => this.writeError,
        running: () => this.lifecycle === RUNNING || this.lifecycle === STOPPING,
        dirty: () => this.segments?.isDirty() === true || this.pendingBatches.length > 0 || this.pendingTakes.length > 0,
      },
      config.sync_interval,
    );
  }

  /**
   * Locks the directory, replays it and opens a new segment for writing. Every problem a user can fix
   * (unusable directory, directory locked by another agent) is a `UserFacingError`.
   */
  async start(log?: Logger): Promise<void> {
    if (this.lifecycle !== NEW) return;
    if (log !== undefined) this.log = log.child({ channel: this.name });
    try {
      mkdirSync(this.dir, { recursive: true });
      this.dir = realpathSync(this.dir);
    } catch (error) {
      throw new UserFacingError(`channel \`${this.name}\` cannot use directory ${this.dir}: ${describe(error)}`, 1);
    }
    this.lock = await acquireDirLock(this.dir, { subject: `channel \`${this.name}\``, verb: "uses", sharing: "every file channel needs its own `dir`" }, this.log);
    try {
      this.dirFd = openSync(this.dir, "r");
      const segments = new SegmentLog(this.dir, this.dirFd, this.io, this.config.max_segment_size);
      this.segments = segments;
      const result = replay(this.dir, segments, this.queue, this.log, this.counter);
      this.replayStats = result.stats;
      this.nextSeq = result.nextSeq;
      segments.roll(result.maxSegmentId + 1);
      segments.deleteDrained();
      this.lifecycle = RUNNING;
      this.checkFreeSpaceNow();
      const stats = result.stats;
      if (stats.bytesScanned > 0 || stats.damagedRecords > 0 || stats.lostEvents > 0) await this.checkpoint();
    } catch (error) {
      this.lifecycle = STOPPED;
      this.closeFiles();
      if (error instanceof UserFacingError) throw error;
      throw new UserFacingError(`channel \`${this.name}\` cannot start in ${this.dir}: ${describe(error)}`, 1);
    }
    this.checkpointTimer = setInterval(() => void this.checkpoint(), this.config.checkpoint_interval).unref();
    this.diskTimer = setInterval(() => void this.checkDisk(), this.diskCheckIntervalMs).unref();
    this.counter.Open = true;
    this.counter.StartTime = Date.now();
    this.counter.ChannelSize = this.size();
    const stats = this.replayStats;
    this.log.info("file channel started", {
      dir: this.dir,
      events: stats?.events,
      checkpoint: stats?.checkpoint,
      segments_replayed: stats?.segmentsScanned.length,
      bytes_replayed: stats?.bytesScanned,
      damaged_records: stats?.damagedRecords,
      lost_events: stats?.lostEvents,
    });
  }

  /** Writes what is pending, waits for its fsync, writes a final checkpoint and closes the files. */
  async stop(): Promise<void> {
    if (this.lifecycle !== RUNNING) return;
    this.lifecycle = STOPPING;
    clearInterval(this.checkpointTimer);
    clearInterval(this.diskTimer);
    this.groupCommit.cancelTimer();
    // A periodic checkpoint under way took its snapshot earlier: let it finish, then write the final one.
    if (this.checkpointing !== undefined) await this.checkpointing;
    await this.checkpoint();
    const unwritten = this.pendingEvents();
    if (unwritten > 0) {
      this.log.error("events committed but never written to disk are lost at stop", { events: unwritten, error: describe(this.writeError) });
    }
    await this.groupCommit.whenIdle();
    this.groupCommit.cancelTimer();
    this.lifecycle = STOPPED;
    this.closeFiles();
    this.counter.Open = false;
    this.counter.Closed = true;
    this.counter.StopTime = Date.now();
  }

  size(): number {
    return this.queue.length + this.inFlight;
  }

  beginPut(): PutTransaction {
    return new StagedPutTransaction(this);
  }

  beginTake(): TakeTransaction {
    const txn = new FileTakeTransaction(this);
    this.openTakes.add(txn);
    return txn;
  }

  whenReadable(): Promise<void> {
    return this.queue.length > 0 ? RESOLVED : this.readable.wait();
  }

  /** Waits for the next take commit, or for the disk to accept writes again after a refusal because of it. */
  whenWritable(): Promise<void> {
    return this.writable.wait();
  }

  wakeReaders(): void {
    this.readable.notify();
  }

  /**
   * Resolves once every put committed so far is on disk: after the fsync of its group (`sync = batch`) or
   * the next interval's (`sync = interval`). Rejects if that write or fsync failed, and at once while the
   * disk is failing. One promise per fsync round, shared by every caller.
   */
  whenDurable(): Promise<void> {
    return this.groupCommit.whenDurable();
  }

  /**
   * Writes a checkpoint now (the timer calls it every `checkpoint_interval`). Never rejects: a failure is
   * logged and counted, and the previous checkpoint stays.
   */
  checkpoint(): Promise<void> {
    if (this.lifecycle !== RUNNING && this.lifecycle !== STOPPING) return RESOLVED;
    this.checkpointing ??= this.writeCheckpoint().finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  /** Checks free space, and retries a failed disk once there is enough (the timer calls it every second). */
  checkDisk(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.lifecycle !== RUNNING) return resolve();
      this.io.freeBytes(this.dir, (error, bytes) => {
        this.onFreeSpace(error, bytes);
        resolve();
      });
    });
  }

  /** @internal used by StagedPutTransaction */
  ensureRoom(count: number): void {
    if (this.lifecycle !== RUNNING) {
      throw new ChannelFullError(this.name, `channel \`${this.name}\` is ${this.lifecycle === NEW ? "not started" : "stopped"}`);
    }
    if (this.writeError !== undefined || this.lowSpace) {
      this.counter.EventPutErrorCount += count;
      throw new ChannelDiskError(this.name, this.refusal());
    }
    if (this.size() + count > this.capacity) {
      throw new ChannelFullError(
        this.name,
        `channel \`${this.name}\` is full (${this.size()} of ${this.capacity} events): sinks are not keeping up`,
      );
    }
  }

  /** @internal used by StagedPutTransaction: takes ownership of `events`. */
  commitPut(events: FlowEvent[]): void {
    const n = events.length;
    if (n === 0) return;
    this.ensureRoom(n);
    const batch = new PutBatch(this.nextSeq, n, events);
    this.nextSeq += n;
    this.queue.pushRange(batch, 0, n);
    this.pendingBatches.push(batch);
    this.groupCommit.committed();
    this.counter.EventPutSuccessCount += n;
    this.counter.ChannelSize = this.size();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushGroup);
    }
    this.readable.notify();
  }

  /** @internal used by FileTakeTransaction */
  takeInto(txn: FileTakeTransaction, max: number): FlowEvent[] {
    const out: FlowEvent[] = [];
    const batches = txn.batches;
    const indices = txn.indices;
    const from = batches.length;
    const n = this.queue.shiftInto(batches, indices, max);
    // Flume counts one attempt per take() call: one per event, plus the empty take that ends a short batch.
    this.counter.EventTakeAttemptCount += n < max ? n + 1 : n;
    let kept = from;
    let dropped = 0;
    for (let k = from; k < from + n; k++) {
      const batch = batches[k] as PutBatch;
      const index = indices[k] as number;
      const events = batch.events ?? this.readBack(batch);
      if (events === null) {
        // Unreadable: recorded as taken so it is not retried forever (logged and counted in readBack).
        this.addTakeRange(batch.firstSeq + index, 1);
        this.release(batch, 1);
        dropped++;
        continue;
      }
      batches[kept] = batch;
      indices[kept] = index;
      kept++;
      out.push(events[index] as FlowEvent);
    }
    batches.length = kept;
    indices.length = kept;
    this.inFlight += kept - from;
    if (dropped > 0) {
      this.counter.EventTakeErrorCount += dropped;
      this.counter.ChannelSize = this.size();
      this.afterTakeRecords();
      this.writable.notify();
    }
    return out;
  }

  /** @internal used by FileTakeTransaction */
  commitTake(txn: FileTakeTransaction): void {
    this.openTakes.delete(txn);
    const batches = txn.batches;
    const indices = txn.indices;
    const n = batches.length;
    this.counter.EventTakeSuccessCount += n;
    if (n === 0) return;
    for (let k = 0; k < n; ) {
      const batch = batches[k] as PutBatch;
      let j = k + 1;
      while (j < n && batches[j] === batch && indices[j] === (indices[j - 1] as number) + 1) j++;
      this.addTakeRange(batch.firstSeq + (indices[k] as number), j - k);
      this.release(batch, j - k);
      k = j;
    }
    this.inFlight -= n;
    this.counter.ChannelSize = this.size();
    this.afterTakeRecords();
    this.writable.notify();
  }

  /** @internal used by FileTakeTransaction */
  rollbackTake(txn: FileTakeTransaction): void {
    this.openTakes.delete(txn);
    const n = txn.batches.length;
    if (n === 0) return;
    this.inFlight -= n;
    this.queue.unshiftAll(txn.batches, txn.indices);
    this.readable.notify();
  }

  /** Runs once per tick with commits: writes the group and flushes it (batch) or arms the interval flush. */
  private readonly flushGroup = (): void => {
    this.flushScheduled = false;
    if (this.lifecycle !== RUNNING && this.lifecycle !== STOPPING) return;
    if (!this.writePending()) return;
    if (this.syncEveryGroup) this.groupCommit.startSync();
    else this.groupCommit.armTimer();
  };

  /** Take records are written at once (they survive a kill); their fsync may wait up to `sync_interval`. */
  private afterTakeRecords(): void {
    if (this.lifecycle !== RUNNING && this.lifecycle !== STOPPING) return;
    if (this.writePending()) this.groupCommit.armTimer();
    try {
      this.segments?.deleteDrained();
    } catch (error) {
      this.log.warn("cannot delete a drained segment", { error: describe(error) });
    }
  }

  private addTakeRange(firstSeq: number, count: number): void {
    const takes = this.pendingTakes;
    const last = takes.length - 2;
    if (last >= 0 && (takes[last] as number) + (takes[last + 1] as number) === firstSeq) takes[last + 1] = (takes[last + 1] as number) + count;
    else takes.push(firstSeq, count);
  }

  /** Forgets `n` events of `batch` that a committed take removed. */
  private release(batch: PutBatch, n: number): void {
    batch.live -= n;
    if (batch.seg >= 0) this.segments?.addLive(batch.seg, -n);
    if (batch.live > 0) return;
    if (batch.cached) {
      this.cachedBytes -= batch.memoryCost;
      batch.cached = false;
    }
    if (batch.seg >= 0) batch.events = null;
    if (batch === this.lastReadBatch) {
      this.lastReadBatch = undefined;
      this.lastReadEvents = null;
    }
  }

  /** The events of a batch that is not in memory, read back from its segment; null if they are unreadable. */
  private readBack(batch: PutBatch): FlowEvent[] | null {
    if (batch.lost) return null;
    if (batch === this.lastReadBatch) return this.lastReadEvents;
    const segments = this.segments as SegmentLog;
    let problem: string;
    try {
      const buf = segments.read(batch.seg, batch.offset, batch.length);
      const checked = checkRecord(buf, 0, buf.length);
      if (checked === batch.length) {
        const events = decodePutRecord(buf, 0, checked, batch.firstSeq, batch.count);
        if (typeof events !== "string") {
          if (this.cachedBytes + batch.memoryCost <= this.cacheSize) {
            batch.events = events;
            batch.cached = true;
            this.cachedBytes += batch.memoryCost;
          } else {
            this.lastReadBatch = batch;
            this.lastReadEvents = events;
          }
          return events;
        }
        problem = events;
      } else {
        problem = typeof checked === "string" ? checked : `record length ${checked}, expected ${batch.length}`;
      }
    } catch (error) {
      problem = describe(error);
    }
    batch.lost = true;
    this.counter.CorruptRecordCount++;
    this.log.error("events cannot be read back from their segment and are dropped", {
      file: segments.pathOf(batch.seg),
      offset: batch.offset,
      problem,
      events: batch.live,
    });
    return null;
  }

  /**
   * Encodes and writes every pending batch, then the pending take ranges as one record, in chunks of
   * about 4 MiB, rolling to a new segment when the next record would pass `max_segment_size`. Returns
   * false when the disk is failing (what was not written stays pending) or the channel is stopped.
   */
  private writePending(): boolean {
    const batches = this.pendingBatches;
    const takes = this.pendingTakes;
    if (batches.length === 0 && takes.length === 0) return true;
    const segments = this.segments;
    if (segments === undefined || this.lifecycle === STOPPED) return false;
    if (this.writeError !== undefined && !this.retryingWrites) return false;
    const encoder = this.encoder;
    encoder.reset();
    this.chunkBatches.length = 0;
    try {
      segments.prepare();
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i] as PutBatch;
        if (batch.live === 0) {
          // Taken and committed before it was written (after a write failure): nothing left to keep.
          batch.events = null;
          continue;
        }
        const start = encoder.length;
        batch.length = encoder.appendPut(batch.firstSeq, batch.events as FlowEvent[]);
        batch.offset = start;
        if ((start > 0 || segments.hasRecords()) && segments.wouldOverflow(encoder.length)) {
          if (start > 0) {
            this.writeChunk(start);
            encoder.dropFront(start);
            batch.offset = 0;
          }
          segments.roll();
        }
        this.chunkBatches.push(batch);
        if (encoder.length >= WRITE_CHUNK_BYTES) {
          this.writeChunk(encoder.length);
          encoder.reset();
        }
      }
      if (takes.length > 0) encoder.appendTake(takes);
      if (encoder.length > 0) this.writeChunk(encoder.length);
    } catch (error) {
      this.chunkBatches.length = 0;
      let kept = 0;
      let events = 0;
      for (const batch of batches) {
        if (batch.seg >= 0 || batch.live === 0) continue;
        batches[kept++] = batch;
        events += batch.live;
      }
      batches.length = kept;
      this.counter.EventPutErrorCount += this.retryingWrites ? 0 : events;
      this.onDiskError(error as Error, "write");
      encoder.reset();
      encoder.shrink(ENCODER_KEEP_BYTES, 1 << 20);
      return false;
    }
    batches.length = 0;
    takes.length = 0;
    this.groupCommit.allWritten();
    encoder.reset();
    encoder.shrink(ENCODER_KEEP_BYTES, 1 << 20);
    return true;
  }

  /** Writes the encoder's first `length` bytes to the current segment and places the batches in them. */
  private writeChunk(length: number): void {
    const segments = this.segments as SegmentLog;
    const position = segments.append(this.encoder.buffer, length);
    const seg = segments.currentId;
    const chunk = this.chunkBatches;
    for (let i = 0; i < chunk.length; i++) {
      const batch = chunk[i] as PutBatch;
      batch.seg = seg;
      batch.offset += position;
      segments.addLive(seg, batch.live);
      if (this.cachedBytes + batch.memoryCost <= this.cacheSize) {
        batch.cached = true;
        this.cachedBytes += batch.memoryCost;
      } else {
        batch.events = null;
      }
    }
    chunk.length = 0;
  }

  private async writeCheckpoint(): Promise<void> {
    const segments = this.segments as SegmentLog;
    try {
      if (!this.writePending()) throw this.writeError ?? new Error("the channel is stopped");
      const builder = new CheckpointBuilder();
      for (const txn of this.openTakes) {
        for (let k = 0; k < txn.batches.length; k++) {
          const batch = txn.batches[k] as PutBatch;
          if (!batch.lost) builder.add(batch, txn.indices[k] as number);
        }
      }
      this.queue.forEach((batch, index) => {
        if (!batch.lost) builder.add(batch, index);
      });
      const data = builder.finish(this.nextSeq, segments.currentId, segments.writePos);
      await this.groupCommit.syncRound();
      await writeCheckpointFile(this.dir, data, () => this.syncDirectory());
      this.counter.CheckpointCount++;
      this.log.debug("checkpoint written", { events: builder.events, bytes: data.length });
    } catch (error) {
      this.counter.CheckpointWriteErrorCount++;
      this.log.warn("checkpoint failed: the previous one stays, so a restart replays more of the log", { error: describe(error) });
    }
  }

  private syncDirectory(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      (this.segments as SegmentLog).syncDir((error) => (error === null ? resolve() : reject(error)));
    });
  }

  private checkFreeSpaceNow(): void {
    let bytes: number;
    try {
      bytes = this.io.freeBytesSync(this.dir);
    } catch (error) {
      this.log.warn("cannot tell the free space of the channel's disk: min_free_space is not enforced until it can", { error: describe(error) });
      return;
    }
    this.onFreeSpace(null, bytes);
  }

  private onFreeSpace(error: NodeJS.ErrnoException | null, bytes: number): void {
    if (this.lifecycle !== RUNNING) return;
    if (error === null) {
      this.freeBytes = bytes;
      const low = bytes < this.minFreeSpace;
      if (low !== this.lowSpace) {
        this.lowSpace = low;
        const fields = { dir: this.dir, free_bytes: bytes, min_free_space: this.minFreeSpace };
        if (low) this.log.error("free disk space is below min_free_space: puts are refused until space is freed", fields);
        else this.log.info("free disk space is above min_free_space again: puts are accepted", fields);
      }
    }
    if (this.writeError !== undefined && !this.lowSpace) this.retryWrites();
    this.updateHealth();
  }

  /** After a failed write or fsync: tries the pending writes again; clears the failure if they succeed. */
  private retryWrites(): void {
    this.retryingWrites = true;
    const ok = this.writePending();
    this.retryingWrites = false;
    if (!ok) return;
    this.writeError = undefined;
    this.log.info("the disk accepts writes again: puts are accepted", { dir: this.dir });
    if (this.syncEveryGroup) this.groupCommit.startSync();
    else this.groupCommit.armTimer();
  }

  private onDiskError(error: Error, operation: "write" | "fsync"): void {
    const first = this.writeError === undefined;
    this.writeError = error;
    // After a failed fsync the kernel may have dropped the dirty pages: write on in a new file.
    if (operation === "fsync" && this.segments !== undefined) this.segments.rollNeeded = true;
    this.groupCommit.failRounds(error);
    this.updateHealth();
    if (first) {
      this.log.error(`cannot ${operation} the channel's segment: puts are refused until the disk recovers`, {
        file: this.segments?.pathOf(this.segments.currentId),
        error: describe(error),
      });
    }
  }

  private updateHealth(): void {
    const unhealthy = this.lowSpace || this.writeError !== undefined;
    const recovered = this.counter.Unhealthy && !unhealthy;
    this.counter.Unhealthy = unhealthy;
    if (recovered) this.writable.notify();
  }

  private refusal(): string {
    if (this.writeError !== undefined) {
      return `channel \`${this.name}\` refuses puts: writing to ${this.dir} failed (${describe(this.writeError)}); retried every ${this.diskCheckIntervalMs} ms`;
    }
    return `channel \`${this.name}\` refuses puts: ${this.freeBytes} bytes free in ${this.dir}, below min_free_space (${this.minFreeSpace} bytes)`;
  }

  private pendingEvents(): number {
    let events = 0;
    for (const batch of this.pendingBatches) events += batch.live;
    return events;
  }

  private closeFiles(): void {
    try {
      this.segments?.close();
      if (this.dirFd >= 0) closeSync(this.dirFd);
    } catch (error) {
      this.log.warn("cannot close the channel's files", { error: describe(error) });
    }
    this.dirFd = -1;
    this.lock?.release();
    this.lock = undefined;
  }
}

function describe(error: unknown): string {
  if (error === undefined) return "none";
  return error instanceof Error ? error.message : String(error);
}
