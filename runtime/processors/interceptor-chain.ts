import type { Interceptor } from "../core/component";
import type { FlowEvent } from "../core/event";

/**
 * Runs a source's interceptors over a batch, in order. Interceptors that keep every event
 * (`keepsEveryEvent`: static, timestamp, host, …) run on the caller's array as it is. Before the first one
 * that may drop events, the batch is copied into an array the chain owns and reuses, so a drop never
 * shortens the caller's array (the source keeps that array to retry a refused batch, and counts what it
 * received from it). A chain of header-setting interceptors thus copies nothing.
 */
export class InterceptorChain {
  private readonly interceptors: readonly Interceptor[];
  /** Reused for every batch; emptied by `release` so it does not keep events alive between batches. */
  private readonly scratch: FlowEvent[] = [];

  constructor(interceptors: readonly Interceptor[]) {
    this.interceptors = interceptors.slice();
  }

  /** The events to put, in order. Valid until `release`, which the caller runs once the put is done. */
  apply(events: readonly FlowEvent[]): readonly FlowEvent[] {
    const interceptors = this.interceptors;
    // Until the first copy, `kept` is the caller's array, which only in-place interceptors may see.
    let kept = events as FlowEvent[];
    let copied = false;
    for (let i = 0; i < interceptors.length; i++) {
      const interceptor = interceptors[i] as Interceptor;
      if (!copied && interceptor.keepsEveryEvent !== true) {
        const scratch = this.scratch;
        for (let e = 0; e < kept.length; e++) scratch.push(kept[e] as FlowEvent);
        kept = scratch;
        copied = true;
      }
      kept = interceptor.intercept(kept);
    }
    return kept;
  }

  release(): void {
    this.scratch.length = 0;
  }
}

/**
 * Drops the text that interceptors and routes decoded from each body, once the batch is in its channels:
 * a waiting event should not keep (and get promoted with) a string as large as its body. A refused batch
 * keeps it for the retry.
 */
export function forgetTexts(events: readonly FlowEvent[]): void {
  for (let i = 0; i < events.length; i++) (events[i] as FlowEvent).forgetText();
}
