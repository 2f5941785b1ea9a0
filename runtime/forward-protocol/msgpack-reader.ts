import { ProtocolError } from "./protocol-error";

/** A msgpack extension value other than EventTime, kept as its type and bytes. */
export class ExtValue {
  constructor(
    readonly type: number,
    readonly data: Buffer,
  ) {}
}

/** What `readValue` returns: msgpack's data model in JavaScript terms (maps have string keys). */
export type MsgpackValue = null | boolean | number | bigint | string | Buffer | ExtValue | MsgpackValue[] | { [key: string]: MsgpackValue };

/** How a `Time` was written: missing (nil), seconds as an integer or a float, or an EventTime (ext type 0). */
export const TIME_NIL = 0;
export const TIME_SECONDS = 1;
export const TIME_EVENT_TIME = 2;

/** Deepest nesting of arrays and maps accepted anywhere (records are decoded recursively). */
export const MAX_NESTING = 64;

/** Names of the type bytes, for messages such as "expected a string, got an array". */
export function describeType(byte: number): string {
  if (byte <= 0x7f || byte >= 0xe0 || (byte >= 0xcc && byte <= 0xd3)) return "an integer";
  if (byte <= 0x8f || byte === 0xde || byte === 0xdf) return "a map";
  if (byte <= 0x9f || byte === 0xdc || byte === 0xdd) return "an array";
  if (byte <= 0xbf || (byte >= 0xd9 && byte <= 0xdb)) return "a string";
  switch (byte) {
    case 0xc0:
      return "nil";
    case 0xc1:
      return "the never-used byte 0xc1";
    case 0xc2:
    case 0xc3:
      return "a boolean";
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return "binary data";
    case 0xca:
    case 0xcb:
      return "a float";
    default:
      return "an extension value";
  }
}

/**
 * Reads msgpack values from `buf[pos, end)`, checking every type against what the caller expects and
 * every length against the bytes that are there. Nothing is copied: strings are decoded from the buffer
 * and binary values are views into it. Errors are `ProtocolError`s naming `what` was being read.
 */
