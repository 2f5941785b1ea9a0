import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Readable } from "node:stream";
import * as zlib from "node:zlib";
import type { ChannelProcessor, Source } from "../../core/component";
import { ChannelFullError, UserFacingError } from "../../core/errors";
import { describeListenError } from "../../core/listen-error";
import type { Logger } from "../../core/log";
import { optionalSetting } from "../../http/optional-setting";
import { describeTlsError, readPemFile } from "../../http/tls-files";
import { SourceCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { BearerToken } from "./bearer-token";
import { RequestRefusal, bodyFormat, decodeEvents, type BodyFormat } from "./request-body";
import type { httpSourceSpec } from "./spec";

export type HttpSourceConfig = ConfigOf<typeof httpSourceSpec>;

/** Flume's HTTP source counters (it counts requests as batches), plus flowc's refusals by cause. */
export class HttpSourceCounter extends SourceCounter {
  /** Requests whose body was read and decoded into events. */
  AppendBatchReceivedCount = 0;
  /** Requests whose events every required channel committed (answered 200). */
  AppendBatchAcceptedCount = 0;
  /** Requests answered 413: a body over `max_body_size` or more events than `batch_size`. */
  RequestTooLargeCount = 0;
  /** Requests answered 401: no or a wrong bearer token. */
  UnauthorizedCount = 0;
  /** Requests answered 404 (another path) or 405 (another method than POST). */
  RouteMismatchCount = 0;
  /** Connections closed over what the client sent before a request could be answered: not HTTP, a failed TLS handshake, headers too large, a request slower than `request_timeout`. */
  BadConnectionCount = 0;
}

/** Seconds a client is asked to wait (`Retry-After`) when a channel is full or the agent is stopping. */
const RETRY_AFTER_SECONDS = "1";
/** After stop() answered everything in flight, connections still open are closed after this long. */
const STOP_GRACE_MS = 2_000;

type Encoding = "identity" | "gzip" | "deflate";

/** One request whose body is being read. */
interface Exchange {
  /** Set once the request was answered (or abandoned): later chunks and stream events are ignored. */
  done: boolean;
  /** Ends reading now (the source is stopping): answers 503 if nothing was answered yet. */
  abandon(): void;
}

/**
 * Events over HTTP POST (Flume's HTTP source with its JSON handler, plus NDJSON and text). A request is
 * one put into the channels, all or nothing: answered 200 once they committed, 503 (with `Retry-After`)
 * when a required channel is full, so a refused request is the sender's to retry and nothing is ever
 * half-accepted. See docs/http.md.
 */
export class HttpSource implements Source {
  readonly counter = new HttpSourceCounter();
  private server: http.Server | undefined;
  private readonly exchanges = new Set<Exchange>();
  /** Connections already counted in BadConnectionCount. */
  private readonly failedConnections = new WeakSet<Socket>();
  private readonly bearer: BearerToken | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private log: Logger | undefined;
  private scheme = "http";

  constructor(
    readonly name: string,
    private readonly config: HttpSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    const token = optionalSetting(config.bearer_token);
    this.bearer = token === undefined ? undefined : new BearerToken(token);
  }

  start(log: Logger): Promise<string> {
    this.log = log.child({ source: this.name });
    let server: http.Server;
    try {
      server = this.createServer();
    } catch (error) {
      return Promise.reject(error);
    }
    this.server = server;
    const { bind, port, path } = this.config;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new UserFacingError(`source \`${this.name}\` cannot listen on ${bind}:${port}: ${describeListenError(error)}`, 1));
      };
      server.once("error", onError);
      server.listen({ host: bind, port }, () => {
        server.off("error", onError);
        server.on("error", (error) => this.log?.error("listener error", { error: error.message }));
        this.counter.StartTime = Date.now();
        const address = server.address() as AddressInfo;
        const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
        resolve(`${this.scheme}://${host}:${address.port}${path}`);
      });
    });
  }

  /**
   * Stops accepting connections, answers requests still being read 503 (their senders retry them
   * elsewhere or later), and resolves once every connection closed. Everything answered 200 is in the
   * channels already: a request is put before it is answered.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    const server = this.server;
    if (server === undefined || !server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const exchange of this.exchanges) exchange.abandon();
    const timer = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
    await closed;
    clearTimeout(timer);
    this.counter.StopTime = Date.now();
  }

  private createServer(): http.Server {
    const certPath = optionalSetting(this.config.tls_cert);
    const keyPath = optionalSetting(this.config.tls_key);
    const clientCaPath = optionalSetting(this.config.tls_client_ca);
    const requestTimeout = this.config.request_timeout;
    const who = `source \`${this.name}\``;
    if ((certPath === undefined) !== (keyPath === undefined)) {
      throw new UserFacingError(`${who} needs both tls_cert and tls_key for HTTPS (only ${certPath === undefined ? "tls_key" : "tls_cert"} is set)`, 1);
    }
    if (!this.config.path.startsWith("/")) {
      throw new UserFacingError(`${who} has path ${JSON.stringify(this.config.path)}: a path starts with /, e.g. "/${this.config.path}"`, 1);
    }
    if (clientCaPath !== undefined && certPath === undefined) {
      throw new UserFacingError(`${who} has tls_client_ca but no tls_cert and tls_key: mutual TLS needs HTTPS`, 1);
    }
    const options: http.ServerOptions = {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 60_000),
      // How often Node looks for requests past their timeout (its default, 30 s, would double a short one).
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(requestTimeout / 4))),
    };
    let server: http.Server;
    if (certPath !== undefined && keyPath !== undefined) {
      const tls: https.ServerOptions = { cert: readPemFile(who, "tls_cert", certPath), key: readPemFile(who, "tls_key", keyPath) };
      if (clientCaPath !== undefined) Object.assign(tls, { ca: readPemFile(who, "tls_client_ca", clientCaPath), requestCert: true, rejectUnauthorized: true });
      try {
        server = https.createServer({ ...options, ...tls });
      } catch (error) {
        throw new UserFacingError(`${who} cannot use tls_cert ${certPath} with tls_key ${keyPath}: ${describeTlsError(error)}`, 1);
      }
      this.scheme = "https";
      server.on("tlsClientError", (error: Error, socket: Socket) => this.onClientError(error, socket));
    } else {
      server = http.createServer(options);
    }
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => this.guarded(res, () => this.receive(req, res, false)));
    server.on("checkContinue", (req: http.IncomingMessage, res: http.ServerResponse) => this.guarded(res, () => this.receive(req, res, true)));
    server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => this.onClientError(error, socket));
    server.on("connection", (socket: Socket) => {
      this.counter.OpenConnectionCount++;
      socket.once("close", () => this.counter.OpenConnectionCount--);
    });
    return server;
  }

  /** Runs `handle`; a failure of the source itself is answered 500 and logged, never left to crash the agent. */
  private guarded(res: http.ServerResponse, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.counter.GenericProcessingFail++;
      this.log?.error("request failed", { error: String(error) });
      this.respond(res, 500, { error: "the request could not be processed; see the agent's log" });
    }
  }

  /** A request arrived (its headers): refuse it at once, or read its body and put its events. */
  private receive(req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean): void {
    const refused = (status: number, message: string, headers?: http.OutgoingHttpHeaders): void => {
      // A client that waits for `100 Continue` sends no body: close rather than wait for one.
      this.respond(res, status, { error: message }, expectsContinue ? { ...headers, Connection: "close" } : headers);
    };
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    if (path !== this.config.path) {
      this.counter.RouteMismatchCount++;
      refused(404, `nothing is served at ${truncate(path)}: post events to ${this.config.path}`);
      return;
    }
    if (req.method !== "POST") {
      this.counter.RouteMismatchCount++;
      refused(405, `${truncate(req.method ?? "")} is not accepted: post events with POST`, { Allow: "POST" });
      return;
    }
    if (this.bearer !== undefined) {
      const verdict = this.bearer.check(req.headers.authorization);
      if (verdict !== "ok") {
        this.counter.UnauthorizedCount++;
        const challenge = verdict === "missing" ? 'Bearer realm="flowc"' : 'Bearer realm="flowc", error="invalid_token"';
        refused(401, verdict === "missing" ? "a bearer token is required: send Authorization: Bearer <token>" : "the bearer token is not valid", { "WWW-Authenticate": challenge });
        return;
      }
    }
    if (this.stopping) {
      refused(503, "the agent is stopping: retry later", { "Retry-After": RETRY_AFTER_SECONDS, Connection: "close" });
      return;
    }
    let format: BodyFormat;
    let encoding: Encoding;
    try {
      format = bodyFormat(this.config.format, req.headers["content-type"]);
      encoding = contentEncoding(req.headers["content-encoding"]);
    } catch (error) {
      if (!(error instanceof RequestRefusal)) throw error;
      this.counter.EventReadFail++;
      refused(error.status, error.message);
      return;
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > this.config.max_body_size) {
      this.counter.RequestTooLargeCount++;
      // Without `Expect: 100-continue` the body is on its way: Node reads and discards it after the answer
      // (bounded by request_timeout), so the client is not reset before it reads the 413.
      refused(413, tooLargeMessage(this.config.max_body_size));
      return;
    }
    if (expectsContinue) res.writeContinue();
    this.readBody(req, res, format, encoding);
  }

  /** Collects the (decompressed) body up to `max_body_size`, then puts its events. */
  private readBody(req: http.IncomingMessage, res: http.ServerResponse, format: BodyFormat, encoding: Encoding): void {
    const limit = this.config.max_body_size;
    const chunks: Buffer[] = [];
    let length = 0;
    const inflater = encoding === "gzip" ? zlib.createGunzip() : encoding === "deflate" ? zlib.createInflate() : undefined;
    const body: Readable = inflater === undefined ? req : req.pipe(inflater);
    const exchange: Exchange = {
      done: false,
      abandon: () => {
        if (exchange.done) return;
        finish();
        this.respond(res, 503, { error: "the agent is stopping: retry later" }, { "Retry-After": RETRY_AFTER_SECONDS, Connection: "close" });
      },
    };
    /** Stops reading into memory; whatever the client still sends is read and discarded. */
    const finish = (): void => {
      exchange.done = true;
      this.exchanges.delete(exchange);
      if (inflater !== undefined) {
        req.unpipe(inflater);
        inflater.destroy();
      }
      req.resume();
    };
    this.exchanges.add(exchange);
    body.on("data", (chunk: Buffer) => {
      if (exchange.done) return;
      length += chunk.length;
      if (length > limit) {
        finish();
        this.counter.RequestTooLargeCount++;
        this.respond(res, 413, { error: tooLargeMessage(limit) });
        return;
      }
      chunks.push(chunk);
    });
    body.on("end", () => {
      if (exchange.done) return;
      finish();
      this.guarded(res, () => this.put(res, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length), format));
    });
    if (inflater !== undefined) {
      inflater.on("error", (error) => {
        if (exchange.done) return;
        finish();
        this.counter.EventReadFail++;
        this.respond(res, 400, { error: `the body is not valid ${encoding} data: ${error.message}` });
      });
    }
    // The client went away mid-body: nothing was accepted, nothing is answered.
    req.on("error", () => {
      if (exchange.done) return;
      finish();
    });
    req.on("close", () => {
      if (!exchange.done && !req.complete) finish();
    });
  }

  /** Decodes the body and puts its events into the channels in one batch; answers how that went. */
  private put(res: http.ServerResponse, body: Buffer, format: BodyFormat): void {
    const counter = this.counter;
    let events;
    try {
      events = decodeEvents(body, format, this.config.batch_size);
    } catch (error) {
      if (!(error instanceof RequestRefusal)) throw error;
      if (error.status === 413) counter.RequestTooLargeCount++;
      else counter.EventReadFail++;
      this.respond(res, error.status, { error: error.message });
      return;
    }
    counter.AppendBatchReceivedCount++;
    counter.EventReceivedCount += events.length;
    if (events.length > 0) {
      try {
        this.processor.process(events);
      } catch (error) {
        if (error instanceof ChannelFullError) {
          counter.ChannelWriteFail++;
          this.log?.debug("channel full, request refused with 503", { events: events.length });
          this.respond(res, 503, { error: `${error.message}; retry later` }, { "Retry-After": RETRY_AFTER_SECONDS });
          return;
        }
        counter.GenericProcessingFail++;
        this.log?.error("events could not be put into the channels", { events: events.length, error: String(error) });
        this.respond(res, 500, { error: "the events could not be put into the channels; see the agent's log" });
        return;
      }
    }
    counter.AppendBatchAcceptedCount++;
    counter.EventAcceptedCount += events.length;
    const accepted = { accepted: events.length };
    if (events.length === 0) {
      this.respond(res, 200, accepted);
      return;
    }
    this.processor.whenDurable().then(
      () => this.respond(res, 200, accepted),
      (error: unknown) => {
        // Committed but maybe not durable: not acknowledged, so the sender resends (at least once).
        counter.GenericProcessingFail++;
        this.log?.warn("the channels could not make a request's events durable; answered 500", { events: events.length, error: String(error) });
        this.respond(res, 500, { error: "the events could not be stored durably; retry" });
      },
    );
  }

  private respond(res: http.ServerResponse, status: number, payload: object, headers?: http.OutgoingHttpHeaders): void {
    if (res.headersSent || res.writableEnded) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }

  /**
   * Not HTTP, a failed TLS handshake, headers too large, too slow: answer if the socket still takes it,
   * count, close. An HTTPS server reports a failed handshake both as `tlsClientError` and as
   * `clientError`: each connection is counted once.
   */
  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    if (!this.failedConnections.has(socket)) {
      this.failedConnections.add(socket);
      this.counter.BadConnectionCount++;
      const tls = /SSL routines:[^:]*:([^:]+)/.exec(error.message)?.[1];
      if (tls !== undefined) this.log?.debug("TLS handshake failed, closing the connection", { error: tls });
      else this.log?.debug("bad request on a connection, closing it", { error: error.code ?? error.message });
    }
    if (error.code === "ECONNRESET" || !socket.writable || (error.code ?? "").startsWith("ERR_SSL")) {
      socket.destroy();
      return;
    }
    const [status, reason, message] =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", `the request took longer than ${this.config.request_timeout} ms (request_timeout)`]
        : error.code === "HPE_HEADER_OVERFLOW"
          ? [431, "Request Header Fields Too Large", "the request's headers are too large"]
          : [400, "Bad Request", "the request is not valid HTTP/1.1"];
    const text = JSON.stringify({ error: message });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    socket.destroySoon();
  }
}

function contentEncoding(header: string | undefined): Encoding {
  const value = (header ?? "").trim().toLowerCase();
  if (value === "" || value === "identity") return "identity";
  if (value === "gzip" || value === "x-gzip") return "gzip";
  if (value === "deflate") return "deflate";
  throw new RequestRefusal(415, `Content-Encoding ${truncate(value)} is not accepted: send gzip, deflate or an uncompressed body`);
}

function tooLargeMessage(limit: number): string {
  return `the body is larger than ${limit} bytes (the source's max_body_size)`;
}

/** Client-chosen text echoed in an error, cut so a hostile request cannot make the answer large. */
function truncate(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 200)}…`;
}
