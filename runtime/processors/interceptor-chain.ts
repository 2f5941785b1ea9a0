import type { Interceptor } from "../core/component";
import type { FlowEvent } from "../core/event";

/**
 * Runs a source's interceptors over a batch, in order. With no interceptors it hands the batch back
 * untouched; otherwise it first copies the batch into an array it owns and reuses, so an interceptor that
 * drops events in place never shortens the caller's array (the source keeps that array to retry a refused
 * batch, and counts what it received from it).
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
    if (interceptors.length === 0) return events;
    const scratch = this.scratch;
    for (let i = 0; i < events.length; i++) scratch.push(events[i] as FlowEvent);
    let kept = scratch;
    for (let i = 0; i < interceptors.length; i++) kept = (interceptors[i] as Interceptor).intercept(kept);
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
