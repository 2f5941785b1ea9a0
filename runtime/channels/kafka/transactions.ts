import type { TakeTransaction } from "../../core/channel";
import { TransactionStateError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { HeldOffsets } from "./inbox";
import type { KafkaChannel } from "./kafka-channel";

/** Transaction states, as in Flume's BasicTransactionSemantics. */
const OPEN = 0;
const DONE = 1;

/** A take from the Kafka channel: the events it took and their partitions and offsets, in take order. */
export class KafkaTakeTransaction implements TakeTransaction, HeldOffsets {
  readonly events: FlowEvent[] = [];
  readonly partitions: number[] = [];
  readonly offsets: number[] = [];
  private state = OPEN;

  constructor(private readonly channel: KafkaChannel) {}

  take(max: number): FlowEvent[] {
    if (this.state !== OPEN) throw new TransactionStateError("take on a finished transaction");
    const room = this.channel.transactionCapacity - this.events.length;
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
