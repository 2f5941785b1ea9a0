import { open, rename, unlink } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "./crc32";
import type { PutBatch } from "./put-batch";

/**
 * The checkpoint: the queue's state at one point of the log, so a restart reads only the log written
 * after it. Written to `checkpoint.tmp`, fsynced, renamed over `checkpoint`, and the directory fsynced,
 * so a crash leaves either the old or the new one, whole.
 *
 * Layout (little-endian): "FLOWCCKP", u32 version, u32 crc32 of everything after this field, f64 next
 * sequence number, u32 segment + f64 offset where replay resumes, u32 entry count, then per entry the
 * location of a put record and which of its events are live: f64 first sequence number, u32 event count,
 * u32 segment, f64 offset, u32 record length, u32 run count, runs of u32 first index + u32 length.
 */
export const CHECKPOINT_FILE = "checkpoint";
export const CHECKPOINT_TEMP_FILE = "checkpoint.tmp";
const MAGIC = "FLOWCCKP";
const VERSION = 1;
const HEADER_SIZE = 40;
const ENTRY_SIZE = 32;

export interface CheckpointEntry {
  readonly firstSeq: number;
  readonly count: number;
  readonly seg: number;
  readonly offset: number;
  readonly length: number;
  /** [first index, length, …] of the live events, ascending. */
  readonly runs: number[];
}

export interface Checkpoint {
  readonly nextSeq: number;
  /** Replay resumes here: every record before it is reflected in `entries`. */
  readonly positionSeg: number;
  readonly positionOffset: number;
  readonly entries: CheckpointEntry[];
}

/**
 * Builds a checkpoint from live event references visited in queue order. Consecutive references into the
 * same batch become runs; a batch met again later (possible with concurrent takers) gets another entry,
 * merged when read back.
 */
export class CheckpointBuilder {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private length = HEADER_SIZE;
  private entries = 0;
  private lastBatch: PutBatch | undefined;
  /** Where the current entry's run count and last run length live, and the index its last run ends at. */
  private runCountAt = 0;
  private runLengthAt = 0;
  private runEnd = -1;
  events = 0;

  add(batch: PutBatch, index: number): void {
    this.events++;
    if (batch === this.lastBatch) {
      if (index === this.runEnd) {
        this.buffer.writeUInt32LE(this.buffer.readUInt32LE(this.runLengthAt) + 1, this.runLengthAt);
        this.runEnd++;
        return;
      }
      this.reserve(8);
      this.buffer.writeUInt32LE(this.buffer.readUInt32LE(this.runCountAt) + 1, this.runCountAt);
    } else {
      this.reserve(ENTRY_SIZE + 8);
      const at = this.length;
      const buf = this.buffer;
      buf.writeDoubleLE(batch.firstSeq, at);
      buf.writeUInt32LE(batch.count, at + 8);
      buf.writeUInt32LE(batch.seg, at + 12);
      buf.writeDoubleLE(batch.offset, at + 16);
      buf.writeUInt32LE(batch.length, at + 24);
      buf.writeUInt32LE(1, at + 28);
      this.runCountAt = at + 28;
      this.length += ENTRY_SIZE;
      this.entries++;
      this.lastBatch = batch;
    }
    this.buffer.writeUInt32LE(index, this.length);
    this.buffer.writeUInt32LE(1, this.length + 4);
    this.runLengthAt = this.length + 4;
    this.runEnd = index + 1;
    this.length += 8;
  }

  finish(nextSeq: number, positionSeg: number, positionOffset: number): Buffer {
    const buf = this.buffer;
    buf.write(MAGIC, 0, "latin1");
    buf.writeUInt32LE(VERSION, 8);
    buf.writeDoubleLE(nextSeq, 16);
    buf.writeUInt32LE(positionSeg, 24);
    buf.writeDoubleLE(positionOffset, 28);
    buf.writeUInt32LE(this.entries, 36);
    buf.writeUInt32LE(crc32(buf, 16, this.length), 12);
    return buf.subarray(0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

/** Reads the checkpoint: undefined when there is none, a reason string when it is unusable. */
export function readCheckpoint(dir: string): Checkpoint | undefined | string {
  let buf: Buffer;
  try {
    buf = readFileSync(join(dir, CHECKPOINT_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (buf.length < HEADER_SIZE || buf.toString("latin1", 0, 8) !== MAGIC) return "not a flowc checkpoint";
  if (buf.readUInt32LE(8) !== VERSION) return `checkpoint version ${buf.readUInt32LE(8)}, expected ${VERSION}`;
  if (crc32(buf, 16, buf.length) !== buf.readUInt32LE(12)) return "checksum mismatch";
  const entries: CheckpointEntry[] = [];
  const entryCount = buf.readUInt32LE(36);
  let at = HEADER_SIZE;
  for (let e = 0; e < entryCount; e++) {
    if (at + ENTRY_SIZE > buf.length) return "truncated";
    const runCount = buf.readUInt32LE(at + 28);
    const runs: number[] = [];
    const end = at + ENTRY_SIZE + runCount * 8;
    if (end > buf.length) return "truncated";
    for (let r = at + ENTRY_SIZE; r < end; r += 8) runs.push(buf.readUInt32LE(r), buf.readUInt32LE(r + 4));
    entries.push({
      firstSeq: buf.readDoubleLE(at),
      count: buf.readUInt32LE(at + 8),
      seg: buf.readUInt32LE(at + 12),
      offset: buf.readDoubleLE(at + 16),
      length: buf.readUInt32LE(at + 24),
      runs,
    });
    at = end;
  }
  if (at !== buf.length) return "trailing bytes";
  return { nextSeq: buf.readDoubleLE(16), positionSeg: buf.readUInt32LE(24), positionOffset: buf.readDoubleLE(28), entries };
}

/** Replaces the checkpoint atomically with `data`; `syncDir` fsyncs the directory so the rename is durable. */
export async function writeCheckpointFile(dir: string, data: Buffer, syncDir: () => Promise<void>): Promise<void> {
  const temp = join(dir, CHECKPOINT_TEMP_FILE);
  try {
    const handle = await open(temp, "w", 0o644);
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, CHECKPOINT_FILE));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir();
}
