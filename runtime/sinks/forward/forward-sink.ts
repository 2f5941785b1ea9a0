import { AgentExit } from "../../agent/exit-codes";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type * as tls from "node:tls";
import { promisify } from "node:util";
import { constants as zlibConstants, gzip } from "node:zlib";
import type { Sink } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { EntryEncoder, MsgpackWriter } from "../../forward-protocol";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { AckTimeoutError, type ConnectOptions, ForwardConnectError, ForwardConnection } from "./forward-connection";
import type { forwardSinkSpec } from "./spec";

export type ForwardSinkConfig = ConfigOf<typeof forwardSinkSpec>;

export class ForwardSinkCounter extends SinkCounter {
  /** Forward messages (chunks) written to the receiver, retries included. */
  ChunkSentCount = 0;
  AckReceivedCount = 0;
  /** Batches retried because their acknowledgements did not come within `ack_timeout`. */
  AckTimeoutCount = 0;
  /** Handshakes the receiver refused (wrong shared key, user or password). */
  AuthFailureCount = 0;
  /** Bytes written to connections (compressed when `compression = gzip`). */
  BytesSentCount = 0;
}

const gzipAsync = promisify(gzip);
const GZIP_OPTIONS = { level: zlibConstants.Z_BEST_SPEED };
/** First wait before reconnecting after a failure; doubles up to `reconnect_backoff_max`. */
const FIRST_RECONNECT_DELAY_MS = 250;
/**
 * Entries per chunk, in bytes before compression: a batch is sent as several chunks so the receiver works on
 * one while the next is encoded and sent, instead of waiting for the whole batch.
 */
const CHUNK_BYTES = 64 * 1024;
/** How long `stop()` lets the receiver close the connection before it is cut. */
const CLOSE_GRACE_MS = 1_000;

/**
 * The Fluent Forward protocol v1 client side. Each batch becomes one PackedForward chunk per run of
 * events sharing a tag (CompressedPackedForward with gzip), each with a `chunk` id; `write` resolves once
 * the receiver acknowledged every chunk, so the sink runner commits the batch only then. Any failure (no
 * connection, a handshake refused, the connection lost, no ack within `ack_timeout`) drops the connection
 * and rejects, so the runner rolls the batch back and retries it, or a sink group fails over: delivery is
 * at least once (a batch whose acknowledgement was lost is sent again).
 *
 * Several receivers are several `forward` sinks in a `failover` or `load_balance` group: one connection
 * per sink, as Flume's avro sinks.
 */
export class ForwardSink implements Sink {
  readonly counter = new ForwardSinkCounter();
  readonly batchSize: number;
  private readonly encoder: EntryEncoder;
  private readonly writer = new MsgpackWriter();
  private readonly headWriter = new MsgpackWriter(256);
  private connection: ForwardConnection | undefined;
  private connectOptions: ConnectOptions | undefined;
  private log: Logger | undefined;
  private readonly address: string;
  /** Consecutive failed connections or deliveries; no new connection is tried before `retryAt`. */
  private failures = 0;
  private retryAt = 0;
  private lastFailure = "";
  private stopped = false;
  /** The last chunk id sent: random first half, counting second half (see `nextChunkId`). */
  private readonly chunkId = randomBytes(16);

  constructor(
    readonly name: string,
    private readonly config: ForwardSinkConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.batchSize = config.batch_size;
    this.encoder = new EntryEncoder(config.tag_header, config.tag);
    this.address = `${config.host}:${config.port}`;
    if (!config.tls && (config.tls_ca !== undefined || config.tls_cert !== undefined || config.tls_key !== undefined || config.tls_servername !== undefined)) {
      throw new UserFacingError(`sink \`${name}\`: \`tls_ca\`, \`tls_cert\`, \`tls_key\` and \`tls_servername\` need \`tls = true\``, AgentExit.config);
    }
    if ((config.tls_cert === undefined) !== (config.tls_key === undefined)) {
      throw new UserFacingError(`sink \`${name}\`: \`tls_cert\` and \`tls_key\` go together`, AgentExit.config);
    }
    if (config.password !== undefined && config.username === undefined) {
      throw new UserFacingError(`sink \`${name}\`: \`password\` needs \`username\``, AgentExit.config);
    }
  }

  async start(log: Logger): Promise<void> {
    this.log = log;
    const config = this.config;
    let tlsOptions: tls.ConnectionOptions | undefined;
    if (config.tls) {
      tlsOptions = { rejectUnauthorized: config.tls_verify, servername: config.tls_servername ?? (isIp(config.host) ? undefined : config.host) };
      if (config.tls_ca !== undefined) tlsOptions.ca = this.readPem(config.tls_ca, "tls_ca");
      if (config.tls_cert !== undefined) tlsOptions.cert = this.readPem(config.tls_cert, "tls_cert");
      if (config.tls_key !== undefined) tlsOptions.key = this.readPem(config.tls_key, "tls_key");
      if (!config.tls_verify) log.warn("tls_verify = false: the receiver's certificate is not checked (anyone in the path can read and change the events)", { host: config.host, port: config.port });
    }
    this.connectOptions = {
      host: config.host,
      port: config.port,
      timeoutMs: config.connect_timeout,
      tls: tlsOptions,
      keepalive: config.keepalive,
      sharedKey: config.shared_key === undefined || config.shared_key === "" ? undefined : config.shared_key,
      selfHostname: config.self_hostname ?? hostname(),
      username: config.username ?? "",
      password: config.password ?? "",
    };
    this.stopped = false;
    this.counter.StartTime = Date.now();
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    if (events.length === 0) return;
    const connection = await this.connect();
    const counter = this.counter;
    const chunks: string[] = [];
    try {
      await this.send(connection, events, chunks);
      counter.ChunkSentCount += chunks.length;
      if (this.config.require_ack) {
        const before = connection.acks;
        try {
          await connection.whenAcknowledged(this.config.ack_timeout);
        } finally {
          counter.AckReceivedCount += connection.acks - before;
        }
      }
    } catch (error) {
      if (error instanceof AckTimeoutError) counter.AckTimeoutCount++;
      this.dropConnection(connection);
      this.failed(error);
      throw error;
    }
    this.failures = 0;
    if (!this.config.keepalive || !connection.serverKeepalive) await this.closeConnection();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeConnection();
    if (this.counter.StartTime !== 0) this.counter.StopTime = Date.now();
  }

