import type { FileHandle } from "node:fs/promises";
import type { FlowEvent } from "../../core/event";
import type { HeadIdentity } from "./copy-finder";
import type { EventSplitter } from "./event-splitter";
import { HEAD_LENGTH, headDigest, type PositionEntry } from "./position-file";

const EMPTY = Buffer.alloc(0);

/** Events read from a file and not yet in the channels, with the file offset each one ends at. */
export interface Undelivered {
  readonly events: FlowEvent[];
  readonly ends: number[];
  /** Index of the first event not yet accepted. */
  next: number;
}

/** Reading the rest of a truncated file's former content from its copy, before the file itself again. */
export interface Recovery {
  readonly handle: FileHandle;
  readonly path: string;
  readonly key: string;
  /** Next offset to read in the copy, and its size. */
  pos: number;
  readonly end: number;
}

/**
 * One followed file, identified by device and inode. The source reads it (one read at a time), splits what
 * it read into events and hands them on; this object holds where it is.
 *
 * Positions: `readPos` is the next byte to read; `ackPos` is just past the last event a channel accepted,
 * the position the position file records. Bytes between them are events waiting for room, an unfinished
 * line or an open multi-line record: after a restart they are read again, so nothing is lost or repeated.
 */
export class Tail {
  handle: FileHandle | undefined = undefined;
  readPos = 0;
  ackPos = 0;
  /** The file's first bytes (up to HEAD_LENGTH), as far as known: they tell a rewritten file from a grown one. */
  head: Buffer = EMPTY;
  private digest: string | undefined = undefined;
  /**
   * While the file's former content is being finished (a copy read, held events flushed), the position file
   * must describe that content: its identity is kept here until reading starts over from offset 0.
   */
  formerHead: HeadIdentity | undefined = undefined;
  queue: Undelivered | undefined = undefined;
  recovery: Recovery | undefined = undefined;
  /** A read is under way (only one at a time); `again` asks it to look once more when it ends. */
  pumping = false;
  again = false;
  /** The last read reached the end of the file as it was then. */
  caughtUp = false;
  /** The content was found truncated or rewritten: reading starts over once what was read is handed on. */
  replaced = false;
  /** Everything of the former content is handed on: start over at offset 0 once the queue is empty. */
  restartAtZero = false;
  /** No glob matches it any more (renamed away or deleted); `deleted` once its last link is gone. */
  detached = false;
  deleted = false;
  /** Counted in FileRotatedCount (once per file). */
  rotated = false;
  /** Finished (read to its end after rotation or deletion): its last events are being handed on, then it is forgotten. */
  retiring = false;
  /** When data last arrived (or the file was found). */
  lastGrowth = Date.now();
  /** A file that took over this one's path while this one still had unread data waits for it. */
  successor: Tail | undefined = undefined;
  predecessor: Tail | undefined = undefined;
  /** As a predecessor: drain requests made (`drainSeq`) and the last one answered by reading to the end (`drainedSeq`). */
  drainSeq = 0;
  drainedSeq = 0;
  /** As a successor: the predecessor's `drainSeq` this file waits for (0 before it asked). */
  drainRequest = 0;
  /** A failure to read it was logged; the next success says so. */
  failing = false;

  constructor(
    readonly key: string,
    readonly dev: string,
    readonly inode: string,
    /** Where the glob last matched it. */
    public path: string,
    readonly group: string,
    readonly splitter: EventSplitter,
  ) {}

  /** Records bytes read at `position` that extend the known head. */
  noteHead(chunk: Buffer, position: number): void {
    const known = this.head.length;
    if (known >= HEAD_LENGTH || position > known || position + chunk.length <= known) return;
    const take = Math.min(chunk.length, HEAD_LENGTH - position);
    this.head = Buffer.concat([this.head, chunk.subarray(known - position, take)]);
    this.digest = undefined;
  }

  setHead(head: Buffer): void {
    this.head = head;
    this.digest = undefined;
  }

  /** The identity of the content `ackPos` refers to. */
  identity(): HeadIdentity {
    if (this.formerHead !== undefined) return this.formerHead;
    this.digest ??= headDigest(this.head);
    return { length: this.head.length, sha256: this.digest };
  }

  positionEntry(): PositionEntry {
    return { dev: this.dev, inode: this.inode, pos: this.ackPos, group: this.group, path: this.path, head: this.identity() };
  }

  /** Read to the end with nothing held back for the channels: safe to close, retire or let a successor go. */
  get idle(): boolean {
    return !this.pumping && this.caughtUp && this.queue === undefined && this.recovery === undefined && !this.replaced && !this.restartAtZero;
  }
}
