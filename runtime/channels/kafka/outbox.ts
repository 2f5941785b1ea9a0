import type { CompressionTypes, Message, Producer } from "kafkajs";
import { Backoff } from "../../core/backoff";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { RingQueue } from "../../core/ring-queue";
import { Signal } from "../../core/signal";
import { describeKafkaError } from "../../kafka/errors";
import type { KafkaChannelCounter } from "./kafka-channel-counter";
import { within } from "./within";
import { isRecordRefusal } from "./record-errors";

export interface OutboxOptions {
  readonly topic: string;
  readonly compression: CompressionTypes;
  /** Header whose value is the record key, or undefined. */
  readonly keyHeader: string | undefined;
  /** Most estimated bytes per produce request. */
  readonly maxRequestBytes: number;
  readonly requestTimeoutMs: number;
  readonly counter: KafkaChannelCounter;
  /** Called after events left the outbox (acknowledged or dropped): room for puts again. */
  readonly onRoom: () => void;
}

/** Bytes a record costs besides its body and headers (Kafka's record framing, roughly). */
const RECORD_OVERHEAD = 32;
const RETRY_INITIAL_MS = 200;
const RETRY_MAX_MS = 10_000;
/** Most events per produce request, whatever their size. */
const MAX_EVENTS_PER_REQUEST = 10_000;

interface DurableWaiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * The put side of the Kafka channel: committed events wait here until the brokers acknowledged them
 * (acks from every in-sync replica), sent by one loop one request at a time, so that retries cannot
 * reorder a partition. Nothing is dropped on a failure that may pass (a broker down, a leader moving,
 * a timeout): the request is retried with backoff for as long as the channel runs. Only records the
 * brokers refuse for good (too large) are dropped, one at a time, logged and counted.
 *
 * Sequence numbers count events: `committed` put so far, `acked` acknowledged or dropped so far, in order,
 * so "everything committed before this call is acknowledged" is `acked >= seq`.
 */