export class MsgpackReader {
  buf: Buffer;
  pos: number;
  end: number;
  /** Set by `readBytes`: the value's bytes are `buf[rangeStart, rangeEnd)`. */
  rangeStart = 0;
  rangeEnd = 0;
  /** Set by `readTime`: one of the TIME_ constants, and the time when it is not TIME_NIL. */
  timeKind = TIME_NIL;
  seconds = 0;
  nanoseconds = 0;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  reset(buf: Buffer, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The type byte of the next value (without consuming it). */
  peek(what: string): number {
    if (this.pos >= this.end) throw new ProtocolError(`${what}: the data ends before it`);
    return this.buf[this.pos] as number;
  }

  readArrayHeader(what: string): number {
    const byte = this.peek(what);
    if (byte >= 0x90 && byte <= 0x9f) {
      this.pos++;
      return byte & 0x0f;
    }
    if (byte === 0xdc) return this.count(3, what);
    if (byte === 0xdd) return this.count(5, what);
    throw new ProtocolError(`${what}: expected an array, got ${describeType(byte)}`);
  }

  readMapHeader(what: string): number {
    const byte = this.peek(what);
    if (byte >= 0x80 && byte <= 0x8f) {
      this.pos++;
      return byte & 0x0f;
    }
    if (byte === 0xde) return this.count(3, what);
    if (byte === 0xdf) return this.count(5, what);
    throw new ProtocolError(`${what}: expected a map, got ${describeType(byte)}`);
  }

  /** A `str` value as text. */
  readString(what: string): string {
    const byte = this.peek(what);
    if (!isStr(byte)) throw new ProtocolError(`${what}: expected a string, got ${describeType(byte)}`);
    this.readBytes(what);
    return this.buf.toString("utf8", this.rangeStart, this.rangeEnd);
  }

  /**
   * A `str` or `bin` value: sets `rangeStart`/`rangeEnd` to its bytes and returns whether it was a `str`.
   * Throws on any other type.
   */
  readBytes(what: string): boolean {
    const buf = this.buf;
    const byte = this.peek(what);
    let length: number;
    let header: number;
    if (byte >= 0xa0 && byte <= 0xbf) {
      length = byte & 0x1f;
      header = 1;
    } else {
      switch (byte) {
        case 0xd9:
        case 0xc4:
          header = 2;
          break;
        case 0xda:
        case 0xc5:
          header = 3;
          break;
        case 0xdb:
        case 0xc6:
          header = 5;
          break;
        default:
          throw new ProtocolError(`${what}: expected a string or binary data, got ${describeType(byte)}`);
      }
      this.need(header, what);
      const at = this.pos + 1;
      length = header === 2 ? (buf[at] as number) : header === 3 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
    }
    const start = this.pos + header;
    if (start + length > this.end) throw new ProtocolError(`${what}: ${length} bytes announced, ${this.end - start} left`);
    this.rangeStart = start;
    this.rangeEnd = start + length;
    this.pos = start + length;
    return byte <= 0xbf || byte >= 0xd9;
  }

  /**
   * A `Time`: an EventTime (ext type 0 with 8 bytes: seconds and nanoseconds, big-endian), a non-negative
   * integer or float of seconds, or nil. Sets `timeKind`, `seconds` and `nanoseconds`.
   */
  readTime(what: string): void {
    const buf = this.buf;
    const byte = this.peek(what);
    if (byte === 0xd7 || (byte === 0xc7 && this.pos + 1 < this.end && buf[this.pos + 1] === 8)) {
      const header = byte === 0xd7 ? 2 : 3;
      this.need(header + 8, what);
      const type = buf[this.pos + header - 1] as number;
      if (type !== 0) throw new ProtocolError(`${what}: expected an EventTime (extension type 0), got extension type ${type}`);
      const at = this.pos + header;
      this.seconds = buf.readUInt32BE(at);
      this.nanoseconds = buf.readUInt32BE(at + 4);
      if (this.nanoseconds > 999_999_999) throw new ProtocolError(`${what}: EventTime nanoseconds ${this.nanoseconds} out of range`);
      this.timeKind = TIME_EVENT_TIME;
      this.pos = at + 8;
      return;
    }
    if (byte === 0xc0) {
      this.pos++;
      this.timeKind = TIME_NIL;
      return;
    }
    if (byte === 0xca || byte === 0xcb) {
      const value = this.readNumber(what);
      if (!(value >= 0 && value < 2 ** 32)) throw new ProtocolError(`${what}: time ${value} out of range`);
      this.seconds = Math.floor(value);
      this.nanoseconds = Math.min(999_999_999, Math.round((value - this.seconds) * 1e9));
      this.timeKind = TIME_SECONDS;
      return;
    }
    if (!isInt(byte)) throw new ProtocolError(`${what}: expected an EventTime or an integer, got ${describeType(byte)}`);
    const value = this.readNumber(what);
    if (!(value >= 0 && value < 2 ** 32)) throw new ProtocolError(`${what}: time ${value} out of range`);
    this.seconds = value;
    this.nanoseconds = 0;
    this.timeKind = TIME_SECONDS;
  }

  /** An integer or float as a number (64-bit integers beyond 2^53 lose precision: use `readValue` to keep them). */
  readNumber(what: string): number {
    const value = this.readValue(what, 0);
    if (typeof value === "number") return value;
    if (typeof value === "bigint") return Number(value);
    throw new ProtocolError(`${what}: expected a number`);
  }

  /** Whether the next value is nil (and consumes it if so). */
  readNil(): boolean {
    if (this.pos < this.end && this.buf[this.pos] === 0xc0) {
      this.pos++;
      return true;
    }
    return false;
  }

  /**
   * Any value. Maps become objects without a prototype whose keys are the map's keys as text (a key that is
   * not a string is written as its JSON); 64-bit integers beyond 2^53 become bigints.
   */
  readValue(what: string, depth: number): MsgpackValue {
    const buf = this.buf;
    const byte = this.peek(what);
    if (byte <= 0x7f) {
      this.pos++;
      return byte;
    }
    if (byte >= 0xe0) {
      this.pos++;
      return byte - 0x100;
    }
    if (isStr(byte)) return this.readString(what);
    if ((byte >= 0x90 && byte <= 0x9f) || byte === 0xdc || byte === 0xdd) {
      if (depth >= MAX_NESTING) throw new ProtocolError(`${what}: nested deeper than ${MAX_NESTING} levels`);
      const count = this.readArrayHeader(what);
      const array: MsgpackValue[] = [];
      for (let i = 0; i < count; i++) array.push(this.readValue(what, depth + 1));
      return array;
    }
    if ((byte >= 0x80 && byte <= 0x8f) || byte === 0xde || byte === 0xdf) {
      if (depth >= MAX_NESTING) throw new ProtocolError(`${what}: nested deeper than ${MAX_NESTING} levels`);
      const count = this.readMapHeader(what);
      const map: { [key: string]: MsgpackValue } = Object.create(null) as { [key: string]: MsgpackValue };
      for (let i = 0; i < count; i++) {
        const key = this.readKey(what, depth + 1);
        map[key] = this.readValue(what, depth + 1);
      }
      return map;
    }
    switch (byte) {
      case 0xc0:
        this.pos++;
        return null;
      case 0xc2:
        this.pos++;
        return false;
      case 0xc3:
        this.pos++;
        return true;
      case 0xc4:
      case 0xc5:
      case 0xc6:
        this.readBytes(what);
        return buf.subarray(this.rangeStart, this.rangeEnd);
      case 0xca:
        this.need(5, what);
        this.pos += 5;
        return buf.readFloatBE(this.pos - 4);
      case 0xcb:
        this.need(9, what);
        this.pos += 9;
        return buf.readDoubleBE(this.pos - 8);
      case 0xcc:
        this.need(2, what);
        this.pos += 2;
        return buf[this.pos - 1] as number;
      case 0xcd:
        this.need(3, what);
        this.pos += 3;
        return buf.readUInt16BE(this.pos - 2);
      case 0xce:
        this.need(5, what);
        this.pos += 5;
        return buf.readUInt32BE(this.pos - 4);
      case 0xcf: {
        this.need(9, what);
        this.pos += 9;
        const value = buf.readBigUInt64BE(this.pos - 8);
        return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
      }
      case 0xd0:
        this.need(2, what);
        this.pos += 2;
        return buf.readInt8(this.pos - 1);
      case 0xd1:
        this.need(3, what);
        this.pos += 3;
        return buf.readInt16BE(this.pos - 2);
      case 0xd2:
        this.need(5, what);
        this.pos += 5;
        return buf.readInt32BE(this.pos - 4);
      case 0xd3: {
        this.need(9, what);
        this.pos += 9;
        const value = buf.readBigInt64BE(this.pos - 8);
        return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
      }
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return this.readExt(2, 1 << (byte - 0xd4), what);
      case 0xc7:
        this.need(2, what);
        return this.readExt(3, buf[this.pos + 1] as number, what);
      case 0xc8:
        this.need(3, what);
        return this.readExt(4, buf.readUInt16BE(this.pos + 1), what);
      case 0xc9:
        this.need(5, what);
        return this.readExt(6, buf.readUInt32BE(this.pos + 1), what);
      default:
        throw new ProtocolError(`${what}: invalid type byte 0x${byte.toString(16)}`);
    }
  }

  /**
   * A map key as text: a string as it is, any other value as its JSON. Short keys come from a cache, since
   * records repeat the same few field names: no string is made for a key seen before.
   */
  readKey(what: string, depth: number): string {
    const buf = this.buf;
    const pos = this.pos;
    const byte = pos < this.end ? (buf[pos] as number) : 0;
    if (byte >= 0xa0 && byte <= 0xbf) {
      const length = byte & 0x1f;
      const start = pos + 1;
      const end = start + length;
      if (end > this.end) throw new ProtocolError(`${what}: ${length} bytes announced, ${this.end - start} left`);
      this.pos = end;
      this.rangeStart = start;
      this.rangeEnd = end;
      return KEY_CACHE.lookup(buf, start, end);
    }
    if (isStr(this.peek(what))) {
      this.readBytes(what);
      return buf.toString("utf8", this.rangeStart, this.rangeEnd);
    }
    return valueToText(this.readValue(what, depth));
  }

  /** Skips one value of any type. */
  skip(what: string): void {
    this.readValue(what, 0);
  }

  private readExt(header: number, length: number, what: string): ExtValue | number {
    this.need(header + length, what);
    const type = this.buf.readInt8(this.pos + header - 1);
    const start = this.pos + header;
    this.pos = start + length;
    const data = this.buf.subarray(start, start + length);
    // An EventTime inside a record reads as seconds with a fraction, as JSON writes it.
    if (type === 0 && length === 8) return data.readUInt32BE(0) + data.readUInt32BE(4) / 1e9;
    return new ExtValue(type, data);
  }

  private count(header: number, what: string): number {
    this.need(header, what);
    const at = this.pos + 1;
    const count = header === 3 ? this.buf.readUInt16BE(at) : this.buf.readUInt32BE(at);
    this.pos += header;
    // Every element takes at least one byte: a count the data cannot hold is a lie, refused before any work.
    if (count > this.end - this.pos) throw new ProtocolError(`${what}: ${count} elements announced, only ${this.end - this.pos} bytes left`);
    return count;
  }

  private need(bytes: number, what: string): void {
    if (this.pos + bytes > this.end) throw new ProtocolError(`${what}: the data ends inside a value`);
  }
}

/**
 * Texts of short keys (up to 31 bytes, a fixstr) by their bytes: a table indexed by a hash of the bytes,
 * each slot holding the last key that hashed there. Shared by all readers (one thread).
 */
class KeyCache {
  private static readonly SLOTS = 1024;
  private readonly bytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(KeyCache.SLOTS).fill(undefined);
  private readonly texts: string[] = new Array<string>(KeyCache.SLOTS).fill("");

