import * as net from "node:net";
import type { ChannelProcessor, Source } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import { describeListenError } from "../../core/listen-error";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SourceCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { LineSplitter, type LineSplitterOptions } from "./line-splitter";
import type { tcpSourceSpec } from "./spec";
import { ConnectionDelivery } from "../byte-stream/connection-delivery";

export type TcpSourceConfig = ConfigOf<typeof tcpSourceSpec>;

export class TcpSourceCounter extends SourceCounter {
  /** Lines longer than `max_line_length` cut to it (`long_lines = truncate`). */
  LineTruncatedCount = 0;
  /** Lines longer than `max_line_length` left out (`long_lines = discard`). */
  LineDiscardedCount = 0;
  /** Connections reset at once because `max_connections` were open. */
  ConnectionRejectedCount = 0;
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
    options: LineSplitterOptions,
  ) {
    this.splitter = new LineSplitter(maxLineLength, counter, options);
  }
}

/**
 * Delimited lines over TCP, from any number of connections (at most `max_connections`). When a channel
 * refuses a batch the connection stops reading (TCP backpressure reaches the sender) and the batch is
 * retried once the channel has room: nothing received is dropped. Lines longer than `max_line_length`
 * are cut or discarded, and counted; only their first `max_line_length` bytes are ever held.
 */
export class TcpSource implements Source {
  readonly counter = new TcpSourceCounter();
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  /** Hands what connections receive to the channels, pausing a connection while they are full. */
  private readonly delivery: ConnectionDelivery<Connection>;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private log: Logger | undefined;
  /** Resolves `stop()` once no connection holds undelivered events. */
  private settled: (() => void) | undefined;
  private readonly splitterOptions: LineSplitterOptions;
  /** Whether the rejection of a connection over `max_connections` was logged since the last one closed. */
  private rejectionLogged = false;

  constructor(
    readonly name: string,
    private readonly config: TcpSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    if (config.delimiter === "") throw new UserFacingError(`source \`${name}\`: \`delimiter\` must not be empty`, 1);
    this.splitterOptions = { delimiter: Buffer.from(config.delimiter, "utf8"), longLines: config.long_lines };
    this.server = net.createServer((socket) => this.accept(socket));
    this.delivery = new ConnectionDelivery(processor, this.counter, config.batch_size, (connection) => this.drained(connection));
  }

  /** A connection whose waiting events all reached the channels: read on, or close it if it ended. */
  private drained(connection: Connection): void {
    if (connection.ended || this.stopping) this.close(connection);
    else connection.socket.resume();
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
    const limit = this.config.max_connections;
    if (limit !== undefined && this.connections.size >= limit) {
      this.reject(socket);
      return;
    }
    const connection = new Connection(socket, this.config.max_line_length, this.counter, this.splitterOptions);
    this.connections.add(connection);
    this.counter.OpenConnectionCount++;
    socket.on("data", (chunk: Buffer) => {
      const events: FlowEvent[] = [];
      const splitter = connection.splitter;
      const longBefore = splitter.longLines;
      splitter.push(chunk, events);
      if (longBefore === 0 && splitter.longLines > 0) this.warnLongLine(connection);
      this.delivery.receive(connection, events);
    });
    socket.on("end", () => {
      connection.ended = true;
      const events: FlowEvent[] = [];
      const splitter = connection.splitter;
      const longBefore = splitter.longLines;
      splitter.flush(events);
      if (longBefore === 0 && splitter.longLines > 0) this.warnLongLine(connection);
      this.delivery.receive(connection, events);
      if (connection.pending === undefined) this.close(connection);
    });
    socket.on("error", (error) => this.log?.debug("connection error", { error: error.message }));
    socket.on("close", () => this.onSocketClosed(connection));
  }

  /** The first over-long line of a connection; later ones are only counted. */
  private warnLongLine(connection: Connection): void {
    const discarded = this.config.long_lines === "discard";
    this.log?.warn(
      discarded
        ? "discarded a line longer than max_line_length; later ones from this connection are only counted (LineDiscardedCount)"
        : "cut a line longer than max_line_length; later ones from this connection are only counted (LineTruncatedCount)",
      { peer: peerOf(connection.socket), max_line_length: this.config.max_line_length },
    );
  }

  /**
   * A connection over `max_connections`: reset at once (TCP RST rather than a clean close, so the sender
   * sees an error instead of believing what it sends is read). Node cannot leave connections waiting in
   * the kernel's accept queue, which would be gentler.
   */
  private reject(socket: net.Socket): void {
    this.counter.ConnectionRejectedCount++;
    const peer = peerOf(socket);
    socket.on("error", () => undefined);
    socket.resetAndDestroy();
    if (this.rejectionLogged) return;
    this.rejectionLogged = true;
    this.log?.warn("max_connections reached: resetting new connections until one closes (counted in ConnectionRejectedCount)", {
      max_connections: this.config.max_connections,
      peer,
    });
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
    this.rejectionLogged = false;
    if (this.stopping && this.connections.size === 0) this.settled?.();
  }
}

function peerOf(socket: net.Socket): string | undefined {
  return socket.remoteAddress === undefined ? undefined : `${socket.remoteAddress}:${socket.remotePort ?? ""}`;
}
