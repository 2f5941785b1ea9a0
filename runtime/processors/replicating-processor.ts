import type { ChannelProcessor } from "../core/component";
import type { FlowEvent } from "../core/event";
import { forgetTexts, InterceptorChain } from "./interceptor-chain";
import { MultiChannelPut } from "./multi-channel-put";
import { ProcessorCounter } from "./processor-counter";
import type { ProcessorOptions } from "./processor-options";

/**
 * Flume's replicating selector: the interceptors, then every event into every channel. The required
 * channels get the batch all or none (`MultiChannelPut`), so a refused batch that the source retries is
 * duplicated nowhere; the optional ones get it best-effort afterwards.
 *
 * Generated code: `new ReplicatingProcessor({ required: [channel_a, channel_b], optional: [channel_c], interceptors: [] })`.
 */
export class ReplicatingProcessor implements ChannelProcessor {
  readonly counter = new ProcessorCounter();
  private readonly chain: InterceptorChain;
  private readonly channelPut: MultiChannelPut;
  /** One slot per channel, all pointing at the batch being put; emptied afterwards. */
  private readonly requiredBatches: (readonly FlowEvent[] | undefined)[];
  private readonly optionalBatches: (readonly FlowEvent[] | undefined)[];

  constructor(options: ProcessorOptions) {
    const optional = options.optional ?? [];
    this.chain = new InterceptorChain(options.interceptors ?? []);
    this.channelPut = new MultiChannelPut(options.required, optional, this.counter, options.log);
    this.requiredBatches = new Array<readonly FlowEvent[] | undefined>(options.required.length).fill(undefined);
    this.optionalBatches = new Array<readonly FlowEvent[] | undefined>(optional.length).fill(undefined);
  }

  process(events: FlowEvent[]): void {
    const kept = this.chain.apply(events);
    if (kept.length === 0) {
      this.chain.release();
      return;
    }
    const required = this.requiredBatches;
    const optional = this.optionalBatches;
    required.fill(kept);
    optional.fill(kept);
    try {
      this.channelPut.put(required, optional);
      forgetTexts(kept);
    } finally {
      required.fill(undefined);
      optional.fill(undefined);
      this.chain.release();
    }
  }

  whenWritable(): Promise<void> {
    return this.channelPut.whenWritable();
  }

  whenDurable(): Promise<void> {
    return this.channelPut.whenDurable();
  }
}