export class Outbox {
  private queue = new RingQueue<FlowEvent>(1024);
  /** The request under way (or to retry): taken off the queue, still counted as held. */
  private sending: FlowEvent[] = [];
  private committed = 0;
  private acked = 0;
  private waiters: DurableWaiter[] = [];
  private readonly wake = new Signal();
  private readonly emptied = new Signal();
  private closedError: Error | undefined = undefined;
  private readonly backoff = new Backoff(RETRY_INITIAL_MS, RETRY_MAX_MS);
  /** Send one event per request until this sequence number, to find the one the brokers refuse. */
  private isolateUntil = 0;
  private running = false;
  private loop: Promise<void> | undefined = undefined;
  private failing = false;
  private retryTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly options: OutboxOptions,
    private log: Logger,
  ) {}

  /** Events committed and not yet acknowledged: what `capacity` bounds. */
  get length(): number {
    return this.queue.length + this.sending.length;
  }

  append(events: readonly FlowEvent[]): void {
    this.queue.pushAll(events);
    this.committed += events.length;
    this.wake.notify();
  }

  whenDurable(): Promise<void> {
    if (this.acked >= this.committed) return Promise.resolve();
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    return new Promise<void>((resolve, reject) => this.waiters.push({ seq: this.committed, resolve, reject }));
  }

  start(producer: Producer, log: Logger): void {
    this.log = log;
    this.running = true;
    this.loop = this.run(producer);
  }

  /**
   * Stops sending once the outbox is empty or `timeoutMs` passed; what is left is lost (logged), and the
   * `whenDurable` waiters still pending are rejected. Resolves with the number of events lost.
   */
  async close(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.length > 0 && Date.now() < deadline) await within(this.emptied.wait(), deadline);
    this.running = false;
    clearTimeout(this.retryTimer);
    this.wake.notify();
    // A request under way may be inside kafkajs's own retries: wait for it no longer than the deadline.
    await within(this.loop ?? Promise.resolve(), Math.max(deadline, Date.now() + 100));
    const lost = this.length;
    this.closedError = new Error(lost > 0 ? `the channel stopped with ${lost} events not acknowledged by Kafka` : "the channel is stopped");
    if (lost > 0) {
      this.failWaiters(this.closedError);
      this.log.error("events put but not acknowledged by Kafka are lost at stop", { events: lost, waited_ms: timeoutMs });
    }
    return lost;
  }

  private async run(producer: Producer): Promise<void> {
    const counter = this.options.counter;
    let connected = false;
    while (this.running) {
      if (this.sending.length === 0) {
        if (this.queue.length === 0) {
          await this.wake.wait();
          continue;
        }
        this.fill();
      }
      const started = Date.now();
      try {
        if (!connected) {
          await producer.connect();
          connected = true;
        }
        await producer.send({
          topic: this.options.topic,
          messages: this.messages(this.sending),
          acks: -1,
          compression: this.options.compression,
          timeout: this.options.requestTimeoutMs,
        });
        counter.KafkaEventSendTimer += Date.now() - started;
        this.settle(this.sending.length);
        if (this.failing) {
          this.failing = false;
          this.log.info("Kafka acknowledges puts again", { topic: this.options.topic });
        }
        this.backoff.reset();
      } catch (error) {
        counter.KafkaEventSendTimer += Date.now() - started;
        if (!this.running) break;
        if (isRecordRefusal(error)) {
          this.onRefusal(error);
          continue;
        }
        const delay = this.backoff.nextDelayMs();
        // Logged once per outage at error, then at debug: the channel keeps retrying and the size shows it.
        if (!this.failing) {
          this.failing = true;
          this.log.error("cannot send put events to Kafka: retrying until it accepts them; puts are refused once capacity is reached", {
            topic: this.options.topic,
            events: this.length,
            error: describeKafkaError(error),
          });
        } else {
          this.log.debug("send to Kafka failed again", { events: this.length, retry_in_ms: delay, error: describeKafkaError(error) });
        }
        await new Promise<void>((resolve) => {
          this.retryTimer = setTimeout(resolve, delay);
          void this.wake.wait().then(() => {
            if (!this.running) resolve();
          });
        });
      }
    }
  }

  /** Moves the next request's events (by estimated size, at least one) from the queue to `sending`. */
  private fill(): void {
    const sending = this.sending;
    const max = this.acked < this.isolateUntil ? 1 : MAX_EVENTS_PER_REQUEST;
    const n = this.queue.shiftInto(sending, max);
    const limit = this.options.maxRequestBytes;
    let bytes = 0;
    let cut = n;
    for (let i = 0; i < n; i++) {
      const event = sending[i] as FlowEvent;
      bytes += event.body.length + RECORD_OVERHEAD + headerBytes(event.headers);
      if (bytes > limit && i > 0) {
        cut = i;
        break;
      }
    }
    if (cut < n) {
      this.queue.unshiftAll(sending.slice(cut));
      sending.length = cut;
    }
  }

  private messages(events: readonly FlowEvent[]): Message[] {
    const keyHeader = this.options.keyHeader;
    const messages: Message[] = new Array<Message>(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as FlowEvent;
      const headers = event.headers;
      messages[i] = { key: keyHeader === undefined ? null : (headers[keyHeader] ?? null), value: event.body, headers };
    }
    return messages;
  }

  /** The brokers refused the request's records: find the one they refuse (one event per request), drop it. */
  private onRefusal(error: unknown): void {
    const sending = this.sending;
    if (sending.length > 1) {
      this.isolateUntil = this.acked + sending.length;
      this.queue.unshiftAll(sending);
      this.sending = [];
      return;
    }
    const event = sending[0] as FlowEvent;
    this.options.counter.EventPutErrorCount++;
    this.log.error("Kafka refuses an event for good (too large for the brokers?): it is dropped", {
      topic: this.options.topic,
      body_bytes: event.body.length,
      error: describeKafkaError(error),
    });
    this.failWaiters(new Error(`Kafka refused an event: ${describeKafkaError(error)}`));
    this.settle(1);
  }

  /** The first `n` events of `sending` left the outbox. */
  private settle(n: number): void {
    this.acked += n;
    this.sending = [];
    const waiters = this.waiters;
    let done = 0;
    while (done < waiters.length && (waiters[done] as DurableWaiter).seq <= this.acked) done++;
    if (done > 0) {
      for (let i = 0; i < done; i++) (waiters[i] as DurableWaiter).resolve();
      this.waiters = waiters.slice(done);
    }
    if (this.length === 0) this.emptied.notify();
    this.options.onRoom();
  }

  private failWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}


function headerBytes(headers: Record<string, string>): number {
  let bytes = 0;
  for (const name in headers) bytes += name.length + (headers[name] as string).length + 2;
  return bytes;
}
