import type { Channel } from "../core/channel";
import type { ChannelProcessor } from "../core/component";
import type { FlowEvent } from "../core/event";

/**
 * Puts each batch into every channel, in order, each in its own transaction (Flume's replicating
 * selector with required channels only).
 *
 * Like Flume, when a later channel refuses, channels earlier in the list keep the batch, so the source's
 * retry duplicates it there. The multi-channel put that avoids this belongs with selectors (issue 4).
 */
export class ReplicatingProcessor implements ChannelProcessor {
  private refusedBy: Channel | undefined;

  constructor(private readonly channels: readonly Channel[]) {}

  process(events: FlowEvent[]): void {
    const channels = this.channels;
    for (let i = 0; i < channels.length; i++) {
      const channel = channels[i] as Channel;
      const txn = channel.beginPut();
      try {
        txn.put(events);
        txn.commit();
      } catch (error) {
        txn.rollback();
        this.refusedBy = channel;
        throw error;
      }
    }
  }

  whenWritable(): Promise<void> {
    const channel = this.refusedBy ?? this.channels[0];
    return channel === undefined ? Promise.resolve() : channel.whenWritable();
  }
}
