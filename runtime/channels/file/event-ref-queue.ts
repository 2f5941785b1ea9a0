import type { PutBatch } from "./put-batch";

/**
 * The channel's FIFO of event references: (batch, index in batch) pairs in a growable ring, as two
 * parallel arrays, so a million queued events cost about 8 MB whether or not their bodies are in memory.
 * Push at the tail, shift and unshift at the head (rolled-back takes go back to the front in order).
 */
export class EventRefQueue {
  private batches: (PutBatch | undefined)[];
  private indices: Int32Array;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.batches = new Array<PutBatch | undefined>(capacity).fill(undefined);
    this.indices = new Int32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends events `from` … `from + n - 1` of `batch`. */
  pushRange(batch: PutBatch, from: number, n: number): void {
    this.ensureRoom(n);
    const batches = this.batches;
    const indices = this.indices;
    const mask = batches.length - 1;
    let slot = (this.head + this.count) & mask;
    for (let i = 0; i < n; i++) {
      batches[slot] = batch;
      indices[slot] = from + i;
      slot = (slot + 1) & mask;
    }
    this.count += n;
  }

  /** Moves up to `max` references from the head to the ends of `outBatches`/`outIndices`; returns how many. */
  shiftInto(outBatches: PutBatch[], outIndices: number[], max: number): number {
    const n = Math.max(0, Math.min(max, this.count));
    const batches = this.batches;
    const indices = this.indices;
    const mask = batches.length - 1;
    let head = this.head;
    for (let i = 0; i < n; i++) {
      outBatches.push(batches[head] as PutBatch);
      outIndices.push(indices[head] as number);
      batches[head] = undefined;
      head = (head + 1) & mask;
    }
    this.head = head;
    this.count -= n;
    return n;
  }

  /** Puts references back at the head so that `batches[from]` is the next one shifted. */
  unshiftAll(batches: readonly PutBatch[], indices: readonly number[], from = 0): void {
    const n = batches.length - from;
    if (n <= 0) return;
    this.ensureRoom(n);
    const ring = this.batches;
    const ringIndices = this.indices;
    const mask = ring.length - 1;
    let head = this.head;
    for (let i = batches.length - 1; i >= from; i--) {
      head = (head - 1) & mask;
      ring[head] = batches[i];
      ringIndices[head] = indices[i] as number;
    }
    this.head = head;
    this.count += n;
  }

  /** Calls `visit` for every reference, head first (for checkpoints). */
  forEach(visit: (batch: PutBatch, index: number) => void): void {
    const mask = this.batches.length - 1;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & mask;
      visit(this.batches[slot] as PutBatch, this.indices[slot] as number);
    }
  }

  private ensureRoom(extra: number): void {
    const needed = this.count + extra;
    if (needed <= this.batches.length) return;
    let capacity = this.batches.length * 2;
    while (capacity < needed) capacity *= 2;
    const batches = new Array<PutBatch | undefined>(capacity).fill(undefined);
    const indices = new Int32Array(capacity);
    const mask = this.batches.length - 1;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & mask;
      batches[i] = this.batches[slot];
      indices[i] = this.indices[slot] as number;
    }
    this.batches = batches;
    this.indices = indices;
    this.head = 0;
  }
}
