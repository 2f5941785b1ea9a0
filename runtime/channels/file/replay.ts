import { closeSync, fstatSync, ftruncateSync, fsyncSync, openSync, readdirSync, readSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../core/log";
import { CHECKPOINT_TEMP_FILE, readCheckpoint, type Checkpoint } from "./checkpoint";
import type { EventRefQueue } from "./event-ref-queue";
import type { FileChannelCounter } from "./file-channel-counter";
import { PutBatch } from "./put-batch";
import {
  forEachTakeRange,
  putCount,
  putFirstSeq,
  RECORD_PUT,
  RECORD_TAKE,
  recordType,
  SEGMENT_HEADER_SIZE,
  segmentFileName,
  segmentHeaderProblem,
  segmentIdOf,
} from "./record-format";
import { scanSegment } from "./segment-scanner";
import type { SegmentLog } from "./segment-log";

/** What the last start found and did: logged at start, and what tests use to prove a replay was partial. */
export interface ReplayStats {
  /** `loaded`, `none` (first start, or removed), or `unusable` (damaged: every segment was replayed). */
  readonly checkpoint: "loaded" | "none" | "unusable";
  /** Live events the checkpoint listed. */
  readonly checkpointEvents: number;
  /** Ids of the segments whose records were read, in order. */
  readonly segmentsScanned: readonly number[];
  readonly bytesScanned: number;
  readonly putRecords: number;
  readonly takeRecords: number;
  /** Torn or damaged records found (each ended its segment's replay, and the segment was cut there). */
  readonly damagedRecords: number;
  /** Events the checkpoint listed whose data is gone (segment missing or too short). */
  readonly lostEvents: number;
  /** Events in the channel after the replay. */
  readonly events: number;
}

export interface ReplayResult {
  readonly stats: ReplayStats;
  readonly nextSeq: number;
  /** The highest segment id the directory or the checkpoint mentions: new segments get higher ids. */
  readonly maxSegmentId: number;
}

interface Candidate {
  readonly batch: PutBatch;
  /** [first index, length, …] of the events that were live. */
  readonly runs: number[];
}

/**
 * Rebuilds the queue from the directory: registers the segment files in `segments`, loads the
 * checkpoint, reads every record written after the checkpoint's position, removes the events that take
 * records say were taken, and pushes the rest to `queue` in sequence order (FIFO). A torn or damaged
 * record ends its segment: everything before it is kept, it is logged with file and offset, counted, and
 * the segment is cut there so the next start finds it clean.
 */
export function replay(dir: string, segments: SegmentLog, queue: EventRefQueue, log: Logger, counter: FileChannelCounter): ReplayResult {
  removeLeftovers(dir);
  const ids = readdirSync(dir)
    .map(segmentIdOf)
    .filter((id): id is number => id !== undefined)
    .sort((a, b) => a - b);
  let maxSegmentId = ids[ids.length - 1] ?? 0;
  let damagedRecords = 0;

  // Register the segment files whose header is sound.
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    const path = join(dir, segmentFileName(id));
    const fd = openSync(path, "r+");
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(Math.min(size, SEGMENT_HEADER_SIZE));
    if (header.length > 0) readSync(fd, header, 0, header.length, 0);
    const problem = segmentHeaderProblem(header, id);
    if (problem === undefined) {
      segments.register(id, fd, size);
      continue;
    }
    closeSync(fd);
    if (size < SEGMENT_HEADER_SIZE && i === ids.length - 1) {
      // Created, but killed before its header was written: it never held a record.
      unlinkSync(path);
      log.info("removed an empty segment left by an interrupted start", { file: path });
      continue;
    }
    damagedRecords++;
    counter.CorruptRecordCount++;
    renameSync(path, `${path}.corrupt`);
    log.error("segment file is damaged and was set aside; its events are lost", { file: path, offset: 0, problem, kept_as: `${path}.corrupt` });
  }

  const loaded = readCheckpoint(dir);
  let checkpoint: Checkpoint | undefined;
  let checkpointState: ReplayStats["checkpoint"] = "none";
  if (typeof loaded === "string") {
    checkpointState = "unusable";
    log.warn("checkpoint is unusable, replaying every segment", { file: join(dir, "checkpoint"), problem: loaded });
  } else if (loaded !== undefined) {
    checkpoint = loaded;
    checkpointState = "loaded";
    maxSegmentId = Math.max(maxSegmentId, loaded.positionSeg);
  }

  const candidates: Candidate[] = [];
  let nextSeq = checkpoint?.nextSeq ?? 0;
  let checkpointEvents = 0;
  let lostEvents = 0;
  // The checkpoint's live events. A segment older than every segment file was deleted because all its
  // events were taken (the newest segment is never deleted, so there is always one); a missing one among
  // them, or one shorter than the checkpoint says, is damage.
  const oldest = ids[0] ?? 0;
  if (checkpoint !== undefined) {
    const merged = new Map<number, Candidate>();
    const lostBySegment = new Map<number, { offset: number; events: number }>();
    for (const entry of checkpoint.entries) {
      let live = 0;
      for (let r = 1; r < entry.runs.length; r += 2) live += entry.runs[r] as number;
      checkpointEvents += live;
      maxSegmentId = Math.max(maxSegmentId, entry.seg);
      if (entry.seg < oldest) continue;
      const segment = segments.get(entry.seg);
      if (segment === undefined || entry.offset + entry.length > segment.size) {
        lostEvents += live;
        const gone = lostBySegment.get(entry.seg);
        if (gone === undefined) lostBySegment.set(entry.seg, { offset: entry.offset, events: live });
        else gone.events += live;
        continue;
      }
      const known = merged.get(entry.firstSeq);
      if (known !== undefined) {
        known.runs.push(...entry.runs);
        continue;
      }
      const batch = new PutBatch(entry.firstSeq, entry.count, null);
      batch.seg = entry.seg;
      batch.offset = entry.offset;
      batch.length = entry.length;
      const candidate = { batch, runs: entry.runs.slice() };
      merged.set(entry.firstSeq, candidate);
      candidates.push(candidate);
    }
    for (const [seg, gone] of lostBySegment) {
      damagedRecords++;
      counter.CorruptRecordCount++;
      log.error("events listed by the checkpoint are gone: their segment is missing or shorter than the checkpoint says", {
        file: segments.pathOf(seg),
        offset: gone.offset,
        events: gone.events,
      });
    }
  }

  // The records written after the checkpoint (all of them without one).
  const takes: number[] = [];
  const scanned: number[] = [];
  let bytesScanned = 0;
  let putRecords = 0;
  let takeRecords = 0;
  const fromSeg = checkpoint?.positionSeg ?? 0;
  for (const segment of segments.segments) {
    if (segment.id < fromSeg) continue;
    let from = segment.id === fromSeg && checkpoint !== undefined ? checkpoint.positionOffset : SEGMENT_HEADER_SIZE;
    const path = segments.pathOf(segment.id);
    if (from > segment.size) {
      damagedRecords++;
      counter.CorruptRecordCount++;
      log.error("segment is shorter than the checkpoint says: events written after it are lost", {
        file: path,
        offset: segment.size,
        expected_at_least: from,
      });
      continue;
    }
    from = Math.max(from, SEGMENT_HEADER_SIZE);
    scanned.push(segment.id);
    const result = scanSegment(segment.fd, segment.size, from, (buf, start, length, fileOffset) => {
      const type = recordType(buf, start);
      if (type === RECORD_PUT) {
        putRecords++;
        const firstSeq = putFirstSeq(buf, start);
        const count = putCount(buf, start);
        const batch = new PutBatch(firstSeq, count, null);
        batch.seg = segment.id;
        batch.offset = fileOffset;
        batch.length = length;
        candidates.push({ batch, runs: [0, count] });
        if (firstSeq + count > nextSeq) nextSeq = firstSeq + count;
      } else if (type === RECORD_TAKE) {
        takeRecords++;
        forEachTakeRange(buf, start, length, (firstSeq, count) => {
          takes.push(firstSeq, count);
          if (firstSeq + count > nextSeq) nextSeq = firstSeq + count;
        });
      } else {
        log.warn("skipped a record of an unknown type", { file: path, offset: fileOffset, type });
      }
    });
    bytesScanned += result.bytesRead;
    if (result.damage !== undefined) {
      damagedRecords++;
      counter.CorruptRecordCount++;
      log.warn("torn or damaged record: replay of this segment ends here and the segment is cut back to its last good record", {
        file: path,
        offset: result.end,
        problem: result.damage,
        bytes_dropped: segment.size - result.end,
      });
      ftruncateSync(segment.fd, result.end);
      fsyncSync(segment.fd);
      segment.size = result.end;
    }
  }

  const events = buildQueue(candidates, takes, segments, queue);
  return {
    stats: {
      checkpoint: checkpointState,
      checkpointEvents,
      segmentsScanned: scanned,
      bytesScanned,
      putRecords,
      takeRecords,
      damagedRecords,
      lostEvents,
      events,
    },
    nextSeq,
    maxSegmentId,
  };
}

