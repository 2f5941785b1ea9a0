import { ChannelFullError, TransactionStateError } from "../../core/errors";
import type { Channel, PutTransaction, TakeTransaction } from "../../core/channel";
import type { FlowEvent } from "../../core/event";
import { RingQueue } from "../../core/ring-queue";
import { Signal } from "../../core/signal";
import { ChannelCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import type { memoryChannelSpec } from "./spec";
import { StagedPutTransaction } from "../../core/staged-put-transaction";

export type MemoryChannelConfig = ConfigOf<typeof memoryChannelSpec>;

const RESOLVED = Promise.resolve();
const NONE: readonly FlowEvent[] = [];

/** Transaction states, as in Flume's BasicTransactionSemantics. */
const OPEN = 0;
const DONE = 1;

class MemoryTakeTransaction implements TakeTransaction {
  /** What to put back on rollback: the first take's array itself (read-only to the taker, see `take`). */
  private taken: readonly FlowEvent[] = NONE;
  /** Body bytes of `taken`: freed from the channel's byte count when the take commits. */
  private takenBytes = 0;
  private state = OPEN;

  constructor(private readonly channel: MemoryChannel) {}

  take(max: number): readonly FlowEvent[] {
    if (this.state !== OPEN) throw new TransactionStateError("take on a finished transaction");
    const room = this.channel.transactionCapacity - this.taken.length;
    const batch = this.channel.takeBatch(Math.min(max, room));
    let bytes = 0;
    for (let i = 0; i < batch.length; i++) bytes += (batch[i] as FlowEvent).body.length;
    this.takenBytes += bytes;
    // A sink runner takes once per transaction: keep that array rather than copy it. A second take
    // makes a new record, since the taker holds the first array.
    this.taken = this.taken.length === 0 ? batch : this.taken.concat(batch);
    return batch;
  }

  commit(): void {
    if (this.state !== OPEN) throw new TransactionStateError("commit of a finished transaction");
    this.state = DONE;
    this.channel.commitTake(this.taken.length, this.takenBytes);
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
 *
 * Bounded twice, like Flume's: by events (`capacity`) and by body bytes (`byte_capacity`). Both count the
 * events waiting in the queue plus those held by open takes. Body bytes are summed once per batch, in the
 * loops that stage and take events anyway. Unlike Flume, a batch that alone exceeds `byte_capacity` is
 * accepted when the channel holds no bytes: refusing it would stall its source forever.
 */
export class MemoryChannel implements Channel {
  readonly counter: ChannelCounter;
  readonly transactionCapacity: number;
  private readonly capacity: number;
  private readonly byteCapacity: number;
  private readonly queue: RingQueue<FlowEvent>;
  /** Events taken by open transactions still occupy capacity until their take commits. */
  private inFlight = 0;
  /** Body bytes of the queued events plus those held by open takes. */
  private bytes = 0;
  private readonly readable = new Signal();
  private readonly writable = new Signal();

  constructor(
    readonly name: string,
    config: MemoryChannelConfig,
  ) {
    this.capacity = config.capacity;
    this.byteCapacity = config.byte_capacity;
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

  /** Body bytes the channel holds (queued plus taken but not committed): what `byte_capacity` bounds. */
  byteSize(): number {
    return this.bytes;
  }

  beginPut(): PutTransaction {
    return new StagedPutTransaction(this);
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

  /** @internal used by StagedPutTransaction */
  ensureRoom(count: number, bytes: number): void {
    if (this.size() + count > this.capacity) {
      throw new ChannelFullError(
        this.name,
        `channel \`${this.name}\` is full (${this.size()} of ${this.capacity} events): sinks are not keeping up`,
      );
    }
    // `this.bytes > 0`: an oversized batch still gets into an empty channel (see the class comment).
    if (this.bytes + bytes > this.byteCapacity && this.bytes > 0) {
      throw new ChannelFullError(
        this.name,
        `channel \`${this.name}\` is full (${this.bytes} of ${this.byteCapacity} bytes of event bodies, ${bytes} more needed): sinks are not keeping up`,
      );
    }
  }

  /** @internal used by StagedPutTransaction */
  commitPut(events: FlowEvent[], bytes: number): void {
    if (events.length === 0) return;
    this.ensureRoom(events.length, bytes);
    this.queue.pushAll(events);
    this.bytes += bytes;
    this.counter.EventPutSuccessCount += events.length;
    this.counter.ChannelSize = this.size();
    this.readable.notify();
  }

  /** @internal used by MemoryTakeTransaction */
  takeBatch(max: number): FlowEvent[] {
    const batch = this.queue.shift(max);
    const taken = batch.length;
    this.inFlight += taken;
    // Flume counts one attempt per take() call: one per event, plus the empty take that ends a short batch.
    this.counter.EventTakeAttemptCount += taken < max ? taken + 1 : taken;
    return batch;
  }

  /** @internal used by MemoryTakeTransaction */
  commitTake(count: number, bytes: number): void {
    this.inFlight -= count;
    this.bytes -= bytes;
    this.counter.EventTakeSuccessCount += count;
    this.counter.ChannelSize = this.size();
    if (count > 0) this.writable.notify();
  }

  /** @internal used by MemoryTakeTransaction */
  rollbackTake(events: readonly FlowEvent[]): void {
    this.inFlight -= events.length;
    this.queue.unshiftAll(events);
    if (events.length > 0) this.readable.notify();
  }
}
