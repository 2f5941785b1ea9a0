import { isUtf8 } from "node:buffer";

/**
 * Writes msgpack into one growing buffer, always in the smallest format for each value (as the msgpack
 * specification asks of serialisers). `take()` returns what was written and starts over; the buffer is
 * reused only when nothing taken from it can still be in use (see `take`).
 */
export class MsgpackWriter {
  private buf: Buffer;
  pos = 0;

  constructor(private readonly initialCapacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** The bytes written since the last `take()`, as a buffer of their own; the writer starts a new one. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    // The taken bytes may sit in a socket's queue for a while: never write over them.
    // Sized for a message like the last one, so a steady stream of batches does not regrow each time.
    this.buf = Buffer.allocUnsafe(Math.max(this.initialCapacity, out.length + (out.length >> 1)));
    this.pos = 0;
    return out;
  }

  /** The bytes written so far, without resetting (valid until the next write). */
  view(from = 0): Buffer {
    return this.buf.subarray(from, this.pos);
  }

  /** Forgets everything written after `pos` (to rewrite a part, e.g. a header whose size became known). */
  truncate(pos: number): void {
    this.pos = pos;
  }

  ensure(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  nil(): void {
    this.ensure(1);
    this.buf[this.pos++] = 0xc0;
  }

  boolean(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 0xc3 : 0xc2;
  }

  arrayHeader(count: number): void {
    this.containerHeader(count, 0x90, 0xdc);
  }

  mapHeader(count: number): void {
    this.containerHeader(count, 0x80, 0xde);
  }

  /** A non-negative integer below 2^32. */
  uint(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    if (value < 0x80) buf[this.pos++] = value;
    else if (value < 0x100) {
      buf[this.pos++] = 0xcc;
      buf[this.pos++] = value;
    } else if (value < 0x10000) {
      buf[this.pos++] = 0xcd;
      buf.writeUInt16BE(value, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = 0xce;
      buf.writeUInt32BE(value, this.pos);
      this.pos += 4;
    }
  }

  /** A string as `str`, encoded as UTF-8 straight into the buffer. */
  str(value: string): void {
    const chars = value.length;
    // UTF-8 takes at least one byte per UTF-16 unit and at most three: guess the header from the units,
    // write the text after it, and move the text when it turned out to need a larger header.
    this.ensure(5 + chars * 3);
    const buf = this.buf;
    const guess = headerSize(chars);
    const start = this.pos + guess;
    const length = chars === 0 ? 0 : buf.write(value, start, "utf8");
    const header = headerSize(length);
    if (header !== guess) buf.copyWithin(this.pos + header, start, start + length);
    this.strHeaderAt(this.pos, length, header);
    this.pos += header + length;
  }

  /** Bytes as `str` (they must be UTF-8). */
  strBytes(bytes: Buffer): void {
    const length = bytes.length;
    this.ensure(5 + length);
    const header = headerSize(length);
    this.strHeaderAt(this.pos, length, header);
    this.pos += header;
    this.buf.set(bytes, this.pos);
    this.pos += length;
  }

  /** Bytes as `bin`. */
  bin(bytes: Buffer): void {
    this.binHeader(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** The header of a `bin` of `length` bytes; the caller writes the bytes (and ensures room for them). */
  binHeader(length: number): void {
    this.ensure(5 + length);
    const buf = this.buf;
    if (length < 0x100) {
      buf[this.pos++] = 0xc4;
      buf[this.pos++] = length;
    } else if (length < 0x10000) {
      buf[this.pos++] = 0xc5;
      buf.writeUInt16BE(length, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = 0xc6;
      buf.writeUInt32BE(length, this.pos);
      this.pos += 4;
    }
  }

  /** Bytes as `str` when they are valid UTF-8, else as `bin`. */
  text(bytes: Buffer): void {
    if (isUtf8(bytes)) this.strBytes(bytes);
    else this.bin(bytes);
  }

  /** Bytes copied as they are (already msgpack). */
  raw(bytes: Buffer): void {
    const length = bytes.length;
    this.ensure(length);
    const buf = this.buf;
    if (length <= 16) {
      for (let i = 0; i < length; i++) buf[this.pos + i] = bytes[i] as number;
    } else buf.set(bytes, this.pos);
    this.pos += length;
  }

  /** An EventTime: extension type 0, `fixext 8`, seconds and nanoseconds as 32-bit big-endian integers. */
  eventTime(seconds: number, nanoseconds: number): void {
    this.ensure(10);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = 0xd7;
    buf[at + 1] = 0x00;
    buf[at + 2] = seconds >>> 24;
    buf[at + 3] = (seconds >>> 16) & 0xff;
    buf[at + 4] = (seconds >>> 8) & 0xff;
    buf[at + 5] = seconds & 0xff;
    buf[at + 6] = nanoseconds >>> 24;
    buf[at + 7] = (nanoseconds >>> 16) & 0xff;
    buf[at + 8] = (nanoseconds >>> 8) & 0xff;
    buf[at + 9] = nanoseconds & 0xff;
    this.pos = at + 10;
  }

  private containerHeader(count: number, fix: number, wide: number): void {
    this.ensure(5);
    const buf = this.buf;
    if (count < 16) buf[this.pos++] = fix | count;
    else if (count < 0x10000) {
      buf[this.pos++] = wide;
      buf.writeUInt16BE(count, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = wide + 1;
      buf.writeUInt32BE(count, this.pos);
      this.pos += 4;
    }
  }

  private strHeaderAt(at: number, length: number, header: number): void {
    const buf = this.buf;
    if (header === 1) buf[at] = 0xa0 | length;
    else if (header === 2) {
      buf[at] = 0xd9;
      buf[at + 1] = length;
    } else if (header === 3) {
      buf[at] = 0xda;
      buf.writeUInt16BE(length, at + 1);
    } else {
      buf[at] = 0xdb;
      buf.writeUInt32BE(length, at + 1);
    }
  }
}

/** Bytes of the smallest `str` header for a string of `length` bytes. */
function headerSize(length: number): number {
  return length < 32 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}
