import { close, closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { DiskIo, IoCallback } from "./disk-io";
import { encodeSegmentHeader, SEGMENT_HEADER_SIZE, segmentFileName } from "./record-format";

/** One segment file. */
export interface Segment {
  readonly id: number;
  /** Open descriptor, or -1 until the segment is first read. */
  fd: number;
  size: number;
  /** Events in the segment not yet taken by a committed take. */
  live: number;
  /** Written since the last fsync began. */
  dirty: boolean;
}

/**
 * The channel's segment files: appends to the newest one (rolling to a new file when asked), reads
 * records back, fsyncs what was written, and deletes segments from the oldest while they hold no live
 * event. Deleting only from the oldest keeps the invariant replay relies on: a take record lives in the
 * same segment as the put it takes, or a later one, so no surviving put loses its take record.
 */
export class SegmentLog {
  /** Oldest first. */
  readonly segments: Segment[] = [];
  private readonly byId = new Map<number, Segment>();
  private current: Segment | undefined;
  /** Where the next append goes in `current`. */
  writePos = 0;
  /** Set after a failed write or fsync: the next append goes to a new segment. */
  rollNeeded = false;
  private dirDirty = false;
  private syncsInFlight = 0;
  /** Descriptors of deleted segments, closed once no fsync may still use them. */
  private readonly closeLater: number[] = [];

  constructor(
    readonly dir: string,
    private readonly dirFd: number,
    private readonly io: DiskIo,
    private readonly maxSegmentSize: number,
  ) {}

  get currentId(): number {
    return this.current?.id ?? -1;
  }

  /** Path of segment `id`, for messages. */
  pathOf(id: number): string {
    return join(this.dir, segmentFileName(id));
  }

  /** Registers a segment found at start (oldest first). */
  register(id: number, fd: number, size: number): Segment {
    const segment: Segment = { id, fd, size, live: 0, dirty: false };
    this.segments.push(segment);
    this.byId.set(id, segment);
    return segment;
  }

  get(id: number): Segment | undefined {
    return this.byId.get(id);
  }

  /** Creates segment `id` (or the one after the newest) and makes it the one appended to. */
  roll(id = (this.segments[this.segments.length - 1]?.id ?? 0) + 1): void {
    const path = this.pathOf(id);
    const fd = openSync(path, "wx+", 0o644);
    try {
      const header = encodeSegmentHeader(id);
      if (writeSync(fd, header, 0, header.length, 0) !== header.length) throw new Error(`short write of the header of ${path}`);
    } catch (error) {
      closeSync(fd);
      unlinkSync(path);
      throw error;
    }
    const segment = this.register(id, fd, SEGMENT_HEADER_SIZE);
    segment.dirty = true;
    this.current = segment;
    this.writePos = SEGMENT_HEADER_SIZE;
    this.rollNeeded = false;
    this.dirDirty = true;
  }

  /** Rolls first if a failure asked for it. Throws when the new file cannot be created. */
  prepare(): void {
    if (this.rollNeeded || this.current === undefined) this.roll();
  }

  /** Whether appending `length` more bytes should start a new segment first. */
  wouldOverflow(length: number): boolean {
    return this.writePos + length > this.maxSegmentSize;
  }

  hasRecords(): boolean {
    return this.writePos > SEGMENT_HEADER_SIZE;
  }

  /**
   * Writes `buf[0, length)` at the end of the current segment and returns its offset. On failure the
   * segment is cut back to where it was (or, if that fails too, the next append goes to a new segment),
   * so a failed write never leaves a torn record in front of later ones; then the error is rethrown.
   */
  append(buf: Buffer, length: number): number {
    const segment = this.current;
    if (segment === undefined) throw new Error("no segment to append to");
    const start = this.writePos;
    let written = 0;
    try {
      while (written < length) {
        const n = this.io.writeSync(segment.fd, buf, written, length - written, start + written);
        if (n <= 0) throw new Error(`write to ${this.pathOf(segment.id)} made no progress`);
        written += n;
      }
    } catch (error) {
      if (written > 0) {
        try {
          ftruncateSync(segment.fd, start);
        } catch {
          this.rollNeeded = true;
        }
      }
      throw error;
    }
    this.writePos = start + length;
    segment.size = this.writePos;
    segment.dirty = true;
    return start;
  }

  /** Reads `length` bytes at `offset` of segment `id`; throws if the segment is gone or too short. */
  read(id: number, offset: number, length: number): Buffer {
    const segment = this.byId.get(id);
    if (segment === undefined) throw new Error(`segment ${this.pathOf(id)} is missing`);
    if (segment.fd < 0) segment.fd = openSync(this.pathOf(id), "r");
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(segment.fd, buf, done, length - done, offset + done);
      if (n === 0) throw new Error(`${this.pathOf(id)} ends at ${offset + done}, before the end of the record (${offset + length})`);
      done += n;
    }
    return buf;
  }

  addLive(id: number, n: number): void {
    const segment = this.byId.get(id);
    if (segment !== undefined) segment.live += n;
  }

  /** Deletes segments from the oldest while they hold no live event (never the current one); returns how many. */
  deleteDrained(): number {
    let deleted = 0;
    for (;;) {
      const oldest = this.segments[0];
      if (oldest === undefined || oldest === this.current || oldest.live > 0) return deleted;
      this.segments.shift();
      this.byId.delete(oldest.id);
      try {
        unlinkSync(this.pathOf(oldest.id));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      if (oldest.fd >= 0) {
        if (this.syncsInFlight > 0) this.closeLater.push(oldest.fd);
        else closeInBackground(oldest.fd);
      }
      this.dirDirty = true;
      deleted++;
    }
  }

  /** Whether anything was written (or created) since the last fsync began. */
  isDirty(): boolean {
    if (this.dirDirty) return true;
    for (const segment of this.segments) if (segment.dirty) return true;
    return false;
  }

  /**
   * fdatasyncs every segment written since the last sync began (and fsyncs the directory if files were
   * created or deleted), then calls `done` with the first error. Writes made meanwhile wait for the next
   * sync. Returns how many descriptors it syncs (0: nothing was written, `done` runs as a microtask).
   */
  sync(done: IoCallback): number {
    const fds: number[] = [];
    for (const segment of this.segments) {
      if (segment.dirty && segment.fd >= 0) fds.push(segment.fd);
      segment.dirty = false;
    }
    const syncDir = this.dirDirty;
    this.dirDirty = false;
    let pending = fds.length + (syncDir ? 1 : 0);
    if (pending === 0) {
      queueMicrotask(() => done(null));
      return 0;
    }
    this.syncsInFlight++;
    let first: NodeJS.ErrnoException | null = null;
    const finish = (error: NodeJS.ErrnoException | null): void => {
      if (error !== null && first === null) first = error;
      if (--pending > 0) return;
      if (--this.syncsInFlight === 0) for (const fd of this.closeLater.splice(0)) closeInBackground(fd);
      done(first);
    };
    const count = pending;
    for (const fd of fds) this.io.fdatasync(fd, finish);
    if (syncDir) this.io.fsync(this.dirFd, finish);
    return count;
  }

  /** fsyncs the directory (after the checkpoint's rename). */
  syncDir(done: IoCallback): void {
    this.io.fsync(this.dirFd, done);
  }

  /** Closes every descriptor; the files stay. */
  close(): void {
    for (const segment of this.segments) {
      if (segment.fd >= 0) closeSync(segment.fd);
      segment.fd = -1;
    }
    for (const fd of this.closeLater.splice(0)) closeSync(fd);
    this.current = undefined;
  }
}

/**
 * Closes the descriptor of a deleted segment off the event loop: the last close of an unlinked file frees
 * its blocks, which takes milliseconds for a full segment.
 */
function closeInBackground(fd: number): void {
  close(fd, () => undefined);
}
