import type { ChannelProcessor } from "../core/component";
import type { FlowEvent } from "../core/event";
import { forgetTexts, InterceptorChain } from "./interceptor-chain";
import { MultiChannelPut } from "./multi-channel-put";
import { ProcessorCounter } from "./processor-counter";
import type { ProcessorOptions } from "./processor-options";

/**
 * Sorts a batch into per-channel batches: appends each event of `events` to `required[i]` for every
 * required channel `i` it must reach and to `optional[j]` for every optional channel `j` it may reach.
 * The arrays arrive empty, one per channel in the order of the processor's `required` and `optional`
 * lists. An event appended nowhere is dropped (Flume's multiplexing selector without a default).
 */
export type Route = (events: readonly FlowEvent[], required: FlowEvent[][], optional: FlowEvent[][]) => void;

export interface RoutedProcessorOptions extends ProcessorOptions {
  readonly route: Route;
}

/**
 * Flume's multiplexing selector, with the decision compiled: runs the interceptors, lets the generated
 * `route` sort the batch into per-channel arrays (owned here, reused for every batch), then puts them:
 * all required channels or none, optional ones best-effort (`MultiChannelPut`). Channels whose array
 * stays empty open no transaction.
 *
 * The code generator writes `route` as one loop with the arms as a plain `if`/`else` chain per event
 * (first matching arm wins), regexes compiled once; a regex that is plain ASCII text searches the body's
 * bytes (`BytePattern`) instead of decoding it. For
 *
 * ```flow
 * route inbound {
 *   when header.level in ["ERROR", "FATAL"] -> hot, archive
 *   when body ~ /timeout/                   -> archive, optional debug
 *   else                                    -> archive
 * }
 * ```
 *
 * it would generate:
 *
 * ```ts
 * const cond_bytes1 = new BytePattern("timeout");
 * const processor_inbound = new RoutedProcessor({
 *   required: [channel_hot, channel_archive],
 *   optional: [channel_debug],
 *   interceptors: [],
 *   route(events, required, optional) {
 *     const hot = required[0]!, archive = required[1]!, debug = optional[0]!;
 *     for (let i = 0; i < events.length; i++) {
 *       const event = events[i]!;
 *       const headers = event.headers;
 *       const header_0 = headers["level"];
 *       if ((header_0 === "ERROR" || header_0 === "FATAL")) {
 *         hot.push(event);
 *         archive.push(event);
 *       } else if (cond_bytes1.foundIn(event.body)) {
 *         archive.push(event);
 *         debug.push(event);
 *       } else {
 *         archive.push(event);
 *       }
 *     }
 *   },
 * });
 * ```
 *
 * A channel that is required for some arms and optional for others is listed in both lists (and gets
 * two puts, required first); one that an arm names both ways should be appended as required only, as in
 * Flume.
 */
export class RoutedProcessor implements ChannelProcessor {
  readonly counter = new ProcessorCounter();
  private readonly chain: InterceptorChain;
  private readonly channelPut: MultiChannelPut;
  private readonly route: Route;
  /** One array per required channel, reused for every batch and emptied after it. */
  private readonly requiredBatches: FlowEvent[][];
  private readonly optionalBatches: FlowEvent[][];

  constructor(options: RoutedProcessorOptions) {
    const optional = options.optional ?? [];
    this.chain = new InterceptorChain(options.interceptors ?? []);
    this.channelPut = new MultiChannelPut(options.required, optional, this.counter, options.log);
    this.route = options.route;
    this.requiredBatches = options.required.map((): FlowEvent[] => []);
    this.optionalBatches = optional.map((): FlowEvent[] => []);
  }

  process(events: FlowEvent[]): void {
    const kept = this.chain.apply(events);
    const required = this.requiredBatches;
    const optional = this.optionalBatches;
    try {
      if (kept.length === 0) return;
      this.route(kept, required, optional);
      this.channelPut.put(required, optional);
      forgetTexts(kept);
    } finally {
      for (let i = 0; i < required.length; i++) (required[i] as FlowEvent[]).length = 0;
      for (let i = 0; i < optional.length; i++) (optional[i] as FlowEvent[]).length = 0;
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
