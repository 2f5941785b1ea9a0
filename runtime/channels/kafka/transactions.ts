import { HeldTakeTransaction } from "../../core/held-take-transaction";
import type { FlowEvent } from "../../core/event";
import type { HeldOffsets } from "./inbox";

/** A take from the Kafka channel: the events it took and their partitions and offsets, in take order. */
export class KafkaTakeTransaction extends HeldTakeTransaction<KafkaTakeTransaction> implements HeldOffsets {
  readonly events: FlowEvent[] = [];
  readonly partitions: number[] = [];
  readonly offsets: number[] = [];

  protected heldCount(): number {
    return this.events.length;
  }
}