/** Pushes the candidates' events that no take range covers to `queue`, in sequence order; returns how many. */
function buildQueue(candidates: Candidate[], takes: number[], segments: SegmentLog, queue: EventRefQueue): number {
  candidates.sort((a, b) => a.batch.firstSeq - b.batch.firstSeq);
  const ranges = mergeRanges(takes);
  let total = 0;
  for (const { batch, runs } of candidates) {
    const order: number[] = [];
    for (let r = 0; r < runs.length; r += 2) order.push(r);
    order.sort((a, b) => (runs[a] as number) - (runs[b] as number));
    let live = 0;
    for (const r of order) {
      const first = runs[r] as number;
      const end = first + (runs[r + 1] as number);
      let range = firstRangeEndingAfter(ranges, batch.firstSeq + first);
      let runStart = -1;
      for (let index = first; index < end; index++) {
        const seq = batch.firstSeq + index;
        while (range < ranges.length && (ranges[range + 1] as number) <= seq) range += 2;
        const taken = range < ranges.length && (ranges[range] as number) <= seq;
        if (taken) {
          if (runStart >= 0) queue.pushRange(batch, runStart, index - runStart);
          runStart = -1;
        } else {
          if (runStart < 0) runStart = index;
          live++;
        }
      }
      if (runStart >= 0) queue.pushRange(batch, runStart, end - runStart);
    }
    batch.live = live;
    segments.addLive(batch.seg, live);
    total += live;
  }
  return total;
}

/** Sorts [start, count, …] ranges and merges overlapping ones into [start, end, …] pairs. */
function mergeRanges(takes: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < takes.length; i += 2) pairs.push([takes[i] as number, (takes[i] as number) + (takes[i + 1] as number)]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of pairs) {
    const last = merged.length - 1;
    if (last > 0 && start <= (merged[last] as number)) merged[last] = Math.max(merged[last] as number, end);
    else merged.push(start, end);
  }
  return merged;
}

/** Index (even) of the first [start, end) pair whose end is after `seq`, by binary search. */
function firstRangeEndingAfter(ranges: number[], seq: number): number {
  let lo = 0;
  let hi = ranges.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ranges[mid * 2 + 1] as number) <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo * 2;
}

function removeLeftovers(dir: string): void {
  try {
    unlinkSync(join(dir, CHECKPOINT_TEMP_FILE));
  } catch {
    // None: the last checkpoint write finished (or never started).
  }
}
