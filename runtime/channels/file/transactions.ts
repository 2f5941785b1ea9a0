import type { TakeTransaction } from "../../core/channel";
import { TransactionStateError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { FileChannel } from "./file-channel";
import type { PutBatch } from "./put-batch";

/** Transaction states, as in Flume's BasicTransactionSemantics. */
const OPEN = 0;
const DONE = 1;

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
