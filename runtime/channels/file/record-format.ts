import { FlowEvent, type Headers } from "../../core/event";
import { crc32 } from "./crc32";

/**
 * The on-disk format of segment files (see docs/file-channel.md). All integers are little-endian;
 * sequence numbers are integers below 2^53 stored as float64.
 *
 * Segment file `seg-<id>.log`: a 16-byte header, then records back to back.
 *   header: "FLOWCSEG" (8 bytes), u32 format version, u32 segment id
 *   record: u32 crc32 of bytes [4, length) of the record, u32 length of the whole record, u8 type,
 *           u8 flags (0), u16 reserved (0), then the payload:
 *     put  (type 1), one committed put transaction: f64 first sequence number, u32 event count, then
 *          per event: u32 entry length (bytes after this field), u32 header count, per header
 *          u32 key length + UTF-8 key + u32 value length + UTF-8 value, then the body (the rest of the entry)
 *     take (type 2), one committed take transaction: u32 range count, then per range f64 first
 *          sequence number + u32 count
 * A record is valid when its length fits in the file and its checksum matches; the first one that is not
 * ends the segment (a torn or damaged tail).
 */
export const SEGMENT_MAGIC = "FLOWCSEG";
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_SIZE = 16;
export const RECORD_HEADER_SIZE = 12;
export const RECORD_PUT = 1;
export const RECORD_TAKE = 2;
/** First sequence number and count, after the record header. */
const PUT_PREFIX_SIZE = 12;
const TAKE_RANGE_SIZE = 12;
const MAX_RECORD_LENGTH = 0xffff_ffff;

export function segmentFileName(id: number): string {
  return `seg-${String(id).padStart(10, "0")}.log`;
}

/** The segment id of a file name written by `segmentFileName`, or undefined for any other name. */
export function segmentIdOf(fileName: string): number | undefined {
  const match = /^seg-(\d{10})\.log$/.exec(fileName);
  return match === null ? undefined : Number(match[1]);
}

export function encodeSegmentHeader(id: number): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_SIZE);
  header.write(SEGMENT_MAGIC, 0, "latin1");
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(id, 12);
  return header;
}

/** Why `header` is not the header of segment `id`, or undefined when it is. */
export function segmentHeaderProblem(header: Buffer, id: number): string | undefined {
  if (header.length < SEGMENT_HEADER_SIZE) return `header is ${header.length} bytes, expected ${SEGMENT_HEADER_SIZE}`;
  if (header.toString("latin1", 0, 8) !== SEGMENT_MAGIC) return "not a flowc segment file (bad magic)";
  const version = header.readUInt32LE(8);
  if (version !== FORMAT_VERSION) return `format version ${version}, this agent reads version ${FORMAT_VERSION}`;
  const actual = header.readUInt32LE(12);
  if (actual !== id) return `header names segment ${actual}, file name says ${id}`;
  return undefined;
}

/**
 * Checks the record that starts at `start`, of which `available` bytes are in `buf`. Returns the record's
 * length when it is whole and its checksum matches, or a reason when it is torn or damaged.
 */
export function checkRecord(buf: Buffer, start: number, available: number): number | string {
  if (available < RECORD_HEADER_SIZE) return `torn record header (${available} bytes)`;
  const length = buf.readUInt32LE(start + 4);
  if (length < RECORD_HEADER_SIZE) return `bad record length ${length}`;
  if (length > available) return `record of ${length} bytes runs past the end (${available} bytes left)`;
  const expected = buf.readUInt32LE(start);
  if (crc32(buf, start + 4, start + length) !== expected) return "checksum mismatch";
  return length;
}

/** Length of a record whose header starts at `start` (read before the whole record is in memory). */
export function recordLength(buf: Buffer, start: number): number {
  return buf.readUInt32LE(start + 4);
}

export function recordType(buf: Buffer, start: number): number {
  return buf[start + 8] as number;
}

export function putFirstSeq(buf: Buffer, start: number): number {
  return buf.readDoubleLE(start + RECORD_HEADER_SIZE);
}

export function putCount(buf: Buffer, start: number): number {
  return buf.readUInt32LE(start + RECORD_HEADER_SIZE + 8);
}

/** Calls `visit(firstSeq, count)` for each range of a checked take record. Returns false if malformed. */
export function forEachTakeRange(buf: Buffer, start: number, length: number, visit: (firstSeq: number, count: number) => void): boolean {
  const payload = start + RECORD_HEADER_SIZE;
  if (length < RECORD_HEADER_SIZE + 4) return false;
  const ranges = buf.readUInt32LE(payload);
  if (RECORD_HEADER_SIZE + 4 + ranges * TAKE_RANGE_SIZE !== length) return false;
  for (let r = 0, at = payload + 4; r < ranges; r++, at += TAKE_RANGE_SIZE) visit(buf.readDoubleLE(at), buf.readUInt32LE(at + 8));
  return true;
}

/**
 * Decodes the events of a checked put record. Bodies are views into `buf` (no copy). Returns a reason
 * instead when the payload does not match what the record claims or what the caller expects.
 */
