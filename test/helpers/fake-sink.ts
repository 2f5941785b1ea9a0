import type { Sink } from "../../runtime/core/component";
import type { FlowEvent } from "../../runtime/core/event";
import type { Logger } from "../../runtime/core/log";
import { SinkCounter } from "../../runtime/metrics/counters";
import { bodies } from "./events";

/**
 * An in-memory sink for sink-group tests: records every batch it is offered, fails while `failing` is
 * true (or when `failsWhen` says so), and can append what it wrote to a log shared by several sinks.
 */
export class FakeSink implements Sink {
  readonly counter = new SinkCounter();
  /** Bodies of every batch `write` was called with, failed or not. */
  readonly attempts: string[][] = [];
  /** Bodies written successfully, in order. */
  readonly written: string[] = [];
  failing = false;
  started = false;
  stopped = false;
  /** Set to make `start` reject. */
  startError: Error | undefined = undefined;

  constructor(
    readonly name: string,
    readonly batchSize = 100,
    private readonly options: {
      /** Every successful write appends its bodies here, tagged with this sink's name. */
      readonly delivered?: { sink: string; body: string }[];
      /** Decides per attempt (0-based, this sink's own count) whether it fails, in addition to `failing`. */
      readonly failsWhen?: (attempt: number) => boolean;
    } = {},
  ) {}

  async start(_log: Logger): Promise<void> {
    if (this.startError !== undefined) throw this.startError;
    this.started = true;
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    const batch = bodies(events);
    const attempt = this.attempts.length;
    this.attempts.push(batch);
    await Promise.resolve(); // settle asynchronously, like a real sink
    if (this.failing || this.options.failsWhen?.(attempt) === true) throw new Error(`${this.name} is down`);
    this.written.push(...batch);
    for (const body of batch) this.options.delivered?.push({ sink: this.name, body });
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
