import { AgentExit } from "../../agent/exit-codes";
import * as dgram from "node:dgram";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { hostname } from "node:os";
import * as tls from "node:tls";
import { gunzip } from "node:zlib";
import type { ChannelProcessor, Source } from "../../core/component";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import { describeListenError } from "../../core/listen-error";
import type { Logger } from "../../core/log";
import {
  checkPing,
  EntryDecoder,
  MessageFramer,
  MODE_COMPRESSED_PACKED_FORWARD,
  MODE_HEARTBEAT,
  MODE_MESSAGE,
  MODE_NAMES,
  MsgpackWriter,
  newSalt,
  type Ping,
  ProtocolError,
  readPing,
  readTransportMessage,
  sha512Hex,
  TransportMessage,
  writeAck,
  writeHelo,
  writePong,
} from "../../forward-protocol";
import { SourceCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import type { listenSourceSpec } from "./spec";

export type ListenSourceConfig = ConfigOf<typeof listenSourceSpec>;

export class ListenSourceCounter extends SourceCounter {
  /** Message-mode requests (one event each), received and committed (Flume's single-event append). */
  AppendReceivedCount = 0;
  AppendAcceptedCount = 0;
  /** Forward, PackedForward and CompressedPackedForward requests, received and committed whole. */
  AppendBatchReceivedCount = 0;
  AppendBatchAcceptedCount = 0;
  AckSentCount = 0;
  /** Connections closed for malformed msgpack, a wrong type, an oversized or a refused gzip message. */
  ProtocolErrorCount = 0;
  /** Handshakes refused: wrong shared key, unknown user or wrong password, no PING in time. */
  AuthFailureCount = 0;
  /** TLS handshakes that failed (no or an untrusted client certificate, a client that does not speak TLS). */
  TlsFailureCount = 0;
  /** Connections closed at once because `max_connections` were open. */
  ConnectionRejectedCount = 0;
  /** Chunks whose sender went away before they could all be committed: not acknowledged, so it resends them. */
  ChunkAbandonedCount = 0;
  /** UDP heartbeats answered. */
  HeartbeatCount = 0;
}

/** How long a connection may take to send PING after HELO. */
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** How often a burst of refused connections is logged (each one is counted). */
const REJECT_LOG_INTERVAL_MS = 10_000;
/** How long a refused connection may stay half-closed for the peer to read our last words. */
const LINGER_MS = 2_000;
/** Port 0 is chosen by the TCP listener; the UDP one takes the same number, which may be taken: retry. */
const PORT_ATTEMPTS = 5;

const HANDSHAKE = 0;
const TRANSPORT = 1;

/** One client connection and the message it is delivering. */
class Connection {
  readonly framer: MessageFramer;
  readonly decoder: EntryDecoder;
  readonly message = new TransportMessage();
  readonly peer: string;
  state = TRANSPORT;
  nonce: Buffer | undefined = undefined;
  authSalt: Buffer | undefined = undefined;
  handshakeTimer: NodeJS.Timeout | undefined = undefined;
  /** The decoded events of the message being delivered (undefined when none is). */
  pending: FlowEvent[] | undefined = undefined;
  /** Events of `pending` already committed. */
  offset = 0;
  /** The chunk id to acknowledge once `pending` is committed. */
  chunk: string | undefined = undefined;
  /** Message mode (one event) or one of the batch modes: which Append counters it moves. */
  single = false;
  /** A message is being delivered (waiting for room) or decompressed: the next one waits. */
  busy = false;
  /** Acknowledgements waiting for the channels to make their events durable. */
  acksInFlight = 0;
  /** The connection is refused: end it once the acks in flight were sent. */
  hangUpAfterAcks = false;
  /** The peer half-closed: finish once everything received is handled. */
  ended = false;
  /** The socket is gone. */
  closed = false;

  constructor(
    readonly socket: net.Socket,
    maxMessageSize: number,
    tagHeader: string,
  ) {
    this.framer = new MessageFramer(maxMessageSize);
    this.decoder = new EntryDecoder(tagHeader);
    this.peer = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
  }

  get idle(): boolean {
    return !this.busy && this.pending === undefined && this.acksInFlight === 0;
  }
}

/**
 * The Fluent Forward protocol v1 server side: Message, Forward, PackedForward and CompressedPackedForward
 * modes, the optional handshake (shared key, users), TLS and mutual TLS, UDP heartbeats.
 *
 * A message is decoded and checked whole before any of its events is put, so a malformed message is never
 * half-accepted: the connection is closed, the error logged and counted, and the sender (which got no
 * acknowledgement) resends. A message's events go to the channels in batches of `batch_size`; when a
 * channel is full the connection stops reading (TCP pushes back) and the rest waits for room. A chunk's
 * `ack` is sent only after its last batch was committed and the processor's `whenDurable()` resolved (a file
 * channel's fsync; at once for memory channels).
 * If the sender disconnects (or ends its side) while a chunk waits for room, the rest of that chunk is dropped, not
 * acknowledged, and counted: the sender resends it (messages sent without a chunk id are still delivered,
 * since nobody would resend them).
 */
export class ListenSource implements Source {
  readonly counter = new ListenSourceCounter();
  private server: net.Server | undefined;
  private udp: dgram.Socket | undefined;
  private readonly connections = new Set<Connection>();
  private readonly writer = new MsgpackWriter(256);
  private readonly selfHostname: string;
  private readonly users: Readonly<Record<string, string>> | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private log: Logger | undefined;
  private settled: (() => void) | undefined;
  private lastRejectLog = 0;
  private rejectedSinceLog = 0;

  constructor(
    readonly name: string,
    private readonly config: ListenSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    this.selfHostname = config.self_hostname ?? hostname();
    const users = config.users;
    this.users = users !== undefined && Object.keys(users).length > 0 ? users : undefined;
    if (this.users !== undefined && !config.shared_key) {
      throw new UserFacingError(`source \`${name}\`: \`users\` needs \`shared_key\` (users are checked in the handshake, which the shared key starts)`, AgentExit.config);
    }
    if (config.tls && (config.tls_cert === undefined || config.tls_key === undefined)) {
      throw new UserFacingError(`source \`${name}\`: \`tls = true\` needs \`tls_cert\` and \`tls_key\``, AgentExit.config);
    }
    if (!config.tls && (config.tls_cert !== undefined || config.tls_key !== undefined || config.tls_client_ca !== undefined)) {
      throw new UserFacingError(`source \`${name}\`: \`tls_cert\`, \`tls_key\` and \`tls_client_ca\` need \`tls = true\``, AgentExit.config);
    }
  }

  async start(log: Logger): Promise<string> {
    this.log = log.child({ source: this.name });
    const { bind, port } = this.config;
    let lastError: unknown;
    for (let attempt = 0; attempt < (port === 0 ? PORT_ATTEMPTS : 1); attempt++) {
      const server = this.createServer();
      const tcpPort = await this.listen(server, bind, port);
      try {
        this.udp = await this.bindUdp(bind, tcpPort);
      } catch (error) {
        lastError = error;
        await new Promise<void>((resolve) => server.close(() => resolve()));
        continue;
      }
      this.server = server;
      server.on("error", (error) => this.log?.error("listener error", { error: error.message }));
      this.counter.StartTime = Date.now();
      const address = server.address() as net.AddressInfo;
      return `${this.config.tls ? "forward+tls" : "forward"}://${address.address}:${address.port}`;
    }
    throw new UserFacingError(`source \`${this.name}\` cannot listen for heartbeats on udp ${bind}:${port}: ${describeListenError(lastError as NodeJS.ErrnoException)}`, 1);
  }

  /** Stops accepting, stops reading, and resolves once every event already received reached a channel. */
  stop(): Promise<void> {
    this.stopped ??= this.stopAccepting();
    return this.stopped;
  }

  private createServer(): net.Server {
    const onConnection = (socket: net.Socket): void => this.accept(socket);
    let server: net.Server;
    if (this.config.tls) {
      const options: tls.TlsOptions = {
        cert: this.readPem(this.config.tls_cert, "tls_cert"),
        key: this.readPem(this.config.tls_key, "tls_key"),
        allowHalfOpen: true,
      };
      if (this.config.tls_client_ca !== undefined) {
        options.ca = this.readPem(this.config.tls_client_ca, "tls_client_ca");
        options.requestCert = true;
        options.rejectUnauthorized = true;
      }
      let tlsServer: tls.Server;
      try {
        tlsServer = tls.createServer(options, onConnection);
      } catch (error) {
        throw new UserFacingError(`source \`${this.name}\`: unusable TLS certificate or key: ${(error as Error).message}`, 1);
      }
      tlsServer.on("tlsClientError", (error, socket) => {
        this.counter.TlsFailureCount++;
        this.log?.warn("TLS handshake failed; connection closed", { peer: `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`, error: error.message });
      });
      server = tlsServer;
    } else server = net.createServer({ allowHalfOpen: true }, onConnection);
    server.maxConnections = this.config.max_connections;
    server.on("drop", (data) => this.rejected(data === undefined ? "?" : `${data.remoteAddress ?? "?"}:${data.remotePort ?? "?"}`));
    return server;
  }

  private readPem(path: string | undefined, property: string): Buffer {
    try {
      return readFileSync(path as string);
    } catch (error) {
      throw new UserFacingError(`source \`${this.name}\` cannot read ${property} ${path}: ${(error as Error).message}`, 1);
    }
  }

  private listen(server: net.Server, bind: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new UserFacingError(`source \`${this.name}\` cannot listen on ${bind}:${port}: ${describeListenError(error)}`, 1));
      };
      server.once("error", onError);
      server.listen({ host: bind, port }, () => {
        server.off("error", onError);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  /** The UDP side of the port: a heartbeat (any datagram, normally one 0x00 byte) is answered with 0x00. */
  private bindUdp(bind: string, port: number): Promise<dgram.Socket> {
    const socket = dgram.createSocket(net.isIPv6(bind) ? "udp6" : "udp4");
    const answer = Buffer.from([0]);
    return new Promise((resolve, reject) => {
      socket.once("error", (error) => {
        socket.close();
        reject(error);
      });
      socket.bind({ address: bind, port, exclusive: true }, () => {
        socket.removeAllListeners("error");
        socket.on("error", (error) => this.log?.warn("heartbeat socket error", { error: error.message }));
        socket.on("message", (_message, remote) => {
          this.counter.HeartbeatCount++;
          socket.send(answer, remote.port, remote.address);
        });
        resolve(socket);
      });
    });
  }

  private stopAccepting(): Promise<void> {
    this.stopping = true;
    this.server?.close();
    this.udp?.close();
    this.udp = undefined;
    const settled = new Promise<void>((resolve) => {
      this.settled = resolve;
    });
    // Read nothing more; what was already read is still handled, then each connection closes.
    for (const connection of this.connections) {
      connection.socket.pause();
      this.pump(connection);
    }
    this.counter.StopTime = Date.now();
    if (this.connections.size === 0) this.settled?.();
    return settled;
  }

  private rejected(peer: string): void {
    this.counter.ConnectionRejectedCount++;
    this.rejectedSinceLog++;
    const now = Date.now();
    if (now - this.lastRejectLog < REJECT_LOG_INTERVAL_MS) return;
    this.log?.warn("connection refused: max_connections are open", { peer, max_connections: this.config.max_connections, refused: this.rejectedSinceLog });
    this.lastRejectLog = now;
    this.rejectedSinceLog = 0;
  }

  private accept(socket: net.Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, this.config.max_message_size, this.config.tag_header);
    this.connections.add(connection);
    this.counter.OpenConnectionCount++;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      connection.framer.push(chunk);
      this.pump(connection);
    });
    socket.on("end", () => {
      connection.ended = true;
      // A sender that wants an ack keeps its connection open: one that ends it while its chunk waits for
      // room has given up on it (and resends it elsewhere or later), so the chunk is not kept.
      if (connection.pending !== undefined && connection.chunk !== undefined) this.abandon(connection);
      else this.pump(connection);
    });
    socket.on("error", (error) => this.log?.debug("connection error", { peer: connection.peer, error: error.message }));
    socket.on("close", () => this.onClosed(connection));
    const sharedKey = this.config.shared_key;
    if (sharedKey) {
      connection.state = HANDSHAKE;
      connection.nonce = newSalt();
      connection.authSalt = this.users === undefined ? Buffer.alloc(0) : newSalt();
      writeHelo(this.writer, { nonce: connection.nonce, auth: connection.authSalt, keepalive: true });
      socket.write(this.writer.take());
      connection.handshakeTimer = setTimeout(() => {
        if (connection.state !== HANDSHAKE || connection.closed) return;
        this.counter.AuthFailureCount++;
        this.log?.warn("handshake failed; connection closed", { peer: connection.peer, reason: `no PING within ${HANDSHAKE_TIMEOUT_MS} ms` });
        socket.destroy();
      }, HANDSHAKE_TIMEOUT_MS);
      connection.handshakeTimer.unref();
    }
    this.log?.debug("connection opened", { peer: connection.peer });
  }

  /** Handles the messages already received, one at a time, until one has to wait or none is left. */
  private pump(connection: Connection): void {
    while (!connection.busy && !connection.closed) {
      let message: Buffer | undefined;
      try {
        message = connection.framer.next();
      } catch (error) {
        this.refuse(connection, error);
        return;
      }
      if (message === undefined) break;
      if (connection.state === HANDSHAKE) this.handshake(connection, message);
      else this.receive(connection, message);
    }
    if (connection.closed || !connection.idle) return;
    if (connection.ended || this.stopping) this.finish(connection);
    else if (connection.socket.isPaused()) connection.socket.resume();
  }

  private handshake(connection: Connection, message: Buffer): void {
    let reason: string | undefined;
    let ping: Ping | undefined;
    try {
      ping = readPing(message);
      reason = checkPing(ping, connection.nonce as Buffer, this.config.shared_key as string, connection.authSalt as Buffer, this.users);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      reason = error.message;
    }
    clearTimeout(connection.handshakeTimer);
    const ok = reason === undefined && ping !== undefined;
    writePong(this.writer, {
      ok,
      reason: reason ?? "",
      hostname: this.selfHostname,
      digest: ok && ping !== undefined ? sha512Hex(ping.salt, this.selfHostname, connection.nonce as Buffer, this.config.shared_key as string) : "",
    });
    const pong = this.writer.take();
    if (ok) {
      connection.state = TRANSPORT;
      connection.socket.write(pong);
      this.log?.debug("handshake passed", { peer: connection.peer, client: ping?.hostname, user: ping?.username || undefined });
      return;
    }
    this.counter.AuthFailureCount++;
    this.log?.warn("handshake failed; connection closed", { peer: connection.peer, client: ping?.hostname, user: ping?.username || undefined, reason });
    connection.socket.write(pong);
    this.hangUp(connection);
  }

  private receive(connection: Connection, message: Buffer): void {
    const events: FlowEvent[] = [];
    const info = connection.message;
    try {
      readTransportMessage(message, connection.decoder, info, events);
    } catch (error) {
      this.refuse(connection, error);
      return;
    }
    if (info.mode === MODE_HEARTBEAT) return;
    if (info.mode !== MODE_COMPRESSED_PACKED_FORWARD) {
      this.accepted(connection, events, info.chunk, info.mode === MODE_MESSAGE);
      return;
    }
    if (!this.config.allow_gzip) {
      this.refuse(connection, new ProtocolError("CompressedPackedForward (gzip) is not allowed here (allow_gzip = false)"));
      return;
    }
    // Decompressed off the main thread; the connection reads nothing meanwhile, so order is kept.
    const chunk = info.chunk;
    const tag = info.tag;
    connection.busy = true;
    connection.socket.pause();
    gunzip(info.compressed as Buffer, { maxOutputLength: this.config.max_message_size }, (error, entries) => {
      connection.busy = false;
      if (connection.closed && chunk !== undefined) {
        this.counter.ChunkAbandonedCount++;
        this.remove(connection);
        return;
      }
      if (error !== null) {
        const tooLarge = (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
        this.refuse(connection, new ProtocolError(tooLarge ? `decompressed entries larger than max_message_size (${this.config.max_message_size} bytes)` : `gzip: ${error.message}`));
        return;
      }
      try {
        connection.decoder.beginMessage();
        connection.decoder.decodeStream(entries, 0, entries.length, tag, events);
      } catch (decodeError) {
        this.refuse(connection, decodeError);
        return;
      }
      this.accepted(connection, events, chunk, false);
      this.settle(connection);
    });
  }

  /** A whole message was decoded: its events go to the channels. */
  private accepted(connection: Connection, events: FlowEvent[], chunk: string | undefined, single: boolean): void {
    const counter = this.counter;
    counter.EventReceivedCount += events.length;
    if (single) counter.AppendReceivedCount++;
    else counter.AppendBatchReceivedCount++;
    connection.pending = events;
    connection.offset = 0;
    connection.chunk = chunk;
    connection.single = single;
    this.deliver(connection);
  }

  /** Puts the pending events in batches; on a full channel pauses the connection and retries when there is room. */
  private deliver(connection: Connection): void {
    const events = connection.pending as FlowEvent[];
    const batchSize = this.config.batch_size;
    const counter = this.counter;
    while (connection.offset < events.length) {
      const offset = connection.offset;
      const batch = offset === 0 && events.length <= batchSize ? events : events.slice(offset, offset + batchSize);
      try {
        this.processor.process(batch);
      } catch (error) {
        if (!(error instanceof ChannelFullError)) throw error;
        counter.ChannelWriteFail++;
        if ((connection.ended || connection.closed) && connection.chunk !== undefined) {
          this.abandon(connection);
          return;
        }
        connection.busy = true;
        connection.socket.pause();
        void this.processor.whenWritable().then(() => this.retry(connection));
        return;
      }
      counter.EventAcceptedCount += batch.length;
      connection.offset = offset + batch.length;
    }
    connection.pending = undefined;
    connection.busy = false;
    if (connection.single) counter.AppendAcceptedCount++;
    else counter.AppendBatchAcceptedCount++;
    const chunk = connection.chunk;
    connection.chunk = undefined;
    if (chunk !== undefined) this.acknowledge(connection, chunk);
  }

  private retry(connection: Connection): void {
    if (connection.pending === undefined) return;
    if (connection.closed && connection.chunk !== undefined) {
      this.abandon(connection);
      return;
    }
    this.deliver(connection);
    this.settle(connection);
  }

  /** After waiting for something: go on with the next message, or forget a closed connection once idle. */
  private settle(connection: Connection): void {
    if (!connection.closed) this.pump(connection);
    else if (connection.idle) this.remove(connection);
  }

  /** Sends `{"ack": chunk}` once the channels say the chunk's events are durable (at once for memory channels). */
  private acknowledge(connection: Connection, chunk: string): void {
    connection.acksInFlight++;
    this.processor.whenDurable().then(
      () => {
        connection.acksInFlight--;
        this.sendAck(connection, chunk);
        if (connection.hangUpAfterAcks && connection.acksInFlight === 0) this.endSocket(connection);
        this.settle(connection);
      },
      (error: unknown) => {
        connection.acksInFlight--;
        // Committed but maybe not durable: no ack, so the sender resends (at least once).
        this.log?.warn("channel could not make a chunk durable; not acknowledged, connection closed", { peer: connection.peer, error: String(error) });
        connection.closed = true;
        connection.socket.destroy();
        this.settle(connection);
      },
    );
  }

  private sendAck(connection: Connection, chunk: string): void {
    // Also after a hang-up: the chunk was committed, and without its ack the sender would send it again.
    if (connection.socket.destroyed || connection.socket.writableEnded) return;
    writeAck(this.writer, chunk);
    connection.socket.write(this.writer.take());
    this.counter.AckSentCount++;
  }

  /** Closes a connection that broke the protocol; what it sent in the bad message is not accepted. */
  private refuse(connection: Connection, error: unknown): void {
    if (!(error instanceof ProtocolError)) throw error;
    this.counter.ProtocolErrorCount++;
    this.counter.EventReadFail++;
    const info = connection.message;
    this.log?.warn("malformed message; connection closed", {
      peer: connection.peer,
      error: error.message,
      mode: info.tag === "" ? undefined : MODE_NAMES[info.mode],
      tag: info.tag || undefined,
    });
    this.hangUp(connection);
  }

  /**
   * Closes a connection we refuse: reads no more, sends what is queued (acks of earlier chunks, a PONG)
   * followed by our FIN, and cuts the connection if the peer has not closed it within LINGER_MS. Destroying
   * it at once could reset it before the peer read those, and a lost ack means a chunk sent twice.
   */
  private hangUp(connection: Connection): void {
    connection.closed = true;
    connection.socket.pause();
    // Acks of chunks committed before the refused message go out first.
    if (connection.acksInFlight > 0) connection.hangUpAfterAcks = true;
    else this.endSocket(connection);
  }

  private endSocket(connection: Connection): void {
    const socket = connection.socket;
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }

  private abandon(connection: Connection): void {
    this.counter.ChunkAbandonedCount++;
    this.log?.debug("sender disconnected before its chunk was committed; dropped, it will be resent", {
      peer: connection.peer,
      events: (connection.pending?.length ?? 0) - connection.offset,
    });
    connection.pending = undefined;
    connection.chunk = undefined;
    connection.busy = false;
    connection.closed = true;
    connection.socket.destroy();
    this.remove(connection);
  }

  /** Everything received was handled: close our side and forget the connection. */
  private finish(connection: Connection): void {
    if (connection.framer.bufferedBytes > 0) {
      this.log?.debug("closing a connection with an unfinished message; it is discarded", { peer: connection.peer, bytes: connection.framer.bufferedBytes });
    }
    connection.closed = true;
    if (connection.socket.destroyed) this.remove(connection);
    else connection.socket.end(() => connection.socket.destroy());
  }

  private onClosed(connection: Connection): void {
    connection.closed = true;
    clearTimeout(connection.handshakeTimer);
    this.log?.debug("connection closed", { peer: connection.peer });
    if (connection.pending !== undefined) {
      // Waiting for room: a chunk is dropped (its sender resends it); events sent without one are still delivered.
      if (connection.chunk !== undefined) this.abandon(connection);
      return;
    }
    if (connection.busy) return; // decompressing: its callback sees the connection closed
    this.remove(connection);
  }

  private remove(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.counter.OpenConnectionCount--;
    if (this.stopping && this.connections.size === 0) this.settled?.();
  }
}
