import type { Channel, PutTransaction, TakeTransaction } from "../../runtime/core/channel";
import type { FlowEvent } from "../../runtime/core/event";

/**
 * Wraps a channel to count the put transactions opened on it, and optionally make the next commits fail
 * after `ensureRoom` passed (as a durable channel's commit can, on a disk error).
 */
export class SpyChannel implements Channel {
  putTransactions = 0;
  /** When set, commits throw this error (nothing is committed) until it is cleared. */
  failCommitsWith: Error | undefined = undefined;

  constructor(readonly inner: Channel) {}

  get name(): string {
    return this.inner.name;
  }
  get counter() {
    return this.inner.counter;
  }
  get transactionCapacity(): number {
    return this.inner.transactionCapacity;
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  size(): number {
    return this.inner.size();
  }
  beginPut(): PutTransaction {
    this.putTransactions++;
    const txn = this.inner.beginPut();
    return {
      put: (events: readonly FlowEvent[]) => txn.put(events),
      ensureRoom: () => txn.ensureRoom(),
      commit: () => {
        if (this.failCommitsWith !== undefined) throw this.failCommitsWith;
        txn.commit();
      },
      rollback: () => txn.rollback(),
    };
  }
  beginTake(): TakeTransaction {
    return this.inner.beginTake();
  }
  whenReadable(): Promise<void> {
    return this.inner.whenReadable();
  }
  whenWritable(): Promise<void> {
    return this.inner.whenWritable();
  }
  wakeReaders(): void {
    this.inner.wakeReaders();
  }
  whenDurable(): Promise<void> {
    return this.inner.whenDurable();
  }
}
