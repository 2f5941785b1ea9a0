import { ChannelFullError, TransactionStateError } from "../../core/errors";
import type { Channel, PutTransaction, TakeTransaction } from "../../core/channel";
import type { FlowEvent } from "../../core/event";
import { RingQueue } from "../../core/ring-queue";
import { Signal } from "../../core/signal";
import { ChannelCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import type { memoryChannelSpec } from "./spec";

export type MemoryChannelConfig = ConfigOf<typeof memoryChannelSpec>;

const RESOLVED = Promise.resolve();

/** Transaction states, as in Flume's BasicTransactionSemantics. */
const OPEN = 0;
const DONE = 1;

class MemoryPutTransaction implements PutTransaction {
  private readonly staged: FlowEvent[] = [];
  private state = OPEN;

  constructor(private readonly channel: MemoryChannel) {}

  put(events: readonly FlowEvent[]): void {
    if (this.state !== OPEN) throw new TransactionStateError("put on a finished transaction");
    if (this.staged.length + events.length > this.channel.transactionCapacity) {
      throw new TransactionStateError(
        `put of ${this.staged.length + events.length} events exceeds transaction_capacity ${this.channel.transactionCapacity} of channel \`${this.channel.name}\``,
      );
    }
    this.channel.counter.EventPutAttemptCount += events.length;
    for (let i = 0; i < events.length; i++) this.staged.push(events[i] as FlowEvent);
  }

  ensureRoom(): void {
    if (this.state !== OPEN) throw new TransactionStateError("ensureRoom on a finished transaction");
    this.channel.ensureRoom(this.staged.length);
  }

  commit(): void {
    if (this.state !== OPEN) throw new TransactionStateError("commit of a finished transaction");
    this.channel.commitPut(this.staged);
    this.state = DONE;
  }

  /** Also valid after a commit that threw (nothing was added then). */
  rollback(): void {
    if (this.state !== OPEN) throw new TransactionStateError("rollback of a finished transaction");
    this.state = DONE;
    this.staged.length = 0;
  }
}

class MemoryTakeTransaction implements TakeTransaction {
  private readonly taken: FlowEvent[] = [];
  private state = OPEN;

  constructor(private readonly channel: MemoryChannel) {}

  take(max: number): FlowEvent[] {
    if (this.state !== OPEN) throw new TransactionStateError("take on a finished transaction");
    const room = this.channel.transactionCapacity - this.taken.length;
    const batch: FlowEvent[] = [];
    this.channel.takeInto(batch, Math.min(max, room));
    for (let i = 0; i < batch.length; i++) this.taken.push(batch[i] as FlowEvent);
    return batch;
  }

  commit(): void {
    if (this.state !== OPEN) throw new TransactionStateError("commit of a finished transaction");
    this.state = DONE;
    this.channel.commitTake(this.taken.length);
  }

  rollback(): void {
    if (this.state !== OPEN) throw new TransactionStateError("rollback of a finished transaction");
    this.state = DONE;
    this.channel.rollbackTake(this.taken);
  }
}

/**
 * Flume's memory channel: a bounded queue. Space is checked when a put commits (all of the batch or none
 * of it); takes are held by their transaction until commit, and a rollback returns them to the head.
 */
export class MemoryChannel implements Channel {
  readonly counter: ChannelCounter;
  readonly transactionCapacity: number;
  private readonly capacity: number;
  private readonly queue: RingQueue<FlowEvent>;
  /** Events taken by open transactions still occupy capacity until their take commits. */
  private inFlight = 0;
  private readonly readable = new Signal();
  private readonly writable = new Signal();

  constructor(
    readonly name: string,
    config: MemoryChannelConfig,
  ) {
    this.capacity = config.capacity;
    this.transactionCapacity = Math.min(config.transaction_capacity, config.capacity);
    this.counter = new ChannelCounter(config.capacity);
    this.queue = new RingQueue<FlowEvent>(Math.min(config.capacity, 65_536));
  }

  async start(): Promise<void> {
    this.counter.StartTime = Date.now();
  }

  async stop(): Promise<void> {
    this.counter.StopTime = Date.now();
  }

  size(): number {
    return this.queue.length + this.inFlight;
  }

  beginPut(): PutTransaction {
    return new MemoryPutTransaction(this);
  }

  beginTake(): TakeTransaction {
    return new MemoryTakeTransaction(this);
  }

  whenReadable(): Promise<void> {
    return this.queue.length > 0 ? Promise.resolve() : this.readable.wait();
  }

  /** Waits for the next take commit: called after a refused put, so only freed space can change the answer. */
  whenWritable(): Promise<void> {
    return this.writable.wait();
  }

  wakeReaders(): void {
    this.readable.notify();
  }

  /** Nothing is kept on disk: a committed put is as durable as it will ever be. */
  whenDurable(): Promise<void> {
    return RESOLVED;
  }

  /** @internal used by MemoryPutTransaction */
  ensureRoom(count: number): void {
    if (this.size() + count > this.capacity) {
      throw new ChannelFullError(
        this.name,
        `channel \`${this.name}\` is full (${this.size()} of ${this.capacity} events): sinks are not keeping up`,
      );
    }
  }

  /** @internal used by MemoryPutTransaction */
  commitPut(events: FlowEvent[]): void {
    if (events.length === 0) return;
    this.ensureRoom(events.length);
    this.queue.pushAll(events);
    this.counter.EventPutSuccessCount += events.length;
    this.counter.ChannelSize = this.size();
    this.readable.notify();
  }

  /** @internal used by MemoryTakeTransaction */
  takeInto(batch: FlowEvent[], max: number): void {
    const taken = this.queue.shiftInto(batch, max);
    this.inFlight += taken;
    // Flume counts one attempt per take() call: one per event, plus the empty take that ends a short batch.
    this.counter.EventTakeAttemptCount += taken < max ? taken + 1 : taken;
  }

  /** @internal used by MemoryTakeTransaction */
  commitTake(count: number): void {
    this.inFlight -= count;
    this.counter.EventTakeSuccessCount += count;
    this.counter.ChannelSize = this.size();
    if (count > 0) this.writable.notify();
  }

  /** @internal used by MemoryTakeTransaction */
  rollbackTake(events: FlowEvent[]): void {
    this.inFlight -= events.length;
    this.queue.unshiftAll(events);
    if (events.length > 0) this.readable.notify();
  }
}
