import { MAX_NESTING } from "./msgpack-reader";
import { ProtocolError } from "./protocol-error";

const EMPTY = Buffer.alloc(0);
const MIN_ACCUMULATOR = 64 * 1024;

/**
 * Cuts a byte stream into whole top-level msgpack values without decoding them, however the stream was
 * split into reads. It walks type bytes and lengths only, resuming where the last read ended, so a
 * message spread over many reads is scanned once.
 *
 * Bounded: a message longer than `maxMessageSize` bytes is refused as soon as that is certain (a length
 * or an element count already announces it, or that many bytes arrived without the message ending), so
 * a peer cannot make it hold more. Nesting is limited to MAX_NESTING levels.
 *
 * A message that arrived in one read is a view into that read's buffer; one spread over several reads is
 * copied once into an accumulator. Emitted messages are never written over (an accumulator that must
 * grow is replaced), so events may keep views into them.
 */
export class MessageFramer {
  /** Received bytes: a read's buffer as it is, or an accumulator this framer owns. */
  private buf: Buffer = EMPTY;
  private owned = false;
  /** Bytes of `buf` that hold received data. */
  private length = 0;
  /** Where the message being scanned starts. */
  private start = 0;
  /** The next byte to scan; beyond `length` while waiting for the rest of a string or binary value. */
  private pos = 0;
  /** Elements still expected in each open array or map (a map counts keys and values). */
  private readonly remaining: number[] = [];
  private depth = 0;
  /** The top-level value was fully announced (its last header was scanned). */
  private complete = false;

  constructor(private readonly maxMessageSize: number) {}

  /** Bytes received but not yet returned as part of a message. */
  get bufferedBytes(): number {
    return this.length - this.start;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.start === this.length) {
      // Nothing pending: scan the read's own buffer, no copy.
      this.pos -= this.start;
      this.buf = chunk;
      this.owned = false;
      this.start = 0;
      this.length = chunk.length;
      return;
    }
    const pending = this.length - this.start;
    if (this.owned && this.length + chunk.length <= this.buf.length) {
      chunk.copy(this.buf, this.length);
      this.length += chunk.length;
      return;
    }
    const size = Math.max(MIN_ACCUMULATOR, 2 * (pending + chunk.length));
    const accumulator = Buffer.allocUnsafe(Math.min(size, Math.max(pending + chunk.length, this.maxMessageSize + chunk.length)));
    this.buf.copy(accumulator, 0, this.start, this.length);
    chunk.copy(accumulator, pending);
    this.pos -= this.start;
    this.buf = accumulator;
    this.owned = true;
    this.start = 0;
    this.length = pending + chunk.length;
  }

  /** The next whole message, or undefined until more bytes arrive. Throws `ProtocolError` on bad input. */
  next(): Buffer | undefined {
    if (!this.scan()) return undefined;
    const message = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    this.complete = false;
    return message;
  }

  /** Scans on from `pos`; true once the message starting at `start` is whole. */
  private scan(): boolean {
    const buf = this.buf;
    const length = this.length;
    const max = this.maxMessageSize;
    const remaining = this.remaining;
    for (;;) {
      if (this.pos > length) return false;
      if (this.complete) return true;
      if (this.pos - this.start >= max) throw this.tooLarge(`${this.pos - this.start} bytes arrived without the message ending`);
      const pos = this.pos;
      if (pos >= length) return false;
      const byte = buf[pos] as number;
      // Header size, then either a payload to skip or a number of elements to expect.
      let header = 1;
      let payload = 0;
      let elements = -1;
      if (byte <= 0x7f || byte >= 0xe0 || byte === 0xc0 || byte === 0xc2 || byte === 0xc3) {
        // A single-byte value.
      } else if (byte <= 0x8f) elements = (byte & 0x0f) * 2;
      else if (byte <= 0x9f) elements = byte & 0x0f;
      else if (byte <= 0xbf) payload = byte & 0x1f;
      else {
        switch (byte) {
          case 0xc4:
          case 0xd9:
            header = 2;
            if (pos + 2 > length) return false;
            payload = buf[pos + 1] as number;
            break;
          case 0xc5:
          case 0xda:
            header = 3;
            if (pos + 3 > length) return false;
            payload = buf.readUInt16BE(pos + 1);
            break;
          case 0xc6:
          case 0xdb:
            header = 5;
            if (pos + 5 > length) return false;
            payload = buf.readUInt32BE(pos + 1);
            break;
          case 0xc7:
            header = 3;
            if (pos + 2 > length) return false;
            payload = buf[pos + 1] as number;
            break;
          case 0xc8:
            header = 4;
            if (pos + 3 > length) return false;
            payload = buf.readUInt16BE(pos + 1);
            break;
          case 0xc9:
            header = 6;
            if (pos + 5 > length) return false;
            payload = buf.readUInt32BE(pos + 1);
            break;
          case 0xca:
          case 0xcb:
          case 0xcc:
          case 0xcd:
          case 0xce:
          case 0xcf:
          case 0xd0:
          case 0xd1:
          case 0xd2:
          case 0xd3:
            payload = FIXED_PAYLOAD[byte - 0xca] as number;
            break;
          case 0xd4:
          case 0xd5:
          case 0xd6:
          case 0xd7:
          case 0xd8:
            header = 2;
            payload = 1 << (byte - 0xd4);
            break;
          case 0xdc:
            header = 3;
            if (pos + 3 > length) return false;
            elements = buf.readUInt16BE(pos + 1);
            break;
          case 0xdd:
            header = 5;
            if (pos + 5 > length) return false;
            elements = buf.readUInt32BE(pos + 1);
            break;
          case 0xde:
            header = 3;
            if (pos + 3 > length) return false;
            elements = buf.readUInt16BE(pos + 1) * 2;
            break;
          case 0xdf:
            header = 5;
            if (pos + 5 > length) return false;
            elements = buf.readUInt32BE(pos + 1) * 2;
            break;
          default:
            throw new ProtocolError(`malformed msgpack: invalid type byte 0x${byte.toString(16)} at offset ${pos - this.start}`);
        }
      }
      const size = pos + header + payload - this.start;
      if (size > max) throw this.tooLarge(`a value of ${header + payload} bytes is announced at offset ${pos - this.start}`);
      // Every element takes at least one byte.
      if (elements > 0 && size + elements > max) throw this.tooLarge(`${elements} elements are announced at offset ${pos - this.start}`);
      this.pos = pos + header + payload;
      if (elements > 0) {
        if (this.depth >= MAX_NESTING) throw new ProtocolError(`malformed message: nested deeper than ${MAX_NESTING} levels`);
        remaining[this.depth++] = elements;
        continue;
      }
      // A value ended: close every container it completes.
      while (this.depth > 0) {
        const left = (remaining[this.depth - 1] as number) - 1;
        remaining[this.depth - 1] = left;
        if (left > 0) break;
        this.depth--;
      }
      if (this.depth === 0) this.complete = true;
    }
  }

  private tooLarge(detail: string): ProtocolError {
    return new ProtocolError(`message larger than max_message_size (${this.maxMessageSize} bytes): ${detail}`);
  }
}

/** Payload bytes of the fixed-size numbers 0xca (float 32) to 0xd3 (int 64). */
const FIXED_PAYLOAD = [4, 8, 1, 2, 4, 8, 1, 2, 4, 8];
