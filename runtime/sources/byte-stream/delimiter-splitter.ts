import { FlowEvent } from "../../core/event";

const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream into records ending with `delimiter` (one or more bytes, e.g. `\n`, `\r\n`, NUL),
 * one event per record, delimiter removed. Bodies are views into the received chunk (no copy); only a
 * record that spans chunks is copied once when it completes. A delimiter may itself span chunks.
 *
 * A record longer than `maxLength` is cut to that length and emitted as soon as that is certain; the rest
 * of it, up to its delimiter, is discarded. So an input that never sends a delimiter cannot make the
 * splitter hold more than `maxLength + delimiter length` bytes.
 */
export class DelimiterSplitter {
  private readonly delimiter: Buffer;
  /** Bytes a record may hold before it is certainly over-long: the limit plus a delimiter's partial prefix. */
  private readonly holdLimit: number;
  private carried: Buffer[] = [];
  private carriedLength = 0;
  /** True while discarding the rest of an over-long record up to its delimiter. */
  private skipping = false;
  /** While skipping: the last discarded bytes, which may begin a delimiter that ends in the next chunk. */
  private skippedTail: Buffer = EMPTY;

  constructor(
    delimiter: Buffer | string,
    private readonly maxLength: number,
    /** Where cut records are counted (the source's counter). */
    private readonly truncations: { LineTruncatedCount: number },
  ) {
    this.delimiter = typeof delimiter === "string" ? Buffer.from(delimiter, "utf8") : delimiter;
    if (this.delimiter.length === 0) throw new RangeError("the delimiter is empty");
    this.holdLimit = maxLength + this.delimiter.length - 1;
  }

  /** Appends the records completed by `chunk` to `out` as events with empty headers. */
  push(chunk: Buffer, out: FlowEvent[]): void {
    const delimiter = this.delimiter;
    let start = this.delimiter.length > 1 ? this.completeStraddling(chunk, out) : 0;
    let end = chunk.indexOf(delimiter, start);
    while (end !== -1) {
      this.completeRecord(chunk.subarray(start, end), out);
      start = end + delimiter.length;
      end = chunk.indexOf(delimiter, start);
    }
    if (start < chunk.length) this.carry(chunk.subarray(start), out);
  }

  /** At the end of the stream: emits a last record that had no delimiter. */
  flush(out: FlowEvent[]): void {
    if (this.carriedLength > 0) this.completeRecord(EMPTY, out);
    this.skipping = false;
    this.skippedTail = EMPTY;
  }

  /** Forgets an unfinished record (the stream was cut off); returns how many bytes it had. */
  discard(): number {
    const bytes = this.carriedLength;
    this.carried = [];
    this.carriedLength = 0;
    this.skipping = false;
    this.skippedTail = EMPTY;
    return bytes;
  }

  /** Bytes of an unfinished record held back. */
  get pendingBytes(): number {
    return this.carriedLength;
  }

  /**
   * A delimiter of several bytes may begin in what came before `chunk`: completes that record and returns
   * where the rest of `chunk` starts.
   */
  private completeStraddling(chunk: Buffer, out: FlowEvent[]): number {
    const overlap = this.delimiter.length - 1;
    const before = this.skipping ? this.skippedTail : this.carriedTail(overlap);
    if (before.length === 0) return 0;
    const joint = Buffer.concat([before, chunk.subarray(0, overlap)]);
    const at = joint.indexOf(this.delimiter);
    if (at === -1 || at >= before.length) return 0;
    const inPrevious = before.length - at;
    if (this.skipping) {
      this.skipping = false;
      this.skippedTail = EMPTY;
    } else {
      const whole = Buffer.concat(this.carried, this.carriedLength);
      this.carried = [whole.subarray(0, whole.length - inPrevious)];
      this.carriedLength = whole.length - inPrevious;
      this.completeRecord(EMPTY, out);
    }
    return this.delimiter.length - inPrevious;
  }

  /** The last `count` bytes carried (fewer if fewer are). */
  private carriedTail(count: number): Buffer {
    if (this.carriedLength === 0) return EMPTY;
    const last = this.carried[this.carried.length - 1] as Buffer;
    if (last.length >= count || this.carried.length === 1) return last.subarray(Math.max(0, last.length - count));
    const whole = Buffer.concat(this.carried, this.carriedLength);
    return whole.subarray(Math.max(0, whole.length - count));
  }

  private completeRecord(tail: Buffer, out: FlowEvent[]): void {
    if (this.skipping) {
      this.skipping = false;
      this.skippedTail = EMPTY;
      return;
    }
    let body = tail;
    if (this.carriedLength > 0) {
      this.carried.push(tail);
      body = Buffer.concat(this.carried, this.carriedLength + tail.length);
      this.carried = [];
      this.carriedLength = 0;
    }
    if (body.length > this.maxLength) {
      body = body.subarray(0, this.maxLength);
      this.truncations.LineTruncatedCount++;
    }
    out.push(new FlowEvent(undefined, body));
  }

  private carry(piece: Buffer, out: FlowEvent[]): void {
    const overlap = this.delimiter.length - 1;
    if (this.skipping) {
      if (overlap === 0) return;
      const tail = piece.length >= overlap ? piece.subarray(piece.length - overlap) : lastBytes(Buffer.concat([this.skippedTail, piece]), overlap);
      this.skippedTail = Buffer.from(tail);
      return;
    }
    if (this.carriedLength + piece.length > this.holdLimit) {
      this.carried.push(piece);
      const whole = Buffer.concat(this.carried, this.carriedLength + piece.length);
      this.carried = [];
      this.carriedLength = 0;
      out.push(new FlowEvent(undefined, whole.subarray(0, this.maxLength)));
      this.truncations.LineTruncatedCount++;
      this.skipping = true;
      // Copied: a view would pin the whole chunk while the rest of the record is awaited.
      this.skippedTail = overlap > 0 ? Buffer.from(lastBytes(whole, overlap)) : EMPTY;
      return;
    }
    // Copied: `piece` is a view into a chunk we should not pin while the rest of the record is awaited.
    this.carried.push(Buffer.from(piece));
    this.carriedLength += piece.length;
  }
}

function lastBytes(buffer: Buffer, count: number): Buffer {
  return buffer.length <= count ? buffer : buffer.subarray(buffer.length - count);
}
