import type { TakeTransaction } from "./channel";
import { TransactionStateError } from "./errors";
import type { FlowEvent } from "./event";

/** What a channel offers take transactions that keep their own record of what they took. */
export interface TakeHost<T> {
  readonly transactionCapacity: number;
  /** Takes up to `max` events, recording them in `txn`, and returns them. */
  takeInto(txn: T, max: number): FlowEvent[];
  commitTake(txn: T): void;
  rollbackTake(txn: T): void;
}

/** Transaction states, as in Flume's BasicTransactionSemantics. */
const OPEN = 0;
const DONE = 1;

/**
 * Flume's transaction states (open, then done by commit or rollback) for channels whose take transactions
 * hold references the channel needs back on commit or rollback (the file channel's record positions, the
 * Kafka channel's offsets). A subclass adds those fields and says how many events it holds.
 */
export abstract class HeldTakeTransaction<Self extends HeldTakeTransaction<Self>> implements TakeTransaction {
  private state = OPEN;

  constructor(private readonly host: TakeHost<Self>) {}

  /** Events taken so far, against the channel's `transactionCapacity`. */
  protected abstract heldCount(): number;

  take(max: number): FlowEvent[] {
    if (this.state !== OPEN) throw new TransactionStateError("take on a finished transaction");
    const room = this.host.transactionCapacity - this.heldCount();
    return this.host.takeInto(this.self(), Math.max(0, Math.min(max, room)));
  }

  commit(): void {
    if (this.state !== OPEN) throw new TransactionStateError("commit of a finished transaction");
    this.state = DONE;
    this.host.commitTake(this.self());
  }

  rollback(): void {
    if (this.state !== OPEN) throw new TransactionStateError("rollback of a finished transaction");
    this.state = DONE;
    this.host.rollbackTake(this.self());
  }

  /** This transaction as its subclass, which `Self` is by construction (`class X extends HeldTakeTransaction<X>`). */
  private self(): Self {
    return this as unknown as Self;
  }
}
