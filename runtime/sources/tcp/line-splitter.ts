import { FlowEvent } from "../../core/event";

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream into newline-terminated lines. Bodies are views into the received chunk (no
 * copy); only a line that spans chunks is copied once when it completes.
 *
 * A line longer than `maxLineLength` is cut to that length and emitted as soon as the limit is reached;
 * the rest of it, up to its newline, is discarded. So a peer that never sends a newline cannot make the
 * splitter hold more than `maxLineLength` bytes.
 */
export class LineSplitter {
  private carried: Buffer[] = [];
  private carriedLength = 0;
  /** True while discarding the rest of an over-long line up to its newline. */
  private skipping = false;
  constructor(
    private readonly maxLineLength: number,
    /** Where cut lines are counted (the source's counter, shared by all its connections). */
    private readonly truncations: { LineTruncatedCount: number },
  ) {}

  /** Appends the lines completed by `chunk` to `out` as events with empty headers. */
  push(chunk: Buffer, out: FlowEvent[]): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      this.completeLine(chunk.subarray(start, newline), out);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.carry(chunk.subarray(start), out);
  }

  /** At the end of the stream: emits a last line that had no newline. */
  flush(out: FlowEvent[]): void {
    if (this.carriedLength > 0) this.completeLine(EMPTY, out);
    this.skipping = false;
  }

  /** Bytes of an unfinished line held back. */
  get pendingBytes(): number {
    return this.carriedLength;
  }

  private completeLine(tail: Buffer, out: FlowEvent[]): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    let body = tail;
    if (this.carriedLength > 0) {
      this.carried.push(tail);
      body = Buffer.concat(this.carried, this.carriedLength + tail.length);
      this.carried = [];
      this.carriedLength = 0;
    }
    if (body.length > this.maxLineLength) {
      body = body.subarray(0, this.maxLineLength);
      this.truncations.LineTruncatedCount++;
    }
    out.push(new FlowEvent({}, body));
  }

  private carry(piece: Buffer, out: FlowEvent[]): void {
    if (this.skipping) return;
    if (this.carriedLength + piece.length > this.maxLineLength) {
      this.carried.push(piece);
      const whole = Buffer.concat(this.carried, this.carriedLength + piece.length);
      this.carried = [];
      this.carriedLength = 0;
      out.push(new FlowEvent({}, whole.subarray(0, this.maxLineLength)));
      this.truncations.LineTruncatedCount++;
      this.skipping = true;
      return;
    }
    // Copied: `piece` is a view into a chunk we should not pin while the rest of the line is awaited.
    this.carried.push(Buffer.from(piece));
    this.carriedLength += piece.length;
  }
}
