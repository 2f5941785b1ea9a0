import type { Sink } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import type { nullSinkSpec } from "./spec";

export type NullSinkConfig = ConfigOf<typeof nullSinkSpec>;

const DONE: Promise<void> = Promise.resolve();

/**
 * Discards every batch at once. The sink runner counts the events (`EventDrainSuccessCount`); the sink
 * counts its start as opening its (empty) destination, so a dashboard sees it like any other sink.
 */
export class NullSink implements Sink {
  readonly counter = new SinkCounter();
  readonly batchSize: number;
  private running = false;

  constructor(
    readonly name: string,
    config: NullSinkConfig,
  ) {
    this.batchSize = config.batch_size;
  }

  start(_log: Logger): Promise<void> {
    this.running = true;
    this.counter.ConnectionCreatedCount++;
    this.counter.StartTime = Date.now();
    return DONE;
  }

  write(_events: readonly FlowEvent[]): Promise<void> {
    return DONE;
  }

  stop(): Promise<void> {
    if (!this.running) return DONE;
    this.running = false;
    this.counter.ConnectionClosedCount++;
    this.counter.StopTime = Date.now();
    return DONE;
  }
}
