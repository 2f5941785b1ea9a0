import type { FlowEvent } from "../../core/event";

/**
 * Memory an event in memory costs beyond its encoded bytes: the FlowEvent, its headers object and its
 * Buffer (measured with Node 20: about 200 bytes of heap for an event with one header).
 */
export const EVENT_MEMORY_OVERHEAD = 200;

/**
 * The events of one committed put transaction: the unit that is written (one put record), cached and
 * read back. Events in the queue point at their batch and their index in it, so the queue costs a few
 * bytes per event whether or not the bodies are in memory.
 *
 * Every field is set in the constructor so all batches share one hidden class.
 */
export class PutBatch {
  /** Segment holding the record, -1 until it was written. */
  seg = -1;
  /** Byte offset of the record in its segment. */
  offset = 0;
  /** Record length in bytes (known once encoded or replayed). */
  length = 0;
  /** Events not yet taken by a committed take. */
  live: number;
  /** Whether `events` counts toward the channel's cache budget. */
  cached = false;
  /** The record could not be read back (damaged or missing): its events were dropped. */
  lost = false;

  /** What keeping the events in memory costs, as counted against `cache_size`. */
  get memoryCost(): number {
    return this.length + this.count * EVENT_MEMORY_OVERHEAD;
  }

  constructor(
    /** Sequence number of the first event; the others follow without gaps. */
    readonly firstSeq: number,
    readonly count: number,
    /** The events in memory, or null when they must be read back from the segment. */
    public events: FlowEvent[] | null,
  ) {
    this.live = count;
  }
}
