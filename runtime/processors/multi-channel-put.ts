import type { Channel, PutTransaction } from "../core/channel";
import { ChannelFullError } from "../core/errors";
import type { FlowEvent } from "../core/event";
import type { Logger } from "../core/log";
import type { ProcessorCounter } from "./processor-counter";

const RESOLVED = Promise.resolve();

/**
 * Puts per-channel batches into a fixed set of channels: every required channel gets its batch or none
 * does; then each optional channel gets its batch, best-effort.
 *
 * Required: a put transaction per channel with a non-empty batch, `put`, then `ensureRoom()` on all of them,
 * then `commit()` on all of them. Commits are synchronous and nothing else runs between the checks and the
 * commits, so a channel that passed `ensureRoom` still has room when it commits. If any channel refuses,
 * every transaction is rolled back and its `ChannelFullError` (which names the channel) is rethrown: a
 * retry of the batch duplicates nothing. (Flume commits channel after channel, and the channels before the
 * refusing one keep a copy that the retry duplicates.)
 *
 * Optional: after the required commits, one transaction per channel; any failure rolls that one back,
 * is counted in `counter`, logged (at debug when the channel is full, at warn otherwise) and never fails
 * the put.
 *
 * Channels are addressed by position: `requiredBatches[i]` goes to `required[i]`. Empty batches (and
 * missing ones) open no transaction. A channel may appear in both lists (required for some events,
 * optional for others) but at most once in each: a channel has one put transaction open at a time.
 */
export class MultiChannelPut {
  private readonly required: readonly Channel[];
  private readonly optional: readonly Channel[];
  /** The required channel whose refusal failed the last put; `undefined` after a put that succeeded. */
  private refusedBy: Channel | undefined = undefined;
  /** One slot per required channel: its open transaction during a put, `undefined` otherwise. */
  private readonly transactions: (PutTransaction | undefined)[];

  constructor(
    required: readonly Channel[],
    optional: readonly Channel[],
    private readonly counter: ProcessorCounter,
    private readonly log: Logger | undefined,
  ) {
    assertDistinct(required, "required");
    assertDistinct(optional, "optional");
    this.required = required.slice();
    this.optional = optional.slice();
    this.transactions = new Array<PutTransaction | undefined>(required.length).fill(undefined);
  }

  /** Throws the refusing channel's `ChannelFullError` having put nothing into any required channel. */
  put(requiredBatches: readonly (readonly FlowEvent[] | undefined)[], optionalBatches: readonly (readonly FlowEvent[] | undefined)[]): void {
    this.refusedBy = undefined;
    this.putRequired(requiredBatches);
    if (this.optional.length > 0) this.putOptional(optionalBatches);
  }

  /**
   * Resolves when the channel that refused the last put frees space (its next take commit); at once when
   * the last put was not refused. Call it right after the refused put, as the sources do.
   */
  whenWritable(): Promise<void> {
    const channel = this.refusedBy;
    return channel === undefined ? RESOLVED : channel.whenWritable();
  }

  /** Resolves once what was committed to the required channels so far is durable in each. */
  whenDurable(): Promise<void> {
    const channels = this.required;
    if (channels.length === 1) return (channels[0] as Channel).whenDurable();
    return Promise.all(channels.map((channel) => channel.whenDurable())).then(() => undefined);
  }

  private putRequired(batches: readonly (readonly FlowEvent[] | undefined)[]): void {
    const channels = this.required;
    const transactions = this.transactions;
    const count = channels.length;
    /** The channel being worked on when something throws: the one to blame and wait for. */
    let current = 0;
    let committed = 0;
    try {
      for (let i = 0; i < count; i++) {
        const batch = batches[i];
        if (batch === undefined || batch.length === 0) continue;
        current = i;
        const transaction = (channels[i] as Channel).beginPut();
        transactions[i] = transaction;
        transaction.put(batch);
      }
      for (let i = 0; i < count; i++) {
        const transaction = transactions[i];
        if (transaction === undefined) continue;
        current = i;
        transaction.ensureRoom();
      }
      for (let i = 0; i < count; i++) {
        const transaction = transactions[i];
        if (transaction === undefined) continue;
        current = i;
        transaction.commit();
        transactions[i] = undefined;
        committed++;
      }
    } catch (error) {
      this.rollBackRequired();
      const channel = channels[current] as Channel;
      if (error instanceof ChannelFullError) this.refusedBy = channel;
      if (committed > 0) {
        // Only a commit failing after its ensureRoom passed gets here (a durable channel's disk error).
        this.counter.PartialCommitCount++;
        this.log?.warn("a required channel failed to commit after others did: the retry will duplicate the batch in those", {
          channel: channel.name,
          committed,
          error: String(error),
        });
      }
      throw error;
    }
  }

  private rollBackRequired(): void {
    const transactions = this.transactions;
    for (let i = 0; i < transactions.length; i++) {
      const transaction = transactions[i];
      if (transaction === undefined) continue;
      transactions[i] = undefined;
      try {
        transaction.rollback();
      } catch (error) {
        // Keep the error that failed the put; a failing rollback is a channel bug worth a line of its own.
        this.log?.error("rollback of a put transaction failed", { channel: (this.required[i] as Channel).name, error: String(error) });
      }
    }
  }

  private putOptional(batches: readonly (readonly FlowEvent[] | undefined)[]): void {
    const channels = this.optional;
    for (let i = 0; i < channels.length; i++) {
      const batch = batches[i];
      if (batch === undefined || batch.length === 0) continue;
      const channel = channels[i] as Channel;
      let transaction: PutTransaction | undefined;
      try {
        transaction = channel.beginPut();
        transaction.put(batch);
        transaction.commit();
      } catch (error) {
        try {
          transaction?.rollback();
        } catch {
          // The put failed already; nothing more to undo in a best-effort channel.
        }
        this.counter.OptionalChannelWriteFail++;
        this.counter.OptionalEventDropCount += batch.length;
        // Full is routine for a best-effort channel; anything else (a misfit batch, a disk error) is not.
        if (error instanceof ChannelFullError) {
          this.log?.debug("optional channel is full; the batch is not put there", { channel: channel.name, events: batch.length });
        } else {
          this.log?.warn("optional channel failed a put; the batch is not put there", { channel: channel.name, events: batch.length, error: String(error) });
        }
      }
    }
  }
}

function assertDistinct(channels: readonly Channel[], list: string): void {
  const seen = new Set<Channel>();
  for (const channel of channels) {
    if (seen.has(channel)) throw new Error(`channel \`${channel.name}\` is listed twice among the ${list} channels of a processor`);
    seen.add(channel);
  }
}
