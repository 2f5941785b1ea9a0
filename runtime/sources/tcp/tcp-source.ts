import * as net from "node:net";
import type { ChannelProcessor, Source } from "../../core/component";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import { describeListenError } from "../../core/listen-error";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SourceCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { LineSplitter } from "./line-splitter";
import type { tcpSourceSpec } from "./spec";

export type TcpSourceConfig = ConfigOf<typeof tcpSourceSpec>;

export class TcpSourceCounter extends SourceCounter {
  LineTruncatedCount = 0;
}

/** One client connection: its line splitter and whatever it received that the channel has not yet taken. */
class Connection {
  readonly splitter: LineSplitter;
  /** Events received but refused by a full channel, retried in order before anything newer. */
  pending: FlowEvent[] | undefined = undefined;
  /** The peer half-closed (the splitter was flushed) or the socket is gone: close once `pending` is delivered. */
  ended = false;

  constructor(
    readonly socket: net.Socket,
    maxLineLength: number,
    counter: TcpSourceCounter,
  ) {
    this.splitter = new LineSplitter(maxLineLength, counter);
  }
}

/**
 * Newline-delimited text over TCP. When a channel refuses a batch the connection stops reading (TCP
 * backpressure reaches the sender) and the batch is retried once the channel has room: nothing received
 * is dropped.
 */
export class TcpSource implements Source {
  readonly counter = new TcpSourceCounter();
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private log: Logger | undefined;
  /** Resolves `stop()` once no connection holds undelivered events. */
  private settled: (() => void) | undefined;

  constructor(
    readonly name: string,
    private readonly config: TcpSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  start(log: Logger): Promise<string> {
    this.log = log.child({ source: this.name });
    const { bind, port } = this.config;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new UserFacingError(`source \`${this.name}\` cannot listen on ${bind}:${port}: ${describeListenError(error)}`, 1));
      };
      this.server.once("error", onError);
      this.server.listen({ host: bind, port }, () => {
        this.server.off("error", onError);
        this.server.on("error", (error) => this.log?.error("listener error", { error: error.message }));
        this.counter.StartTime = Date.now();
        const address = this.server.address() as net.AddressInfo;
        resolve(`tcp://${address.address}:${address.port}`);
      });
    });
  }

  /** Stops accepting, stops reading, and resolves once every event already received reached a channel. */
  stop(): Promise<void> {
    this.stopped ??= this.stopAccepting();
    return this.stopped;
  }

  private stopAccepting(): Promise<void> {
    this.stopping = true;
    this.server.close();
    const settled = new Promise<void>((resolve) => {
      this.settled = resolve;
    });
    for (const connection of this.connections) {
      if (connection.pending === undefined) this.close(connection);
      else connection.socket.pause();
    }
    this.counter.StopTime = Date.now();
    if (this.connections.size === 0) this.settled?.();
    return settled;
  }

  private accept(socket: net.Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, this.config.max_line_length, this.counter);
    this.connections.add(connection);
    this.counter.OpenConnectionCount++;
    socket.on("data", (chunk: Buffer) => {
      const events: FlowEvent[] = [];
      connection.splitter.push(chunk, events);
      this.receive(connection, events);
    });
    socket.on("end", () => {
      connection.ended = true;
      const events: FlowEvent[] = [];
      connection.splitter.flush(events);
      this.receive(connection, events);
      if (connection.pending === undefined) this.close(connection);
    });
    socket.on("error", (error) => this.log?.debug("connection error", { error: error.message }));
    socket.on("close", () => this.onSocketClosed(connection));
  }

  private receive(connection: Connection, events: FlowEvent[]): void {
    if (events.length === 0) return;
    this.counter.EventReceivedCount += events.length;
    // A paused socket can still report its end (and the splitter its last line) while earlier lines wait
    // for room: queue behind them, so order is kept and nothing waiting is replaced.
    if (connection.pending !== undefined) connection.pending = connection.pending.concat(events);
    else this.deliver(connection, events);
  }

  /** Hands `events` to the channels in batches; on a full channel keeps the rest and pauses the socket. */
  private deliver(connection: Connection, events: FlowEvent[]): void {
    const batchSize = this.config.batch_size;
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

  private retry(connection: Connection): void {
    const pending = connection.pending;
    if (pending === undefined) return;
    this.deliver(connection, pending);
    if (connection.pending !== undefined) return;
    if (connection.ended || this.stopping) this.close(connection);
    else connection.socket.resume();
  }

  private close(connection: Connection): void {
    // After a clean end the splitter was flushed; anything left is a line the peer never finished.
    if (connection.splitter.pendingBytes > 0) {
      this.log?.warn("closing a connection with an unfinished line; it is discarded", {
        bytes: connection.splitter.pendingBytes,
      });
    }
    // A live socket is removed by its 'close' event; one that already closed is removed here.
    if (connection.socket.destroyed) this.remove(connection);
    else connection.socket.destroy();
  }

  private onSocketClosed(connection: Connection): void {
    // The peer may vanish while its events wait for room: they are still delivered (retry() then closes).
    if (connection.pending !== undefined) {
      connection.ended = true;
      return;
    }
    this.remove(connection);
  }

  private remove(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.counter.OpenConnectionCount--;
    if (this.stopping && this.connections.size === 0) this.settled?.();
  }
}
