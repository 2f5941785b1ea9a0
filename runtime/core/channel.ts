import type { FlowEvent } from "./event";
import type { ChannelCounter } from "../metrics/counters";

/**
 * A put transaction: events staged with `put` become visible to takers only on `commit`, all or none.
 * `commit` throws `ChannelFullError` when they don't fit, and then nothing was added.
 */
export interface PutTransaction {
  put(events: readonly FlowEvent[]): void;
  commit(): void;
  rollback(): void;
}

/**
 * A take transaction: `take` removes events from the head; `commit` forgets them, `rollback` puts them
 * back at the head in their original order so the retry sees the same sequence.
 */
export interface TakeTransaction {
  take(max: number): FlowEvent[];
  commit(): void;
  rollback(): void;
}

/** The contract every channel kind implements. One transaction of each side may be open at a time. */
export interface Channel {
  readonly name: string;
  readonly counter: ChannelCounter;
  /** Largest number of events one transaction may put or take. */
  readonly transactionCapacity: number;
  start(): Promise<void>;
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
}
