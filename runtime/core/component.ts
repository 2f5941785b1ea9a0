import type { FlowEvent } from "./event";
import type { Logger } from "./log";
import type { SinkCounter, SourceCounter } from "../metrics/counters";

/** Hands a source's batches to its channels (interceptors, selector, put transactions). */
export interface ChannelProcessor {
  /** Puts the batch into every required channel, or throws `ChannelFullError` having put it nowhere required. */
  process(events: FlowEvent[]): void;
  /** Resolves when a retry of a refused batch may succeed. */
  whenWritable(): Promise<void>;
  /**
   * Resolves once every batch `process` put so far is durable in all required channels (a file channel's
   * fsync; at once for memory), or rejects when it cannot be. A source that acknowledges its sender (an
   * HTTP 200, a forward ack, a saved read position) waits for it first.
   */
  whenDurable(): Promise<void>;
}

/**
 * Changes events' headers or bodies in place and drops events, a batch at a time. Returns the events to
 * keep, in order: the same array (possibly shortened in place) or a new one. Runs synchronously, on the
 * source's hot path: no promise, closure or copy per event.
 */
export interface Interceptor {
  readonly name: string;
  /**
   * `true` when `intercept` only changes events in place and returns the array it was given, whole and
   * in order (it never drops an event). The chain then runs it on the source's own array; before any
   * other interceptor it copies the batch first, so a drop never shortens the array the source keeps.
   */
  readonly keepsEveryEvent?: boolean;
  intercept(events: FlowEvent[]): FlowEvent[];
}

export interface Source {
  readonly name: string;
  readonly counter: SourceCounter;
  /** Where the source hands its batches; `flowc test` sends test events through it directly. */
  readonly processor: ChannelProcessor;
  /** Starts accepting input; resolves once ready (e.g. listening). Returns a description for the readiness log. */
  start(log: Logger): Promise<string>;
  /** Stops accepting input and resolves once everything it had accepted was handed to its channels. */
  stop(): Promise<void>;
  /**
   * For a source whose input can end (stdin at EOF, a generator with a `count`): resolves once it ended
   * and everything read was handed to the channels. When every source of a tier has finished, the agent
   * delivers what its channels hold and exits 0. Absent for sources that run until stopped.
   */
  readonly finished?: Promise<void>;
}

export interface Sink {
  readonly name: string;
  readonly counter: SinkCounter;
  /** The most events the sink runner should take per transaction. */
  readonly batchSize: number;
  start(log: Logger): Promise<void>;
  /** Delivers the batch; resolves only when it is written. A rejection makes the runner roll back. */
  write(events: readonly FlowEvent[]): Promise<void>;
  stop(): Promise<void>;
}
