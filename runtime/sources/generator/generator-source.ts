import { hostname } from "node:os";
import { AgentExit } from "../../agent/exit-codes";
import type { ChannelProcessor, Source } from "../../core/component";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import { FlowEvent, type Headers } from "../../core/event";
import type { Logger } from "../../core/log";
import { SourceCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { BodyTemplate, TemplateError, type BatchValues } from "./body-template";
import type { generatorSourceSpec } from "./spec";

export type GeneratorSourceConfig = ConfigOf<typeof generatorSourceSpec>;

const NO_TIME: BatchValues = { timestamp: "", iso8601: "", host: "" };

/**
 * Makes events from a template, a batch at a time. With `rate` 0 it makes the next batch as soon as the
 * previous one is in the channels (yielding to I/O in between); otherwise it spreads the events out so
 * that at most `rate` leave per second. A refused batch is kept and retried when the channel has room;
 * nothing is made meanwhile, so no number is skipped or repeated.
 */
export class GeneratorSource implements Source {
  readonly counter = new SourceCounter();
  /** Resolves once `count` events are in the channels (never with `count` 0). */
  readonly finished: Promise<void>;
  private resolveFinished: () => void = () => undefined;
  private readonly template: BodyTemplate;
  private readonly headers: Readonly<Record<string, string>> | undefined;
  private readonly batchSize: number;
  private readonly count: number;
  private readonly rate: number;
  private host = "";
  /** The number of the next event to make. */
  private seq = 0;
  /** A batch a channel refused, retried before anything new is made. */
  private pending: FlowEvent[] | undefined = undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined = undefined;
  private immediate: NodeJS.Immediate | undefined = undefined;
  /** The rate is kept relative to this moment and sequence number (moved on after being held back). */
  private rateOriginMs = 0;
  private rateOriginSeq = 0;
  private stopped: Promise<void> | undefined = undefined;
  private settled: (() => void) | undefined = undefined;
  private readonly tick = (): void => this.makeBatch();

  constructor(
    readonly name: string,
    config: GeneratorSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    try {
      this.template = new BodyTemplate(config.body);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw new UserFacingError(`source \`${name}\`: property \`body\`: ${error.message}`, AgentExit.config);
    }
    this.headers = config.headers !== undefined && Object.keys(config.headers).length > 0 ? config.headers : undefined;
    this.batchSize = config.batch_size;
    this.count = config.count;
    this.rate = config.rate;
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  start(_log: Logger): Promise<string> {
    this.host = hostname();
    this.running = true;
    this.counter.StartTime = Date.now();
    this.rateOriginMs = Date.now();
    this.rateOriginSeq = 0;
    this.schedule(0);
    const pace = this.rate === 0 ? "" : `${this.rate}/s`;
    return Promise.resolve(`generator:${this.count === 0 ? "unbounded" : this.count}${pace === "" ? "" : `@${pace}`}`);
  }

  /** Stops making events; resolves once a batch a channel had refused is in the channels. */
  stop(): Promise<void> {
    this.stopped ??= this.halt();
    return this.stopped;
  }

  private halt(): Promise<void> {
    this.running = false;
    this.cancelSchedule();
    this.counter.StopTime = Date.now();
    if (this.pending === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.settled = resolve;
    });
  }

  private makeBatch(): void {
    this.timer = undefined;
    this.immediate = undefined;
    if (!this.running || this.pending !== undefined) return;
    let size = this.batchSize;
    if (this.count > 0) size = Math.min(size, this.count - this.seq);
    if (this.rate > 0) {
      const elapsed = Date.now() - this.rateOriginMs;
      const due = Math.floor((elapsed * this.rate) / 1000) - (this.seq - this.rateOriginSeq);
      if (due <= 0) {
        const nextAt = ((this.seq - this.rateOriginSeq + 1) * 1000) / this.rate;
        this.schedule(Math.max(1, Math.ceil(nextAt - elapsed)));
        return;
      }
      size = Math.min(size, due);
    }
    const batch = this.make(size);
    this.counter.EventReceivedCount += size;
    try {
      this.processor.process(batch);
    } catch (error) {
      if (!(error instanceof ChannelFullError)) throw error;
      this.refused(batch);
      return;
    }
    this.counter.EventAcceptedCount += size;
    this.next();
  }

  /** Makes the next `size` events. */
  private make(size: number): FlowEvent[] {
    const template = this.template;
    const fixed = template.fixed;
    const headers = this.headers;
    let values = NO_TIME;
    if (fixed === undefined) {
      if (template.usesTime) {
        const now = Date.now();
        values = { timestamp: String(now), iso8601: new Date(now).toISOString(), host: this.host };
      } else {
        values = { timestamp: "", iso8601: "", host: this.host };
      }
    }
    const events: FlowEvent[] = [];
    const first = this.seq;
    for (let i = 0; i < size; i++) {
      const body = fixed ?? Buffer.from(template.render(first + i, values), "utf8");
      // Each event gets its own headers object: interceptors change headers in place.
      const eventHeaders: Headers = headers === undefined ? {} : { ...headers };
      events.push(new FlowEvent(eventHeaders, body));
    }
    this.seq = first + size;
    return events;
  }

  private refused(batch: FlowEvent[]): void {
    this.counter.ChannelWriteFail++;
    this.pending = batch;
    void this.processor.whenWritable().then(() => this.retry());
  }

  private retry(): void {
    const batch = this.pending;
    if (batch === undefined) return;
    try {
      this.processor.process(batch);
    } catch (error) {
      if (!(error instanceof ChannelFullError)) throw error;
      this.counter.ChannelWriteFail++;
      void this.processor.whenWritable().then(() => this.retry());
      return;
    }
    this.counter.EventAcceptedCount += batch.length;
    this.pending = undefined;
    // Held back: go on at the rate from now, rather than catching up with a burst.
    this.rateOriginMs = Date.now();
    this.rateOriginSeq = this.seq;
    if (this.settled !== undefined) {
      this.settled();
      this.settled = undefined;
      return;
    }
    this.next();
  }

  /** After a batch went in: finished, or the next batch. */
  private next(): void {
    if (this.count > 0 && this.seq >= this.count) {
      this.running = false;
      this.resolveFinished();
      return;
    }
    if (this.running) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (delayMs === 0) this.immediate = setImmediate(this.tick);
    else this.timer = setTimeout(this.tick, delayMs);
  }

  private cancelSchedule(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
  }
}
