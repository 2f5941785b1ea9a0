import type { Readable } from "node:stream";
import { AgentExit } from "../../agent/exit-codes";
import type { ChannelProcessor, Source } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SourceCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { BatchPump } from "../byte-stream/batch-pump";
import { DelimiterSplitter } from "../byte-stream/delimiter-splitter";
import type { stdinSourceSpec } from "./spec";

export type StdinSourceConfig = ConfigOf<typeof stdinSourceSpec>;

export class StdinSourceCounter extends SourceCounter {
  LineTruncatedCount = 0;
}

/** The source reading the process's stdin, if any: two would split its records between them. */
let processStdinReader: string | undefined;

/**
 * Records from the agent's standard input (or, in tests, from any byte stream). When a channel refuses
 * a batch it stops reading, so the pipe fills and the writer blocks until the channel has room: nothing
 * read is dropped. At the end of the input it hands over what is left, a last record without delimiter
 * included, and `finished` resolves.
 */
export class StdinSource implements Source {
  readonly counter = new StdinSourceCounter();
  /** Resolves once the input ended and everything read from it is in the channels. */
  readonly finished: Promise<void>;
  private resolveFinished: () => void = () => undefined;
  private readonly splitter: DelimiterSplitter;
  private readonly pump: BatchPump;
  private input: Readable | undefined = undefined;
  private ended = false;
  private stopping = false;
  private stopped: Promise<void> | undefined = undefined;
  private log: Logger | undefined = undefined;
  private readonly onData = (chunk: Buffer | string): void => this.read(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
  private readonly onEnd = (): void => this.end();
  private readonly onError = (error: Error): void => this.fail(error);

  constructor(
    readonly name: string,
    config: StdinSourceConfig,
    readonly processor: ChannelProcessor,
    /** What to read instead of the process's stdin (tests); the process's stdin is only touched by `start`. */
    private readonly inputOverride?: Readable,
  ) {
    if (config.delimiter === "") throw new UserFacingError(`source \`${name}\`: property \`delimiter\` is empty; records need a delimiter of one character or more`, AgentExit.config);
    this.splitter = new DelimiterSplitter(config.delimiter, config.max_line_length, this.counter);
    this.pump = new BatchPump(processor, this.counter, config.batch_size, 0, (blocked) => this.onBlocked(blocked));
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  start(log: Logger): Promise<string> {
    this.log = log.child({ source: this.name });
    let input = this.inputOverride;
    if (input === undefined) {
      if (processStdinReader !== undefined && processStdinReader !== this.name) {
        return Promise.reject(
          new UserFacingError(`source \`${this.name}\` cannot read stdin: source \`${processStdinReader}\` already reads it (a tier has at most one \`stdin\` source)`, 1),
        );
      }
      processStdinReader = this.name;
      input = process.stdin;
    }
    this.input = input;
    input.on("data", this.onData);
    input.on("end", this.onEnd);
    input.on("error", this.onError);
    input.resume();
    this.counter.StartTime = Date.now();
    return Promise.resolve("stdin");
  }

  /** Stops reading; resolves once everything read (not an unfinished last record) is in the channels. */
  stop(): Promise<void> {
    this.stopped ??= this.halt();
    return this.stopped;
  }

  private async halt(): Promise<void> {
    this.stopping = true;
    const input = this.input;
    if (input !== undefined && !this.ended) {
      input.pause();
      this.detach(input);
      // Bytes the stream already read from the descriptor are the agent's: hand them over too.
      for (let chunk = input.read() as Buffer | string | null; chunk !== null; chunk = input.read() as Buffer | string | null) {
        this.read(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
      }
      const unfinished = this.splitter.discard();
      if (unfinished > 0) this.log?.warn("stopping in the middle of a record of stdin; it is discarded", { bytes: unfinished });
    }
    this.pump.flush();
    await this.pump.whenEmpty();
    if (processStdinReader === this.name && this.inputOverride === undefined) processStdinReader = undefined;
    this.counter.StopTime = Date.now();
  }

  private read(chunk: Buffer): void {
    const events: FlowEvent[] = [];
    this.splitter.push(chunk, events);
    this.counter.EventReceivedCount += events.length;
    this.pump.add(events);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    const events: FlowEvent[] = [];
    this.splitter.flush(events);
    this.counter.EventReceivedCount += events.length;
    this.pump.add(events);
    this.pump.flush();
    if (this.input !== undefined) this.detach(this.input);
    void this.pump.whenEmpty().then(() => {
      this.log?.info("end of stdin: finished", { records: this.counter.EventReceivedCount });
      this.resolveFinished();
    });
  }

  /** A read error (stdin is a directory, a device failed) ends the input: what was read is delivered. */
  private fail(error: Error): void {
    this.counter.GenericProcessingFail++;
    this.log?.error("cannot read stdin; treating it as ended", { error: error.message });
    this.end();
  }

  private onBlocked(blocked: boolean): void {
    const input = this.input;
    if (input === undefined || this.ended || this.stopping) return;
    if (blocked) input.pause();
    else input.resume();
  }

  private detach(input: Readable): void {
    input.off("data", this.onData);
    input.off("end", this.onEnd);
    input.off("error", this.onError);
    // A late error from a stream we no longer read must not crash the agent.
    input.on("error", () => undefined);
  }
}
