import type { PutTransaction, TakeTransaction } from "../../core/channel";
import { TransactionStateError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { FileChannel } from "./file-channel";
import type { PutBatch } from "./put-batch";

/** Transaction states, as in Flume's BasicTransactionSemantics. */
const OPEN = 0;
const DONE = 1;

export class FilePutTransaction implements PutTransaction {
  /** Handed to the channel on commit (it becomes the batch's event list), so never reused. */
  private staged: FlowEvent[] = [];
  private state = OPEN;

  constructor(private readonly channel: FileChannel) {}

  put(events: readonly FlowEvent[]): void {
    if (this.state !== OPEN) throw new TransactionStateError("put on a finished transaction");
    if (this.staged.length + events.length > this.channel.transactionCapacity) {
      throw new TransactionStateError(
        `put of ${this.staged.length + events.length} events exceeds transaction_capacity ${this.channel.transactionCapacity} of channel \`${this.channel.name}\``,
      );
    }
    this.channel.counter.EventPutAttemptCount += events.length;
    const staged = this.staged;
    for (let i = 0; i < events.length; i++) staged.push(events[i] as FlowEvent);
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
    this.staged = [];
  }
}

export class FileTakeTransaction implements TakeTransaction {
  /** References of the events taken so far, in take order: batch and index in it. */
  readonly batches: PutBatch[] = [];
  readonly indices: number[] = [];
  private state = OPEN;

  constructor(private readonly channel: FileChannel) {}

  take(max: number): FlowEvent[] {
    if (this.state !== OPEN) throw new TransactionStateError("take on a finished transaction");
    const room = this.channel.transactionCapacity - this.batches.length;
    return this.channel.takeInto(this, Math.max(0, Math.min(max, room)));
  }

  commit(): void {
    if (this.state !== OPEN) throw new TransactionStateError("commit of a finished transaction");
    this.state = DONE;
    this.channel.commitTake(this);
  }

  rollback(): void {
    if (this.state !== OPEN) throw new TransactionStateError("rollback of a finished transaction");
    this.state = DONE;
    this.channel.rollbackTake(this);
  }
}
