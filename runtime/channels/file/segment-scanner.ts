import { readSync } from "node:fs";
import { checkRecord, RECORD_HEADER_SIZE, recordLength } from "./record-format";

export interface ScanResult {
  /** Offset just past the last good record: where the segment's valid data ends. */
  readonly end: number;
  /** Set when a torn or damaged record stopped the scan at `end`. */
  readonly damage: string | undefined;
  readonly bytesRead: number;
}

const CHUNK_SIZE = 8 * 1_048_576;

/**
 * Reads the records of one segment from `from` to `fileSize`, calling `visit` with each whole,
 * checksum-verified record (`buf[start, start + length)`, valid only during the call) and its file offset.
 * Stops at the first record whose length runs past the end of the file or whose checksum does not match.
 */
export function scanSegment(
  fd: number,
  fileSize: number,
  from: number,
  visit: (buf: Buffer, start: number, length: number, fileOffset: number) => void,
): ScanResult {
  let buf = Buffer.allocUnsafe(Math.min(CHUNK_SIZE, Math.max(RECORD_HEADER_SIZE, fileSize - from)));
  /** File offset of buf[0]; bytes [0, have) of buf are loaded; `at` is the next record. */
  let bufStart = from;
  let have = 0;
  let at = 0;
  let bytesRead = 0;

  const load = (needed: number): void => {
    if (at > 0) {
      buf.copy(buf, 0, at, have);
      bufStart += at;
      have -= at;
      at = 0;
    }
    if (needed > buf.length) {
      const bigger = Buffer.allocUnsafe(needed);
      buf.copy(bigger, 0, 0, have);
      buf = bigger;
    }
    while (have < needed && bufStart + have < fileSize) {
      const n = readSync(fd, buf, have, Math.min(buf.length, fileSize - bufStart) - have, bufStart + have);
      if (n === 0) break;
      have += n;
      bytesRead += n;
    }
  };

  for (;;) {
    const offset = bufStart + at;
    const left = fileSize - offset;
    if (left <= 0) return { end: offset, damage: undefined, bytesRead };
    if (have - at < RECORD_HEADER_SIZE) load(Math.min(left, RECORD_HEADER_SIZE));
    if (have - at < RECORD_HEADER_SIZE) return { end: offset, damage: `torn record header (${left} bytes left)`, bytesRead };
    const length = recordLength(buf, at);
    if (length < RECORD_HEADER_SIZE) return { end: offset, damage: `bad record length ${length}`, bytesRead };
    if (length > left) return { end: offset, damage: `record of ${length} bytes runs past the end of the file (${left} bytes left)`, bytesRead };
    if (have - at < length) load(length);
    const checked = checkRecord(buf, at, have - at);
    if (typeof checked === "string") return { end: offset, damage: checked, bytesRead };
    visit(buf, at, length, offset);
    at += length;
  }
}