export function decodePutRecord(buf: Buffer, start: number, length: number, firstSeq: number, count: number): FlowEvent[] | string {
  const end = start + length;
  if (length < RECORD_HEADER_SIZE + PUT_PREFIX_SIZE || recordType(buf, start) !== RECORD_PUT) return "not a put record";
  if (putFirstSeq(buf, start) !== firstSeq || putCount(buf, start) !== count) {
    return `record holds events ${putFirstSeq(buf, start)}+${putCount(buf, start)}, expected ${firstSeq}+${count}`;
  }
  const events: FlowEvent[] = new Array<FlowEvent>(count);
  let pos = start + RECORD_HEADER_SIZE + PUT_PREFIX_SIZE;
  for (let i = 0; i < count; i++) {
    if (pos + 8 > end) return `event ${i} runs past the record`;
    const entryEnd = pos + 4 + buf.readUInt32LE(pos);
    if (entryEnd > end) return `event ${i} runs past the record`;
    const headerCount = buf.readUInt32LE(pos + 4);
    pos += 8;
    const headers: Headers = {};
    for (let h = 0; h < headerCount; h++) {
      if (pos + 4 > entryEnd) return `header ${h} of event ${i} runs past the event`;
      const keyEnd = pos + 4 + buf.readUInt32LE(pos);
      if (keyEnd + 4 > entryEnd) return `header ${h} of event ${i} runs past the event`;
      const valueEnd = keyEnd + 4 + buf.readUInt32LE(keyEnd);
      if (valueEnd > entryEnd) return `header ${h} of event ${i} runs past the event`;
      headers[buf.toString("utf8", pos + 4, keyEnd)] = buf.toString("utf8", keyEnd + 4, valueEnd);
      pos = valueEnd;
    }
    events[i] = new FlowEvent(headers, buf.subarray(pos, entryEnd));
    pos = entryEnd;
  }
  return pos === end ? events : "trailing bytes after the last event";
}

/**
 * Appends records to a reusable buffer that grows as needed. `length` is the number of bytes in use.
 * Every record is complete (length and checksum filled in) when the append call returns.
 */
export class RecordEncoder {
  buffer: Buffer;
  length = 0;

  constructor(initialSize = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  reset(): void {
    this.length = 0;
  }

  /** Moves bytes [from, length) to the front. */
  dropFront(from: number): void {
    this.buffer.copy(this.buffer, 0, from, this.length);
    this.length -= from;
  }

  /** Gives back memory after an unusually large write. */
  shrink(maxSize: number, size: number): void {
    if (this.buffer.length > maxSize && this.length === 0) this.buffer = Buffer.allocUnsafe(size);
  }

  /** Appends the put record of one transaction; returns its length. */
  appendPut(firstSeq: number, events: readonly FlowEvent[]): number {
    const start = this.length;
    let buf = this.reserve(start, RECORD_HEADER_SIZE + PUT_PREFIX_SIZE);
    let pos = start + RECORD_HEADER_SIZE;
    buf.writeDoubleLE(firstSeq, pos);
    buf.writeUInt32LE(events.length, pos + 8);
    pos += PUT_PREFIX_SIZE;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as FlowEvent;
      const body = event.body;
      const headers = event.headers;
      buf = this.reserve(pos, 8 + body.length);
      const entryStart = pos;
      pos += 8;
      let headerCount = 0;
      for (const key in headers) {
        const value = headers[key] as string;
        // UTF-16 code units take at most 3 bytes in UTF-8.
        buf = this.reserve(pos, 8 + 3 * (key.length + value.length) + body.length);
        const keyLength = writeUtf8(buf, key, pos + 4);
        buf.writeUInt32LE(keyLength, pos);
        pos += 4 + keyLength;
        const valueLength = writeUtf8(buf, value, pos + 4);
        buf.writeUInt32LE(valueLength, pos);
        pos += 4 + valueLength;
        headerCount++;
      }
      buf.set(body, pos);
      pos += body.length;
      buf.writeUInt32LE(pos - entryStart - 4, entryStart);
      buf.writeUInt32LE(headerCount, entryStart + 4);
    }
    return this.finish(start, pos, RECORD_PUT);
  }

  /** Appends a take record for `ranges` = [firstSeq, count, firstSeq, count, …]; returns its length. */
  appendTake(ranges: readonly number[]): number {
    const start = this.length;
    const count = ranges.length / 2;
    const buf = this.reserve(start, RECORD_HEADER_SIZE + 4 + count * TAKE_RANGE_SIZE);
    let pos = start + RECORD_HEADER_SIZE;
    buf.writeUInt32LE(count, pos);
    pos += 4;
    for (let r = 0; r < ranges.length; r += 2) {
      buf.writeDoubleLE(ranges[r] as number, pos);
      buf.writeUInt32LE(ranges[r + 1] as number, pos + 8);
      pos += TAKE_RANGE_SIZE;
    }
    return this.finish(start, pos, RECORD_TAKE);
  }

  private finish(start: number, end: number, type: number): number {
    const buf = this.buffer;
    const length = end - start;
    if (length > MAX_RECORD_LENGTH) throw new RangeError(`a transaction of ${length} bytes exceeds the 4 GiB record limit`);
    buf.writeUInt32LE(length, start + 4);
    buf[start + 8] = type;
    buf[start + 9] = 0;
    buf.writeUInt16LE(0, start + 10);
    buf.writeUInt32LE(crc32(buf, start + 4, end), start);
    this.length = end;
    return length;
  }

  /** Makes room for `bytes` more at `pos` and returns the (possibly new) buffer. */
  private reserve(pos: number, bytes: number): Buffer {
    const needed = pos + bytes;
    if (needed <= this.buffer.length) return this.buffer;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, pos);
    this.buffer = next;
    return next;
  }
}

/** Header strings shorter than this are copied byte by byte when they are ASCII (most are). */
const ASCII_FAST_PATH_MAX = 64;

/**
 * Writes `text` as UTF-8 at `pos` (room was reserved) and returns the byte count. Short ASCII strings,
 * which most header keys and values are, are copied in a loop: cheaper than a native call each.
 */
function writeUtf8(buf: Buffer, text: string, pos: number): number {
  const n = text.length;
  if (n < ASCII_FAST_PATH_MAX) {
    let i = 0;
    for (; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) break;
      buf[pos + i] = code;
    }
    if (i === n) return n;
  }
  return buf.write(text, pos);
}
