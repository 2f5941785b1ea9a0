import * as zlib from "node:zlib";

/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib, gzip and PNG) of `data[start, end)`.
 *
 * Node has `zlib.crc32` since 20.15 and 22.2: native and several times faster than JavaScript. Agents run
 * on Node 24, the tooling on Node 20 (any 20.x), so it is feature-detected and a table-driven version
 * (slicing-by-4) stands in where it is missing. Both compute the same function, so a file written by one
 * verifies under the other.
 */
export function crc32(data: Buffer, start: number, end: number): number {
  return nativeCrc32 !== undefined ? nativeCrc32(data.subarray(start, end)) : tableCrc32(data, start, end);
}

type NativeCrc32 = (data: Uint8Array, value?: number) => number;

const nativeCrc32: NativeCrc32 | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === "function" ? (zlib as { crc32: NativeCrc32 }).crc32 : undefined;

/** Whether the native implementation is in use (reported by the benchmark). */
export const CRC32_IS_NATIVE = nativeCrc32 !== undefined;

const TABLES = buildTables();

function buildTables(): Int32Array {
  const tables = new Int32Array(4 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    tables[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    for (let t = 1; t < 4; t++) {
      const previous = tables[(t - 1) * 256 + i] as number;
      tables[t * 256 + i] = (previous >>> 8) ^ (tables[previous & 0xff] as number);
    }
  }
  return tables;
}

/** The JavaScript fallback, exported so tests can check it against the native one. */
export function tableCrc32(data: Uint8Array, start: number, end: number): number {
  const t = TABLES;
  let c = ~0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    c ^= (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    c =
      (t[768 + (c & 0xff)] as number) ^
      (t[512 + ((c >>> 8) & 0xff)] as number) ^
      (t[256 + ((c >>> 16) & 0xff)] as number) ^
      (t[c >>> 24] as number);
  }
  for (; i < end; i++) c = (t[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
