import { HeldTakeTransaction } from "../../core/held-take-transaction";
import type { PutBatch } from "./put-batch";

/** A take from the file channel: references of the events it took, in take order (batch and index in it). */
export class FileTakeTransaction extends HeldTakeTransaction<FileTakeTransaction> {
  readonly batches: PutBatch[] = [];
  readonly indices: number[] = [];

  protected heldCount(): number {
    return this.batches.length;
  }
}
