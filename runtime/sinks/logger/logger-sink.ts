import type { Sink } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { eventLine } from "./event-line";
import type { loggerSinkSpec } from "./spec";

export type LoggerSinkConfig = ConfigOf<typeof loggerSinkSpec>;

/** Where the lines go: the process's stdout, or in tests anything with a stream's `write`. */
export interface LineOutput {
  write(text: string, done: (error?: Error | null) => void): unknown;
}

/**
 * One line per event on stdout. A batch is one `write`; `write()` resolves once the stream took it (for a
 * pipe or a file on Linux, once the bytes are in the pipe or the file), so the runner commits only what
 * was written, and a failed write (EPIPE: the reader is gone) is retried, never acknowledged.
 */
export class LoggerSink implements Sink {
  readonly counter = new SinkCounter();
  readonly batchSize: number;
  private readonly maxBodyLength: number;
  private output: LineOutput | undefined = undefined;
  private log: Logger | undefined = undefined;
  private reportedFailure = false;
  private readonly onStreamError = (error: Error): void => {
    // Also reported to the write's callback, which fails the batch; logged once, not per retry.
    if (!this.reportedFailure) this.log?.error("cannot write to stdout", { error: error.message });
    this.reportedFailure = true;
  };

  constructor(
    readonly name: string,
    config: LoggerSinkConfig,
    /** What to write to instead of the process's stdout (tests); stdout is only touched by `start`. */
    private readonly outputOverride?: LineOutput,
  ) {
    this.batchSize = config.batch_size;
    this.maxBodyLength = config.max_body_length;
  }

  start(log: Logger): Promise<void> {
    this.log = log;
    if (this.outputOverride !== undefined) this.output = this.outputOverride;
    else {
      // Without a listener, an EPIPE on stdout would be an uncaught exception.
      process.stdout.on("error", this.onStreamError);
      this.output = process.stdout;
    }
    this.counter.ConnectionCreatedCount++;
    this.counter.StartTime = Date.now();
    return Promise.resolve();
  }

  write(events: readonly FlowEvent[]): Promise<void> {
    const output = this.output;
    if (output === undefined) return Promise.reject(new Error(`sink \`${this.name}\` is not started`));
    const max = this.maxBodyLength;
    let text = "";
    for (let i = 0; i < events.length; i++) text += `${eventLine(events[i] as FlowEvent, max)}\n`;
    return new Promise((resolve, reject) => {
      output.write(text, (error) => {
        if (error === null || error === undefined) resolve();
        else reject(error);
      });
    });
  }

  stop(): Promise<void> {
    if (this.output === undefined) return Promise.resolve();
    if (this.outputOverride === undefined) process.stdout.off("error", this.onStreamError);
    this.output = undefined;
    this.counter.ConnectionClosedCount++;
    this.counter.StopTime = Date.now();
    return Promise.resolve();
  }
}
