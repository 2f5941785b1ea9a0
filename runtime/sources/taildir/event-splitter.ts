import { FlowEvent, type Headers } from "../../core/event";

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/** The counters the splitter updates (fields of the source's counter). */
export interface SplitterCounts {
  LineTruncatedCount: number;
  MultilineSplitCount: number;
}

/**
 * Turns the bytes of one file, read in chunks at increasing offsets, into events: one per newline-terminated
 * line, or with `multilineStart` one per record (a line matching it and the lines after it that do not).
 *
 * Next to each event it records the file offset just past the event's last newline (`ends`): once the event
 * is in a channel, the file's position may move there. Bytes of an unfinished line (no newline yet) and of
 * a multi-line record still open are held back, and no `end` covers them, so a restart reads them again.
 *
 * Bodies are views into the chunk (no copy); only a line that spans chunks is copied once, and the lines of
 * an open record are copied when the chunk they are in is done with. A line longer than `maxLineLength` is
 * cut to that length when its newline arrives; what lies beyond the limit is never kept.
 */
export class EventSplitter {
  /** Pieces of the unfinished line, copied out of earlier chunks; at most `maxLineLength` bytes in all. */
  private carried: Buffer[] = [];
  private carriedLength = 0;
  /** The unfinished line already exceeds `maxLineLength`: the bytes past the limit were dropped. */
  private overLong = false;
  /** File offset just past the last byte pushed. */
  private readEnd = 0;

  /** Multi-line mode: the lines of the record still open, its byte length when joined, and its end. */
  private record: Buffer[] = [];
  private recordLength = 0;
  private recordEnd = 0;
  /** How many of `record`'s lines are already copies (the rest are views into the current chunk). */
  private recordCopied = 0;

  constructor(
    private readonly maxLineLength: number,
    private readonly multilineStart: RegExp | undefined,
    /** Headers every event starts with (copied per event: interceptors change headers in place). */
    private readonly headers: Headers | undefined,
    private readonly counts: SplitterCounts,
  ) {}

  /** Bytes pushed but not yet part of an emitted event (an unfinished line, an open record). */
  get heldBytes(): number {
    return this.carriedLength + this.recordLength;
  }

  /** Whether a multi-line record is open (complete lines waiting for the next start line or the timeout). */
  get hasOpenRecord(): boolean {
    return this.record.length > 0;
  }

  /** Splits `chunk`, read at file offset `position`, appending complete events to `events` and their ends to `ends`. */
  push(chunk: Buffer, position: number, events: FlowEvent[], ends: number[]): void {
    const max = this.maxLineLength;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, 0);
    while (newline !== -1) {
      let line: Buffer;
      if (this.carriedLength > 0 || this.overLong) line = this.takeCarried(chunk.subarray(start, newline));
      else {
        line = chunk.subarray(start, newline);
        if (line.length > max) {
          line = line.subarray(0, max);
          this.counts.LineTruncatedCount++;
        }
      }
      if (this.multilineStart === undefined) {
        events.push(new FlowEvent(this.headers === undefined ? undefined : { ...this.headers }, line));
        ends.push(position + newline + 1);
      } else this.addLine(line, position + newline + 1, events, ends);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.carry(chunk.subarray(start));
    this.readEnd = position + chunk.length;
    // Lines of the open record must not pin this chunk until the record completes.
    const record = this.record;
    for (let i = this.recordCopied; i < record.length; i++) record[i] = Buffer.from(record[i] as Buffer);
    this.recordCopied = record.length;
  }

  /** Multi-line mode: emits the open record (its timeout passed). Returns whether there was one. */
  closeRecord(events: FlowEvent[], ends: number[]): boolean {
    if (this.record.length === 0) return false;
    this.emitRecord(events, ends);
    return true;
  }

  /**
   * The file is done with (read to its end and rotated away, deleted, or truncated): emits what is held,
   * the unfinished last line included, as events ending at the last byte pushed.
   */
  finish(events: FlowEvent[], ends: number[]): void {
    if (this.carriedLength > 0 || this.overLong) {
      const line = this.takeCarried(EMPTY);
      if (this.multilineStart === undefined) {
        events.push(new FlowEvent(this.headers === undefined ? undefined : { ...this.headers }, line));
        ends.push(this.readEnd);
      } else this.addLine(line, this.readEnd, events, ends);
    }
    if (this.record.length > 0) this.emitRecord(events, ends);
  }

  /** Forgets everything held (after `finish`, or when the bytes are to be read again). */
  reset(): void {
    this.carried = [];
    this.carriedLength = 0;
    this.overLong = false;
    this.record = [];
    this.recordLength = 0;
    this.recordCopied = 0;
  }

  private carry(piece: Buffer): void {
    if (this.overLong) return;
    const room = this.maxLineLength - this.carriedLength;
    if (piece.length > room) {
      if (room > 0) this.carried.push(Buffer.from(piece.subarray(0, room)));
      this.carriedLength += room;
      this.overLong = true;
      return;
    }
    // Copied: `piece` is a view into a chunk that should not be pinned while the rest of the line is awaited.
    this.carried.push(Buffer.from(piece));
    this.carriedLength += piece.length;
  }

  /** The unfinished line completed by `tail` (the bytes before its newline), cut to the limit. */
  private takeCarried(tail: Buffer): Buffer {
    const max = this.maxLineLength;
    let line: Buffer;
    if (this.overLong) {
      line = Buffer.concat(this.carried, this.carriedLength);
      this.counts.LineTruncatedCount++;
    } else {
      const total = this.carriedLength + tail.length;
      this.carried.push(tail);
      line = Buffer.concat(this.carried, total);
      if (total > max) {
        line = line.subarray(0, max);
        this.counts.LineTruncatedCount++;
      }
    }
    this.carried = [];
    this.carriedLength = 0;
    this.overLong = false;
    return line;
  }

  private addLine(line: Buffer, end: number, events: FlowEvent[], ends: number[]): void {
    const record = this.record;
    if (record.length > 0) {
      if (this.isStart(line)) this.emitRecord(events, ends);
      else if (this.recordLength + 1 + line.length > this.maxLineLength) {
        this.emitRecord(events, ends);
        this.counts.MultilineSplitCount++;
      } else {
        record.push(line);
        this.recordLength += 1 + line.length;
        this.recordEnd = end;
        return;
      }
    }
    this.record.push(line);
    this.recordLength = line.length;
    this.recordEnd = end;
  }

  private isStart(line: Buffer): boolean {
    const pattern = this.multilineStart as RegExp;
    pattern.lastIndex = 0; // a `g` or `y` flag must not carry state from one line to the next
    return pattern.test(line.toString());
  }

  private emitRecord(events: FlowEvent[], ends: number[]): void {
    const record = this.record;
    let body: Buffer;
    if (record.length === 1) body = record[0] as Buffer;
    else {
      body = Buffer.allocUnsafe(this.recordLength);
      let offset = 0;
      for (let i = 0; i < record.length; i++) {
        if (i > 0) body[offset++] = NEWLINE;
        offset += (record[i] as Buffer).copy(body, offset);
      }
    }
    events.push(new FlowEvent(this.headers === undefined ? undefined : { ...this.headers }, body));
    ends.push(this.recordEnd);
    this.record = [];
    this.recordLength = 0;
    this.recordCopied = 0;
  }
}
