import type { ChannelProcessor } from "../../core/component";
import { ChannelFullError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { SourceCounter } from "../../metrics/counters";

/**
 * Hands the events a source reads from a byte stream to its channel processor in batches of `batchSize`,
 * in order. A partial batch waits at most `batchTimeoutMs` for more events (0: handed over at once).
 *
 * When a required channel refuses a batch, the pump keeps it (and everything after it), calls
 * `onBlocked(true)` so the owner stops reading its input, and retries once the processor says a retry may
 * succeed; `onBlocked(false)` then lets the owner read again. Nothing it was given is dropped.
 */
export class BatchPump {
  /** Events received and not yet accepted by the channels, from `head` on. */
  private queue: FlowEvent[] = [];
  private head = 0;
  private blocked = false;
  /** Set by `flush`: the next partial batch goes at once instead of waiting for more. */
  private flushing = false;
  private timer: NodeJS.Timeout | undefined = undefined;
  private emptyWaiters: (() => void)[] = [];
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.flushing = true;
    this.pump();
  };

  constructor(
    private readonly processor: ChannelProcessor,
    private readonly counter: SourceCounter,
    private readonly batchSize: number,
    private readonly batchTimeoutMs: number,
    private readonly onBlocked: (blocked: boolean) => void,
  ) {}

  /** Events waiting for the channels. */
  get size(): number {
    return this.queue.length - this.head;
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Takes events just read (the caller counted them as received) and hands over every full batch. */
  add(events: FlowEvent[]): void {
    if (events.length === 0) return;
    if (this.size === 0) {
      this.queue = events;
      this.head = 0;
    } else {
      for (let i = 0; i < events.length; i++) this.queue.push(events[i] as FlowEvent);
    }
    this.pump();
  }

  /** Hands over what waits, a partial batch included, without waiting for `batchTimeoutMs`. */
  flush(): void {
    this.flushing = true;
    this.pump();
  }

  /** Resolves once every event given so far was accepted by the channels. */
  whenEmpty(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  private pump(): void {
    if (this.blocked) return;
    const batchSize = this.batchSize;
    while (this.size >= batchSize) {
      if (!this.offer(batchSize)) return;
    }
    const rest = this.size;
    if (rest > 0) {
      if (this.flushing || this.batchTimeoutMs === 0) {
        if (!this.offer(rest)) return;
      } else {
        this.timer ??= setTimeout(this.onTimer, this.batchTimeoutMs);
        return;
      }
    }
    this.emptied();
  }

  /** Offers the next `count` events; false when a channel refused them (the pump is then blocked). */
  private offer(count: number): boolean {
    const queue = this.queue;
    const head = this.head;
    const batch = head === 0 && count === queue.length ? queue : queue.slice(head, head + count);
    try {
      this.processor.process(batch);
    } catch (error) {
      if (!(error instanceof ChannelFullError)) throw error;
      this.counter.ChannelWriteFail++;
      this.blocked = true;
      this.onBlocked(true);
      void this.processor.whenWritable().then(() => this.retry());
      return false;
    }
    this.counter.EventAcceptedCount += count;
    this.head = head + count;
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  private retry(): void {
    this.blocked = false;
    this.pump();
    if (!this.blocked) this.onBlocked(false);
  }

  private emptied(): void {
    this.flushing = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.emptyWaiters.length === 0) return;
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
