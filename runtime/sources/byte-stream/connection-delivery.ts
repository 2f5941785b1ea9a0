import type { ChannelProcessor } from "../../core/component";
import { ChannelFullError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { SourceCounter } from "../../metrics/counters";

/** What the delivery needs of one client connection of a stream source (tcp, syslog over TCP). */
export interface DeliveredConnection {
  readonly socket: { pause(): void; resume(): void };
  /** Events received but refused by a full channel, retried in order before anything newer. */
  pending: FlowEvent[] | undefined;
}

/**
 * Hands what stream connections receive to the channels in batches. When a channel refuses a batch, the
 * connection keeps the rest, stops reading (TCP backpressure reaches the sender) and is retried once the
 * channel has room: nothing received is dropped. Counts EventReceivedCount, EventAcceptedCount and
 * ChannelWriteFail on the source's counter.
 */
export class ConnectionDelivery<C extends DeliveredConnection> {
  constructor(
    private readonly processor: ChannelProcessor,
    private readonly counter: SourceCounter,
    private readonly batchSize: number,
    /** Called when a connection's pending events were all delivered: resume reading it, or close it. */
    private readonly onDrained: (connection: C) => void,
  ) {}

  receive(connection: C, events: FlowEvent[]): void {
    if (events.length === 0) return;
    this.counter.EventReceivedCount += events.length;
    // A paused socket can still report its end (and its last line or message) while earlier ones wait for
    // room: queue behind them, so order is kept and nothing waiting is replaced.
    if (connection.pending !== undefined) connection.pending = connection.pending.concat(events);
    else this.deliver(connection, events);
  }

  /** Hands `events` to the channels in batches; on a full channel keeps the rest and pauses the socket. */
  private deliver(connection: C, events: FlowEvent[]): void {
    const batchSize = this.batchSize;
    let offset = 0;
    while (offset < events.length) {
      const batch = offset === 0 && events.length <= batchSize ? events : events.slice(offset, offset + batchSize);
      try {
        this.processor.process(batch);
      } catch (error) {
        if (!(error instanceof ChannelFullError)) throw error;
        this.counter.ChannelWriteFail++;
        connection.pending = offset === 0 ? events : events.slice(offset);
        connection.socket.pause();
        void this.processor.whenWritable().then(() => this.retry(connection));
        return;
      }
      this.counter.EventAcceptedCount += batch.length;
      offset += batch.length;
    }
    connection.pending = undefined;
  }

  private retry(connection: C): void {
    const pending = connection.pending;
    if (pending === undefined) return;
    this.deliver(connection, pending);
    if (connection.pending === undefined) this.onDrained(connection);
  }
}
