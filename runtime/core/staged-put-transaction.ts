import type { ChannelCounter } from "../metrics/counters";
import type { PutTransaction } from "./channel";
import { TransactionStateError } from "./errors";
import type { FlowEvent } from "./event";

/** What a channel offers its put transactions. */
export interface PutTarget {
  readonly name: string;
  readonly transactionCapacity: number;
  readonly counter: ChannelCounter;
  /** Throws the `ChannelFullError` a commit of `count` events (`bytes` of bodies) would throw, without committing. */
  ensureRoom(count: number, bytes: number): void;
  /** Adds the events, all or none (throws `ChannelFullError` having added nothing). Owns the array after. */
  commitPut(events: FlowEvent[], bytes: number): void;
}

/**
 * A put transaction that stages events until `commit` hands them to the channel: Flume's transaction
 * states (open, then done by commit or rollback) for every channel kind. Rollback is also valid after a
 * commit that threw, since nothing was added then.
 */
export class StagedPutTransaction implements PutTransaction {
  /** Handed to the channel on commit, so a fresh array per transaction. */
  private staged: FlowEvent[] = [];
  /** Body bytes of `staged`, summed while staging so a byte-bounded channel need not walk them again. */
  private stagedBytes = 0;
  private open = true;

  constructor(private readonly channel: PutTarget) {}

  put(events: readonly FlowEvent[]): void {
    this.assertOpen("put");
    const channel = this.channel;
    if (this.staged.length + events.length > channel.transactionCapacity) {
      throw new TransactionStateError(
        `put of ${this.staged.length + events.length} events exceeds transaction_capacity ${channel.transactionCapacity} of channel \`${channel.name}\``,
      );
    }
    channel.counter.EventPutAttemptCount += events.length;
    let bytes = 0;
    for (let i = 0; i < events.length; i++) bytes += (events[i] as FlowEvent).body.length;
    this.stagedBytes += bytes;
    // Nearly every transaction has one put: a block copy of the caller's array (which it may reuse).
    if (this.staged.length === 0) {
      this.staged = events.slice();
    } else {
      const staged = this.staged;
      for (let i = 0; i < events.length; i++) staged.push(events[i] as FlowEvent);
    }
  }

  ensureRoom(): void {
    this.assertOpen("ensureRoom");
    this.channel.ensureRoom(this.staged.length, this.stagedBytes);
  }

  commit(): void {
    this.assertOpen("commit");
    this.channel.commitPut(this.staged, this.stagedBytes);
    this.open = false;
  }

  rollback(): void {
    this.assertOpen("rollback");
    this.open = false;
    this.staged = [];
    this.stagedBytes = 0;
  }

  private assertOpen(action: string): void {
    if (!this.open) throw new TransactionStateError(`cannot ${action}: the transaction was already committed or rolled back`);
  }
}
