import { FlowEvent } from "../../core/event";

const NEWLINE = Buffer.from("\n");
const EMPTY = Buffer.alloc(0);

/** What happens to a line longer than `maxLineLength`: cut to it, or left out. Either way it is counted. */
export type LongLinePolicy = "truncate" | "discard";

export interface LineSplitterOptions {
  /** The bytes that end a line (default `\n`); not part of the event. Any non-empty byte sequence. */
  readonly delimiter?: Buffer;
  /** Default `truncate`. */
  readonly longLines?: LongLinePolicy;
}

/** Where over-long lines are counted (the source's counter, shared by all its connections or files). */
export interface LineCounter {
  LineTruncatedCount: number;
  /** Counted with `longLines = "discard"`. */
  LineDiscardedCount?: number;
}

/**
 * Splits a byte stream into delimiter-terminated lines. Bodies are views into the received chunk (no
 * copy); only a line that spans chunks is copied once when it completes.
 *
 * A line longer than `maxLineLength` is cut to that length (`truncate`) or left out (`discard`) when it
 * ends, and counted; while it is being received only its first `maxLineLength` bytes are kept, so a
 * peer that never sends a delimiter cannot make the splitter hold more than `maxLineLength` (plus the
 * delimiter's length) bytes. Every event is emitted when its line ends (at its delimiter, or at
 * `flush`), so the stream offset after each event is a line boundary: `ends` receives it, for readers
 * that record where to resume.
 *
 * A delimiter of several bytes (e.g. `\r\n`) may be split across chunks: the last bytes of an unfinished
 * line (at most the delimiter's length minus one) are remembered to find it.
 */
export class LineSplitter {
  private readonly delimiter: Buffer;
  private readonly discard: boolean;
  private carried: Buffer[] = [];
  private carriedLength = 0;
  /** Kept bytes of the unfinished line are capped at this; beyond it the line is surely too long. */
  private readonly keepLimit: number;
  /** True once the unfinished line is known to be too long: only its head is kept, the rest is skipped. */
  private overLong = false;
  /** Bytes of the unfinished line received so far, kept or skipped. */
  private lineSeen = 0;
  /** For delimiters longer than one byte: the last bytes of the unfinished line (fewer than the delimiter). */
  private tail: Buffer = EMPTY;
  /** Stream offset of the end of the last chunk pushed. */
  private consumed = 0;
  /** Over-long lines this splitter cut or discarded (a source logs the first one of each stream). */
  longLines = 0;

  constructor(
    private readonly maxLineLength: number,
    private readonly counter: LineCounter,
    options: LineSplitterOptions = {},
  ) {
    const delimiter = options.delimiter ?? NEWLINE;
    if (delimiter.length === 0) throw new RangeError("the line delimiter must not be empty");
    this.delimiter = Buffer.from(delimiter);
    this.discard = options.longLines === "discard";
    this.keepLimit = maxLineLength + this.delimiter.length - 1;
  }

  /**
   * Appends the lines completed by `chunk` to `out` as events with empty headers; with `ends`, also the
   * stream offset just after each one's delimiter (offsets count from the first byte ever pushed).
   */
  push(chunk: Buffer, out: FlowEvent[], ends?: number[]): void {
    const delimiter = this.delimiter;
    const width = delimiter.length;
    const base = this.consumed;
    this.consumed = base + chunk.length;
    let start = 0;
    if (width > 1 && this.lineSeen > 0) start = this.straddle(chunk, base, out, ends);
    let found = chunk.indexOf(delimiter, start);
    while (found !== -1) {
      this.completeLine(chunk.subarray(start, found), 0, out, ends, base + found + width);
      start = found + width;
      found = chunk.indexOf(delimiter, start);
    }
    if (start < chunk.length) this.carry(chunk.subarray(start));
  }

  /** At the end of the stream: emits a last line that had no delimiter. */
  flush(out: FlowEvent[], ends?: number[]): void {
    if (this.lineSeen > 0) this.completeLine(EMPTY, 0, out, ends, this.consumed);
  }

  /** Bytes of an unfinished line held back. */
  get pendingBytes(): number {
    return this.carriedLength;
  }

  /**
   * A delimiter that began in the last chunk(s) and ends in this one. Returns where the search in `chunk`
   * continues: after that delimiter, or 0.
   */
  private straddle(chunk: Buffer, base: number, out: FlowEvent[], ends: number[] | undefined): number {
    const tail = this.tail;
    const width = this.delimiter.length;
    const probe = Buffer.concat([tail, chunk.subarray(0, width - 1)]);
    const at = probe.indexOf(this.delimiter);
    if (at === -1 || at >= tail.length) return 0;
    // The line ends `tail.length - at` bytes before the end of what was carried.
    const consumedHere = width - (tail.length - at);
    this.completeLine(EMPTY, tail.length - at, out, ends, base + consumedHere);
    return consumedHere;
  }

  /**
   * Ends the current line: the carried bytes minus the last `unkeep` (the start of a delimiter), then
   * `rest`. Emitted, cut or discarded; `end` is the stream offset after its delimiter.
   */
  private completeLine(rest: Buffer, unkeep: number, out: FlowEvent[], ends: number[] | undefined, end: number): void {
    const overLong = this.overLong;
    let body = rest;
    if (this.carriedLength > 0) {
      if (!overLong) this.carried.push(rest);
      const length = overLong ? this.carriedLength : this.carriedLength + rest.length;
      body = this.carried.length === 1 ? (this.carried[0] as Buffer) : Buffer.concat(this.carried, length);
      if (unkeep > 0 && !overLong) body = body.subarray(0, Math.max(0, body.length - unkeep));
    }
    this.carried = [];
    this.carriedLength = 0;
    this.lineSeen = 0;
    this.tail = EMPTY;
    this.overLong = false;
    if (overLong || body.length > this.maxLineLength) {
      this.longLines++;
      if (this.discard) {
        this.counter.LineDiscardedCount = (this.counter.LineDiscardedCount ?? 0) + 1;
        return;
      }
      this.counter.LineTruncatedCount++;
      body = body.subarray(0, this.maxLineLength);
    }
    out.push(new FlowEvent(undefined, body));
    if (ends !== undefined) ends.push(end);
  }

  /** Keeps the unfinished end of a chunk (a copy: the chunk should not stay pinned while it is awaited). */
  private carry(piece: Buffer): void {
    const width = this.delimiter.length;
    if (width > 1) this.tail = lastBytes(this.tail, piece, width - 1);
    this.lineSeen += piece.length;
    if (this.overLong) return;
    if (this.carriedLength + piece.length > this.keepLimit) {
      // Surely too long: keep its first maxLineLength bytes only, skip the rest up to its delimiter.
      const room = this.maxLineLength - this.carriedLength;
      if (room > 0) this.carried.push(Buffer.from(piece.subarray(0, room)));
      else if (room < 0) this.carried = [Buffer.concat(this.carried, this.carriedLength).subarray(0, this.maxLineLength)];
      this.carriedLength = this.maxLineLength;
      this.overLong = true;
      return;
    }
    this.carried.push(Buffer.from(piece));
    this.carriedLength += piece.length;
  }
}

/** The last `count` bytes of `before` followed by `after` (a copy). */
function lastBytes(before: Buffer, after: Buffer, count: number): Buffer {
  if (after.length >= count) return Buffer.from(after.subarray(after.length - count));
  const keep = Math.min(before.length, count - after.length);
  return Buffer.concat([before.subarray(before.length - keep), after]);
}