  lookup(buf: Buffer, start: number, end: number): string {
    let hash = end - start;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + (buf[i] as number)) | 0;
    const slot = hash & (KeyCache.SLOTS - 1);
    const cached = this.bytes[slot];
    if (cached !== undefined && cached.length === end - start) {
      let same = true;
      for (let i = 0; i < cached.length; i++) {
        if (cached[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.texts[slot] as string;
    }
    const text = buf.toString("utf8", start, end);
    this.bytes[slot] = Buffer.from(buf.subarray(start, end));
    this.texts[slot] = text;
    return text;
  }
}

const KEY_CACHE = new KeyCache();

function isStr(byte: number): boolean {
  return (byte >= 0xa0 && byte <= 0xbf) || (byte >= 0xd9 && byte <= 0xdb);
}

function isInt(byte: number): boolean {
  return byte <= 0x7f || byte >= 0xe0 || (byte >= 0xcc && byte <= 0xd3);
}

/**
 * A value as header text: strings as they are, binary data as UTF-8, numbers and booleans as JSON writes
 * them, arrays and maps as JSON.
 */
export function valueToText(value: MsgpackValue): string {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  return toJson(value);
}

/** JSON text of a decoded value: binary data as UTF-8 text, other extension values as base64 text, bigints exactly. */
export function toJson(value: MsgpackValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString("utf8"));
  if (value instanceof ExtValue) return JSON.stringify(value.data.toString("base64"));
  if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) parts.push(`${JSON.stringify(key)}:${toJson(value[key] as MsgpackValue)}`);
  return `{${parts.join(",")}}`;
}
