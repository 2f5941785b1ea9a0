import type { FileHandle } from "node:fs/promises";
import { crc32, inflateRawSync, type InflateRaw } from "node:zlib";

/**
 * A file sink's output can end in a torn batch only if the agent died while writing it; that batch was
 * not acknowledged, so the channel delivers it again. These find where the last complete batch ends.
 */

const NEWLINE = 0x0a;
const CHUNK = 64 * 1024;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** Whether a file of lines is empty or ends with a newline. */
export async function endsWithNewline(handle: FileHandle, size: number): Promise<boolean> {
  if (size === 0) return true;
  const last = await readAt(handle, size - 1, 1);
  return last[0] === NEWLINE;
}

/** The length of a file of lines up to and including its last newline (0 when it has none). */
export async function lengthThroughLastNewline(handle: FileHandle, size: number): Promise<number> {
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = await readAt(handle, start, end - start);
    const at = chunk.lastIndexOf(NEWLINE);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}

/** Where the gzip member starting at `at` ends, if it is complete and its trailer checks; undefined otherwise. */
export function gzipMemberEnd(buffer: Buffer, at: number): number | undefined {
  if (buffer.length - at < 18 || buffer[at] !== 0x1f || buffer[at + 1] !== 0x8b || buffer[at + 2] !== 8) return undefined;
  const flags = buffer[at + 3] as number;
  if ((flags & 0xe0) !== 0) return undefined;
  let data = at + 10;
  if ((flags & 4) !== 0) {
    if (data + 2 > buffer.length) return undefined;
    data += 2 + buffer.readUInt16LE(data);
  }
  for (const flag of [8, 16]) {
    if ((flags & flag) === 0) continue;
    const zero = buffer.indexOf(0, data);
    if (zero < 0) return undefined;
    data = zero + 1;
  }
  if ((flags & 2) !== 0) data += 2;
  if (data >= buffer.length) return undefined;
  let inflated: Buffer;
  let consumed: number;
  try {
    // `info` gives the engine, whose bytesWritten is how much input the deflate stream used.
    const result = inflateRawSync(buffer.subarray(data), { info: true }) as unknown as { buffer: Buffer; engine: InflateRaw };
    inflated = result.buffer;
    consumed = result.engine.bytesWritten;
  } catch {
    return undefined;
  }
  const end = data + consumed + 8;
  if (end > buffer.length) return undefined;
  if (buffer.readUInt32LE(end - 8) !== crc32(inflated) || buffer.readUInt32LE(end - 4) !== inflated.length % 2 ** 32) return undefined;
  return end;
}

/**
 * The length of a gzip file's complete members: `size` when it is intact, less when its last member is
 * torn, undefined when that cannot be told (no member start found in the last 256 MiB, or the file is not
 * gzip). Reads only the file's tail: member starts are searched backwards from the end, and the members
 * from the last good start on are checked by inflating them.
 */
export async function completeGzipLength(handle: FileHandle, size: number): Promise<number | undefined> {
  if (size === 0) return 0;
  for (let window = 4 * 1_048_576; ; window *= 4) {
    const base = Math.max(0, size - window);
    const tail = await readAt(handle, base, size - base);
    const found = completeMembers(tail, base === 0);
    if (found !== undefined) return base + found;
    if (base === 0 || window >= 256 * 1_048_576) return undefined;
  }
}

function completeMembers(tail: Buffer, fromStart: boolean): number | undefined {
  for (let at = tail.lastIndexOf(0x1f); at >= 0; at = at === 0 ? -1 : tail.lastIndexOf(0x1f, at - 1)) {
    if (tail[at + 1] !== 0x8b || tail[at + 2] !== 8) continue;
    let end = at;
    let complete = 0;
    for (let next = gzipMemberEnd(tail, end); next !== undefined; next = gzipMemberEnd(tail, end)) {
      end = next;
      complete++;
    }
    if (end === tail.length || complete > 0) return end;
  }
  // No complete member: a file whose only member is torn (it starts like one) is cut to nothing.
  if (fromStart && (tail.length === 0 || (tail[0] === 0x1f && (tail.length < 2 || tail[1] === 0x8b)))) return 0;
  return undefined;
}
