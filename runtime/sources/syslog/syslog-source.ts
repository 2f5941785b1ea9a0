import * as dgram from "node:dgram";
import * as net from "node:net";
import { AgentExit } from "../../agent/exit-codes";
import type { ChannelProcessor, Source } from "../../core/component";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import { describeListenError } from "../../core/listen-error";
import type { Logger } from "../../core/log";
import { RingQueue } from "../../core/ring-queue";
import { SourceCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { FrameFlag, StreamFramer, datagramMessage, type FrameSink } from "./framing";
import { SYSLOG_HEADERS, SYSLOG_STATUS } from "./headers";
import { SyslogParser } from "./parser";
import { ProblemLog, sample } from "./problem-log";
import type { syslogSourceSpec } from "./spec";
import { resolveTimeZone } from "./timestamps";
import { ConnectionDelivery } from "../byte-stream/connection-delivery";

export type SyslogSourceConfig = ConfigOf<typeof syslogSourceSpec>;

/** Flume's SourceCounter plus what syslog input can get wrong (docs/syslog.md). */
export class SyslogSourceCounter extends SourceCounter {
  /** Messages kept with `flume.syslog.status = "Invalid"`. */
  MessageInvalidCount = 0;
  /** Messages cut to `max_message_size`, or cut off by the end of their connection. */
  MessageIncompleteCount = 0;
  /** Octet-counting connections where a frame did not start with `LENGTH SP`. */
  FramingErrorCount = 0;
  /** UDP datagrams dropped because the channel was full and `udp_buffer_size` reached. */
  DatagramDroppedCount = 0;
  /** TCP connections closed at once because `max_connections` were open (as the `tcp` source counts them). */
  ConnectionRejectedCount = 0;
}

/** What a queued UDP message counts against `udp_buffer_size` on top of its body. */
export const UDP_EVENT_OVERHEAD = 256;
/** Attempts at finding a port free for both TCP and UDP when `port = 0` and `protocol = "both"`. */
const BOTH_PORT_ATTEMPTS = 20;
const NO_EVENTS: FlowEvent[] = [];

/** Why a listener could not start, before it is put in words for the user. */
class ListenFailure {
  constructor(
    readonly transport: "tcp" | "udp",
    readonly port: number,
    readonly cause: NodeJS.ErrnoException,
  ) {}
}

/**
 * Frames to events: parses, marks incomplete and invalid messages, counts and logs them. One per source;
 * the framer calls it synchronously, so `out` and the peer are set around each `push`.
 */
class EventMaker implements FrameSink {
  out: FlowEvent[] = NO_EVENTS;
  peerAddress = "";
  peerPort = 0;

  constructor(
    private readonly parser: SyslogParser,
    private readonly counter: SyslogSourceCounter,
    private readonly problems: ProblemLog,
    private readonly clientIpHeader: string | undefined,
    private readonly maxMessageSize: number,
  ) {}

  onFrame(frame: Buffer, flags: number): void {
    const event = this.parser.parse(frame);
    const problem = this.parser.problem;
    if (problem !== undefined) {
      this.counter.MessageInvalidCount++;
      if (this.problems.due("invalid")) {
        this.problems.warn("invalid", `kept a message that is not valid syslog with ${SYSLOG_HEADERS.status}=${SYSLOG_STATUS.invalid}: ${problem}`, {
          peer: `${this.peerAddress}:${this.peerPort}`,
          message: sample(frame),
        });
      }
    }
    if (flags !== 0) this.flagged(event, frame, flags, problem === undefined);
    if (this.clientIpHeader !== undefined) event.headers[this.clientIpHeader] = this.peerAddress;
    this.out.push(event);
  }

  private flagged(event: FlowEvent, frame: Buffer, flags: number, valid: boolean): void {
    const peer = `${this.peerAddress}:${this.peerPort}`;
    if ((flags & FrameFlag.unframed) !== 0) {
      this.counter.FramingErrorCount++;
      if (this.problems.due("unframed")) {
        this.problems.warn("unframed", "an octet-counting connection sent no `LENGTH SP` where a message should start: read up to the next newline instead", {
          peer,
          message: sample(frame),
        });
      }
    }
    if ((flags & (FrameFlag.truncated | FrameFlag.cutOff)) === 0) return;
    this.counter.MessageIncompleteCount++;
    if (valid) event.headers[SYSLOG_HEADERS.status] = SYSLOG_STATUS.incomplete;
    if ((flags & FrameFlag.truncated) !== 0) {
      if (this.problems.due("truncated")) this.problems.warn("truncated", `cut a message longer than max_message_size (${this.maxMessageSize} bytes) to it; the rest is discarded`, { peer });
    } else if (this.problems.due("cut-off")) {
      this.problems.warn("cut-off", "a connection ended in the middle of an octet-counted message: kept what arrived", { peer, bytes: frame.length });
    }
  }
}

/** One TCP connection: its framer and whatever it received that the channel has not yet taken. */
class Connection {
  readonly framer: StreamFramer;
  readonly address: string;
  readonly port: number;
  /** Events received but refused by a full channel, retried in order before anything newer. */
  pending: FlowEvent[] | undefined = undefined;
  /** The peer ended the stream (the framer was flushed) or the socket is gone: close once `pending` is delivered. */
  ended = false;
  /** An unfinished message was reported as discarded (once). */
  discarded = false;

  constructor(
    readonly socket: net.Socket,
    config: SyslogSourceConfig,
  ) {
    this.framer = new StreamFramer(config.framing, config.max_message_size);
    this.address = socket.remoteAddress ?? "";
    this.port = socket.remotePort ?? 0;
  }
}

/**
 * Syslog over TCP and UDP (docs/syslog.md). TCP connections push back like the `tcp` source: when a
 * channel refuses a batch the connection stops reading and the batch is retried once the channel has
 * room. UDP cannot push back: datagrams wait in a bounded queue while the channel is full, and those that
 * arrive when the queue is full are dropped and counted.
 */
export class SyslogSource implements Source {
  readonly counter = new SyslogSourceCounter();
  private readonly maker: EventMaker;
  private readonly problems = new ProblemLog();
  private server: net.Server | undefined;
  private udp: dgram.Socket | undefined;
  private readonly connections = new Set<Connection>();
  /** Hands what connections receive to the channels, pausing a connection while they are full. */
  private readonly delivery: ConnectionDelivery<Connection>;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private log: Logger | undefined;
  /** Resolves `stop()` once nothing received waits for the channel. */
  private settled: (() => void) | undefined;
  /** UDP messages waiting for the channel, oldest first, and what they count against `udp_buffer_size`. */
  private readonly udpQueue = new RingQueue<FlowEvent>(1024);
  private udpQueuedBytes = 0;
  private udpFlushScheduled = false;
  private udpWaitingForRoom = false;
  private readonly udpBatch: FlowEvent[] = [];
  private readonly udpArrived: FlowEvent[] = [];
  private readonly flushUdp = (): void => this.deliverUdp();
  private readonly onUdpWritable = (): void => {
    this.udpWaitingForRoom = false;
    this.deliverUdp();
  };

  constructor(
    readonly name: string,
    private readonly config: SyslogSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    const zone = resolveTimeZone(config.timezone);
    if (zone === undefined) {
      throw new UserFacingError(
        `source \`${name}\`: timezone ${JSON.stringify(config.timezone)} is not known: use "local", "UTC", an offset such as "+02:00" or an IANA name such as "Europe/Paris"`,
        AgentExit.config,
      );
    }
    this.delivery = new ConnectionDelivery(processor, this.counter, config.batch_size, (connection) => this.drained(connection));
    const parser = new SyslogParser({ keepFields: config.keep_fields, zone });
    this.maker = new EventMaker(parser, this.counter, this.problems, config.client_ip_header, config.max_message_size);
  }

  async start(log: Logger): Promise<string> {
    this.log = log.child({ source: this.name });
    this.problems.logTo(this.log);
    const { port, protocol } = this.config;
    let address: net.AddressInfo;
    try {
      if (protocol === "tcp") address = await this.listenTcp(port);
      else if (protocol === "udp") address = await this.bindUdp(port);
      else address = await this.listenBoth(port);
    } catch (error) {
      if (!(error instanceof ListenFailure)) throw error;
      throw new UserFacingError(
        `source \`${this.name}\` cannot listen on ${this.config.bind}:${error.port} (${error.transport}): ${describeListenError(error.cause)}`,
        1,
      );
    }
    this.counter.StartTime = Date.now();
    return `${protocol === "both" ? "tcp+udp" : protocol}://${address.address}:${address.port}`;
  }

  /** Stops accepting, stops reading, and resolves once every message already received reached a channel. */
  stop(): Promise<void> {
    this.stopped ??= this.stopAccepting();
    return this.stopped;
  }

  // Listening --------------------------------------------------------------------------------------------

  private listenTcp(port: number): Promise<net.AddressInfo> {
    const server = net.createServer((socket) => this.accept(socket));
    const maxConnections = this.config.max_connections;
    if (maxConnections !== undefined) {
      server.maxConnections = maxConnections;
      server.on("drop", (peer) => this.rejected(peer));
    }
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        this.server = undefined;
        reject(new ListenFailure("tcp", port, error));
      };
      server.once("error", onError);
      server.listen({ host: this.config.bind, port }, () => {
        server.off("error", onError);
        server.on("error", (error) => this.log?.error("listener error", { error: error.message }));
        resolve(server.address() as net.AddressInfo);
      });
    });
  }

  private bindUdp(port: number): Promise<net.AddressInfo> {
    const socket = dgram.createSocket({ type: net.isIPv6(this.config.bind) ? "udp6" : "udp4" });
    this.udp = socket;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        this.udp = undefined;
        socket.close();
        reject(new ListenFailure("udp", port, error));
      };
      socket.once("error", onError);
      socket.on("message", (message, remote) => this.onDatagram(message, remote));
      socket.bind({ address: this.config.bind, port }, () => {
        socket.off("error", onError);
        socket.on("error", (error) => this.log?.error("UDP socket error", { error: error.message }));
        const receiveBuffer = this.config.udp_receive_buffer_size;
        if (receiveBuffer !== undefined) {
          try {
            socket.setRecvBufferSize(receiveBuffer);
          } catch (error) {
            this.log?.warn("cannot set the UDP receive buffer size; the system default is used", { error: (error as Error).message });
          }
        }
        resolve(socket.address());
      });
    });
  }

  /** TCP and UDP on the same port; with port 0, a port that is free for both. */
  private async listenBoth(port: number): Promise<net.AddressInfo> {
    for (let attempt = 1; ; attempt++) {
      const tcp = await this.listenTcp(port);
      try {
        await this.bindUdp(tcp.port);
        return tcp;
      } catch (error) {
        const server = this.server;
        this.server = undefined;
        if (server !== undefined) await new Promise((resolve) => server.close(resolve));
        const taken = error instanceof ListenFailure && error.cause.code === "EADDRINUSE";
        if (port !== 0 || !taken || attempt === BOTH_PORT_ATTEMPTS) throw error;
      }
    }
  }

  // TCP --------------------------------------------------------------------------------------------------

  private accept(socket: net.Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, this.config);
    this.connections.add(connection);
    this.counter.OpenConnectionCount++;
    socket.on("data", (chunk: Buffer) => {
      const events: FlowEvent[] = [];
      this.frame(connection, chunk, events);
      this.delivery.receive(connection, events);
    });
    socket.on("end", () => {
      connection.ended = true;
      const events: FlowEvent[] = [];
      this.frame(connection, undefined, events);
      this.delivery.receive(connection, events);
      if (connection.pending === undefined) this.close(connection);
    });
    socket.on("error", (error) => this.log?.debug("connection error", { error: error.message }));
    socket.on("close", () => this.onSocketClosed(connection));
  }

  /** A connection Node closed at once because `max_connections` were open. */
  private rejected(peer: net.DropArgument | undefined): void {
    this.counter.ConnectionRejectedCount++;
    if (this.problems.due("rejected")) {
      this.problems.warn("rejected", "max_connections reached: closing new connections until one closes (counted in ConnectionRejectedCount)", {
        max_connections: this.config.max_connections,
        peer: peer?.remoteAddress === undefined ? undefined : `${peer.remoteAddress}:${peer.remotePort ?? ""}`,
      });
    }
  }

  /** Frames `chunk` (or, without one, the end of the stream) into events appended to `events`. */
  private frame(connection: Connection, chunk: Buffer | undefined, events: FlowEvent[]): void {
    const maker = this.maker;
    maker.out = events;
    maker.peerAddress = connection.address;
    maker.peerPort = connection.port;
    if (chunk === undefined) connection.framer.end(maker);
    else connection.framer.push(chunk, maker);
    maker.out = NO_EVENTS;
  }

  /** A connection whose waiting events all reached the channels: read on, or close it if it ended. */
  private drained(connection: Connection): void {
    if (connection.ended || this.stopping) this.close(connection);
    else connection.socket.resume();
  }

  private close(connection: Connection): void {
    this.discardUnfinished(connection);
    // A live socket is removed by its 'close' event; one that already closed is removed here.
    if (connection.socket.destroyed) this.remove(connection);
    else connection.socket.destroy();
  }

  /** A connection reset or closed by stop() may hold part of a message: it is not an event; say so, once. */
  private discardUnfinished(connection: Connection): void {
    const bytes = connection.framer.pendingBytes;
    if (bytes === 0 || connection.discarded) return;
    connection.discarded = true;
    this.counter.EventReadFail++;
    if (this.problems.due("unfinished")) {
      this.problems.warn("unfinished", "closing a connection with an unfinished message; it is discarded", {
        peer: `${connection.address}:${connection.port}`,
        bytes,
      });
    }
  }

  private onSocketClosed(connection: Connection): void {
    // The peer may vanish while its events wait for room: they are still delivered (retry() then closes).
    if (connection.pending !== undefined) {
      connection.ended = true;
      return;
    }
    this.discardUnfinished(connection);
    this.remove(connection);
  }

  private remove(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.counter.OpenConnectionCount--;
    this.settleIfDrained();
  }

  // UDP --------------------------------------------------------------------------------------------------

  private onDatagram(datagram: Buffer, remote: dgram.RemoteInfo): void {
    let frame = datagramMessage(datagram);
    if (frame.length === 0) return;
    let flags = 0;
    if (frame.length > this.config.max_message_size) {
      frame = frame.subarray(0, this.config.max_message_size);
      flags = FrameFlag.truncated;
    }
    this.counter.EventReceivedCount++;
    // Decided before parsing (an overloaded source should not spend time on what it drops), on the whole
    // message, which is at least as long as the body it becomes.
    if (this.udpQueue.length > 0 && this.udpQueuedBytes + frame.length + UDP_EVENT_OVERHEAD > this.config.udp_buffer_size) {
      this.counter.DatagramDroppedCount++;
      if (this.problems.due("dropped")) {
        this.problems.warn("dropped", "dropped a UDP message: the channel is full and udp_buffer_size is reached (UDP cannot push back on its sender)", {
          peer: `${remote.address}:${remote.port}`,
          queued: this.udpQueue.length,
        });
      }
      return;
    }
    const maker = this.maker;
    maker.out = this.udpArrived;
    maker.peerAddress = remote.address;
    maker.peerPort = remote.port;
    maker.onFrame(frame, flags);
    maker.out = NO_EVENTS;
    this.udpQueuedBytes += (this.udpArrived[0] as FlowEvent).body.length + UDP_EVENT_OVERHEAD;
    this.udpQueue.pushAll(this.udpArrived);
    this.udpArrived.length = 0;
    if (this.udpWaitingForRoom) return;
    // A full batch goes at once; otherwise one delivery per burst of datagrams (those read in one turn of
    // the event loop), not one per datagram.
    if (this.udpQueue.length >= this.config.batch_size) this.deliverUdp();
    else if (!this.udpFlushScheduled) {
      this.udpFlushScheduled = true;
      setImmediate(this.flushUdp);
    }
  }

  private deliverUdp(): void {
    this.udpFlushScheduled = false;
    if (this.udpWaitingForRoom) return;
    const queue = this.udpQueue;
    const batch = this.udpBatch;
    while (queue.length > 0) {
      queue.shiftInto(batch, this.config.batch_size);
      try {
        this.processor.process(batch);
      } catch (error) {
        queue.unshiftAll(batch);
        batch.length = 0;
        if (!(error instanceof ChannelFullError)) throw error;
        this.counter.ChannelWriteFail++;
        this.udpWaitingForRoom = true;
        void this.processor.whenWritable().then(this.onUdpWritable);
        return;
      }
      this.counter.EventAcceptedCount += batch.length;
      let bytes = 0;
      for (let i = 0; i < batch.length; i++) bytes += (batch[i] as FlowEvent).body.length + UDP_EVENT_OVERHEAD;
      batch.length = 0;
      // Interceptors may have changed bodies: the count is approximate, and exact again whenever the queue empties.
      this.udpQueuedBytes = queue.length === 0 ? 0 : Math.max(0, this.udpQueuedBytes - bytes);
    }
    this.settleIfDrained();
  }

  // Stopping ---------------------------------------------------------------------------------------------

  private stopAccepting(): Promise<void> {
    this.stopping = true;
    this.server?.close();
    const udp = this.udp;
    this.udp = undefined;
    udp?.close();
    const settled = new Promise<void>((resolve) => {
      this.settled = resolve;
    });
    for (const connection of this.connections) {
      if (connection.pending === undefined) this.close(connection);
      else connection.socket.pause();
    }
    this.counter.StopTime = Date.now();
    this.settleIfDrained();
    return settled;
  }

  private settleIfDrained(): void {
    if (this.stopping && this.connections.size === 0 && this.udpQueue.length === 0) this.settled?.();
  }
}