  /**
   * Sends the batch as Forward messages `[tag, entries, option]`, one per run of events with the same tag,
   * cut into chunks of about CHUNK_BYTES of entries. Each chunk is written as soon as it is encoded, so the
   * receiver decodes one while the next is encoded; with gzip all chunks are compressed at once (on the
   * thread pool) and written in order. Resolves once everything was written to the connection; the ids
   * whose acknowledgements to wait for are appended to `chunks`.
   */
  private async send(connection: ForwardConnection, events: readonly FlowEvent[], chunks: string[]): Promise<void> {
    const encoder = this.encoder;
    const nowMs = this.now();
    const gzipped = this.config.compression === "gzip";
    const writes: Promise<void>[] = [];
    const compressing: { tag: string; count: number; entries: Promise<Buffer> }[] = [];
    let from = 0;
    while (from < events.length) {
      const tag = encoder.tagOf(events[from] as FlowEvent);
      let end = from + 1;
      while (end < events.length && encoder.tagOf(events[end] as FlowEvent) === tag) end++;
      while (from < end) {
        const to = encoder.encode(events, from, end, nowMs, this.writer, CHUNK_BYTES);
        const entries = this.writer.take();
        if (gzipped) compressing.push({ tag, count: to - from, entries: gzipAsync(entries, GZIP_OPTIONS) });
        else writes.push(this.sendChunk(connection, tag, to - from, entries, chunks));
        from = to;
      }
    }
    for (const chunk of compressing) writes.push(this.sendChunk(connection, chunk.tag, chunk.count, await chunk.entries, chunks));
    await Promise.all(writes);
  }

  /** Writes one message: its head (array header, tag, bin header), the entries and the option map, in one writev. */
  private sendChunk(connection: ForwardConnection, tag: string, count: number, entries: Buffer, chunks: string[]): Promise<void> {
    const gzipped = this.config.compression === "gzip";
    const requireAck = this.config.require_ack;
    const head = this.headWriter;
    head.arrayHeader(3);
    head.str(tag);
    head.binHeader(entries.length);
    const option = head.pos;
    head.mapHeader((requireAck ? 2 : 1) + (gzipped ? 1 : 0));
    head.str("size");
    head.uint(count);
    let chunk: string | undefined;
    if (requireAck) {
      chunk = this.nextChunkId();
      head.str("chunk");
      head.str(chunk);
      chunks.push(chunk);
    }
    if (gzipped) {
      head.str("compressed");
      head.str("gzip");
    }
    const all = head.take();
    this.counter.BytesSentCount += all.length + entries.length;
    return connection.send([all.subarray(0, option), entries, all.subarray(option)], chunk);
  }

  /**
   * A 128-bit chunk id in base64, as the protocol asks: 64 random bits drawn when the sink is made, then a
   * 64-bit count of the chunks it sent (unique without drawing random bytes per chunk).
   */
  private nextChunkId(): string {
    const id = this.chunkId;
    id.writeBigUInt64BE(id.readBigUInt64BE(8) + 1n, 8);
    return id.toString("base64");
  }

  /** The open connection, or a new one; rejects at once while waiting to reconnect after failures. */
  private async connect(): Promise<ForwardConnection> {
    const current = this.connection;
    if (current !== undefined && !current.closed) return current;
    if (current !== undefined) this.dropConnection(current);
    const options = this.connectOptions;
    if (options === undefined) throw new Error(`sink \`${this.name}\` is not started`);
    const wait = this.retryAt - this.now();
    if (this.failures > 0 && wait > 0) {
      throw new ForwardConnectError(`not reconnecting to ${this.address} for another ${wait} ms after ${this.failures} failure(s); last: ${this.lastFailure}`);
    }
    let connection: ForwardConnection;
    try {
      connection = await ForwardConnection.open(options);
    } catch (error) {
      this.counter.ConnectionFailedCount++;
      if (error instanceof ForwardConnectError && error.authFailure) this.counter.AuthFailureCount++;
      this.failed(error);
      throw error;
    }
    this.counter.ConnectionCreatedCount++;
    this.connection = connection;
    connection.socket.once("close", () => {
      if (this.connection === connection) this.connection = undefined;
      this.counter.ConnectionClosedCount++;
    });
    this.log?.info("connected", { to: this.config.to, address: this.address, tls: this.config.tls || undefined, after_failures: this.failures || undefined });
    return connection;
  }

  private failed(error: unknown): void {
    this.failures++;
    this.lastFailure = error instanceof Error ? error.message : String(error);
    const delay = Math.min(this.config.reconnect_backoff_max, FIRST_RECONNECT_DELAY_MS * 2 ** Math.min(this.failures - 1, 20));
    this.retryAt = this.now() + delay;
  }

  private dropConnection(connection: ForwardConnection): void {
    if (this.connection === connection) this.connection = undefined;
    connection.destroy();
  }

  private async closeConnection(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined) await connection.close(CLOSE_GRACE_MS);
  }

  private readPem(path: string, property: string): Buffer {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new UserFacingError(`sink \`${this.name}\` cannot read ${property} ${path}: ${(error as Error).message}`, 1);
    }
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
