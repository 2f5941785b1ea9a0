import type { FlowEvent } from "./event";
import type { ChannelCounter } from "../metrics/counters";
import type { Logger } from "./log";

/**
 * A put transaction: events staged with `put` become visible to takers only on `commit`, all or none.
 * `commit` throws `ChannelFullError` when they don't fit, and then nothing was added.
 *
 * `ensureRoom` throws the same error `commit` would, without committing: a put into several channels
 * calls it on every transaction first, then commits them all in the same tick, so either every required
 * channel gets the batch or none does (Flume commits channel after channel and duplicates on retry).
 * `rollback` is valid after a refused commit.
 *
 * `put` keeps the events, not the array: the caller may empty and reuse the array once `put` returns (the
 * channel processors reuse their per-channel arrays for every batch).
 */
export interface PutTransaction {
  put(events: readonly FlowEvent[]): void;
  ensureRoom(): void;
  commit(): void;
  rollback(): void;
}

/**
 * A take transaction: `take` removes events from the head; `commit` forgets them, `rollback` puts them
 * back at the head in their original order so the retry sees the same sequence. The array `take` returns
 * is read-only: the transaction may keep it as its record of what to put back.
 */
export interface TakeTransaction {
  take(max: number): readonly FlowEvent[];
  commit(): void;
  rollback(): void;
}

/** The contract every channel kind implements. One transaction of each side may be open at a time. */
export interface Channel {
  readonly name: string;
  readonly counter: ChannelCounter;
  /** Largest number of events one transaction may put or take. */
  readonly transactionCapacity: number;
  /** `log` is the agent's logger (its level and `tier=`); a channel logs through it from then on. */
  start(log?: Logger): Promise<void>;
  stop(): Promise<void>;
  size(): number;
  beginPut(): PutTransaction;
  beginTake(): TakeTransaction;
  /** Resolves when events may be available to take (immediately if some are). */
  whenReadable(): Promise<void>;
  /** Resolves after the next take commit frees space (call it after a refused put). */
  whenWritable(): Promise<void>;
  /** Wakes every `whenReadable` waiter so takers can re-check their own state (e.g. a drain request). */
  wakeReaders(): void;
  /**
   * Resolves once every put committed so far would survive a crash of the agent: at once for channels
   * that keep nothing on disk; after the next group commit (fsync) for durable ones. Rejects when that
   * cannot be done (e.g. the disk failed); a source that acknowledges its sender must not acknowledge then.
   * Commits stay synchronous (visible to takers at once) so the hot path needs no promise per batch.
   */
  whenDurable(): Promise<void>;
  /**
   * Optional: the agent is stopping, its sources have stopped, and the sinks are about to drain the channel
   * (the drain waits for this, up to its deadline). A channel whose events live outside the agent (kafka)
   * stops fetching more, gives back what it prefetched and flushes its puts, so the drain delivers only
   * what this agent holds instead of the shared backlog.
   */
  beforeDrain?(): Promise<void>;
}
