import * as http from "node:http";
import * as https from "node:https";
import type { Socket } from "node:net";
import { createSecureContext } from "node:tls";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Sink } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { optionalSetting } from "../../http/optional-setting";
import { describeTlsError, readPemFile } from "../../http/tls-files";
import { SinkCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { CONTENT_TYPES, encodeBatch } from "./request-body";
import { retryAfterMs } from "./retry-after";
import type { httpSinkSpec } from "./spec";

export type HttpSinkConfig = ConfigOf<typeof httpSinkSpec>;

/** Flume's sink counters plus what `on_4xx = drop` discarded. */
export class HttpSinkCounter extends SinkCounter {
  /** Batches a 4xx answer refused and `on_4xx = drop` discarded. */
  BatchDropCount = 0;
  /** Events in those batches (the sink runner counts them as drained too: they left the channel). */
  EventDropCount = 0;
}

const gzipAsync = promisify(gzip);
/** Headers the sink sets itself; `headers` may not set them. */
const MANAGED_HEADERS = new Set(["content-length", "content-encoding", "transfer-encoding", "host", "connection"]);
/** The first wait after a failure; it doubles with each failure in a row, up to `max_backoff`. */
const FIRST_BACKOFF_MS = 100;
/** How much of an answer's body is kept for the error message; the rest is read and discarded. */
const ANSWER_KEPT_BYTES = 4_096;

/** What the server answered. */
interface Answer {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/**
 * Sends each batch as one request and resolves `write()` only on a 2xx answer, so the sink runner
 * commits the take only for batches the server accepted. Connection errors, timeouts, 408, 429 and 5xx
 * reject it (the runner rolls the batch back and it is sent again, after a backoff that honours
 * `Retry-After`); other 4xx reject it too, or drop the batch with `on_4xx = drop`. A batch whose answer
 * was lost after the server stored it is sent again: delivery is at least once. See docs/http.md.
 */
export class HttpSink implements Sink {
  readonly counter = new HttpSinkCounter();
  readonly batchSize: number;
  private log: Logger | undefined;
  private target: URL | undefined;
  /** The URL without credentials or query, for messages. */
  private shownUrl = "";
  private agent: http.Agent | undefined;
  private requestHeaders: http.OutgoingHttpHeaders = {};
  private stopped = false;
  private inFlight: http.ClientRequest | undefined;
  private readonly sockets = new Set<Socket>();
  /** Failed deliveries in a row, and when the next attempt may start (epoch ms). */
  private failures = 0;
  private notBefore = 0;
  /** Ends a backoff wait early (stop()). */
  private wake: (() => void) | undefined;

  constructor(
    readonly name: string,
    private readonly config: HttpSinkConfig,
  ) {
    this.batchSize = config.batch_size;
  }

  async start(log: Logger): Promise<void> {
    this.log = log.child({ sink: this.name });
    const who = `sink \`${this.name}\``;
    const target = parseUrl(who, this.config.url);
    this.target = target;
    this.shownUrl = `${target.origin}${target.pathname}`;
    this.requestHeaders = requestHeaders(who, this.config);
    const caPath = optionalSetting(this.config.tls_ca);
    const certPath = optionalSetting(this.config.tls_cert);
    const keyPath = optionalSetting(this.config.tls_key);
    const verify = this.config.tls_verify;
    if ((certPath === undefined) !== (keyPath === undefined)) {
      throw new UserFacingError(`${who} needs both tls_cert and tls_key for a client certificate (only ${certPath === undefined ? "tls_key" : "tls_cert"} is set)`, 1);
    }
    if (target.protocol === "https:") {
      const tls: https.AgentOptions = { rejectUnauthorized: verify };
      if (caPath !== undefined) tls.ca = readPemFile(who, "tls_ca", caPath);
      if (certPath !== undefined && keyPath !== undefined) {
        tls.cert = readPemFile(who, "tls_cert", certPath);
        tls.key = readPemFile(who, "tls_key", keyPath);
      }
      try {
        createSecureContext(tls);
      } catch (error) {
        throw new UserFacingError(`${who} cannot use its TLS files: ${describeTlsError(error)}`, 1);
      }
      this.agent = new https.Agent({ ...tls, keepAlive: true, maxSockets: 1 });
      if (!verify) this.log.warn("tls_verify is false: the server's certificate is not checked", { url: this.shownUrl });
    } else {
      const set = [caPath === undefined ? [] : ["tls_ca"], certPath === undefined ? [] : ["tls_cert", "tls_key"]].flat();
      if (set.length > 0) throw new UserFacingError(`${who} has ${set.join(", ")} but its url is not https://: ${this.shownUrl}`, 1);
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    }
    this.counter.StartTime = Date.now();
  }

  async write(events: readonly FlowEvent[]): Promise<void> {
    if (this.agent === undefined || this.stopped) throw new Error(`sink \`${this.name}\` is not running`);
    await this.backoff();
    let body = encodeBatch(events, this.config.format);
    if (this.config.compression === "gzip") body = await gzipAsync(body);
    if (this.stopped) throw new Error(`sink \`${this.name}\` is stopping`);
    let answer: Answer;
    try {
      answer = await this.send(body);
    } catch (error) {
      this.failed(undefined);
      throw error;
    }
    const { status } = answer;
    if (status >= 200 && status < 300) {
      this.failures = 0;
      this.notBefore = 0;
      return;
    }
    const what = `${this.config.method} ${this.shownUrl} answered ${status}${answer.statusMessage === "" ? "" : ` ${answer.statusMessage}`}${answer.text === "" ? "" : `: ${answer.text}`}`;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429 && this.config.on_4xx === "drop") {
      this.failures = 0;
      this.notBefore = 0;
      this.counter.BatchDropCount++;
      this.counter.EventDropCount += events.length;
      this.log?.warn("batch refused by the server and dropped (on_4xx = drop)", { status, events: events.length, answer: answer.text });
      return;
    }
    this.failed(status === 429 || status === 503 ? retryAfterMs(answer.headers["retry-after"], Date.now()) : undefined);
    const hint = status >= 300 && status < 400 ? ` (redirects are not followed: set url to ${truncate(String(answer.headers.location ?? "the new location"))})` : "";
    throw new Error(`sink \`${this.name}\`: ${what}${hint}`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    this.inFlight?.destroy(new Error(`sink \`${this.name}\` is stopping`));
    const agent = this.agent;
    if (agent === undefined) return;
    const closing = [...this.sockets].map((socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())));
    agent.destroy();
    // A socket whose request failed may have left the agent's pools without being closed.
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closing);
    this.counter.StopTime = Date.now();
  }

  /** Waits until the backoff after the last failure has passed (ends early when stopping). */
  private async backoff(): Promise<void> {
    const delay = this.notBefore - Date.now();
    if (delay <= 0) return;
    this.log?.debug("waiting before retrying", { wait_ms: delay });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, delay);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
    if (this.stopped) throw new Error(`sink \`${this.name}\` is stopping`);
  }

  /** Sets when the next attempt may start: after `Retry-After` when the server gave one, else exponentially later. */
  private failed(retryAfter: number | undefined): void {
    const max = this.config.max_backoff;
    const delay = retryAfter !== undefined ? Math.min(retryAfter, max) : Math.min(max, FIRST_BACKOFF_MS * 2 ** Math.min(this.failures, 30));
    this.failures++;
    this.notBefore = Date.now() + delay;
  }

  /** One request with `body`; resolves with the answer, rejects when there is none (connection, timeout). */
  private send(body: Buffer): Promise<Answer> {
    const target = this.target as URL;
    const { method, timeout, connect_timeout: connectTimeout } = this.config;
    const headers: http.OutgoingHttpHeaders = { ...this.requestHeaders, "Content-Length": body.length };
    const secure = target.protocol === "https:";
    const request = secure ? https.request : http.request;
    const shown = `${method} ${this.shownUrl}`;
    return new Promise<Answer>((resolve, reject) => {
      const req = request(target, { method, headers, agent: this.agent });
      this.inFlight = req;
      let connected = false;
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeout} ms (timeout)`)), timeout);
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(connectTimer);
        if (this.inFlight === req) this.inFlight = undefined;
        outcome();
      };
      req.on("socket", (socket: Socket) => {
        if (this.sockets.has(socket)) {
          connected = true;
          return;
        }
        this.sockets.add(socket);
        connectTimer = setTimeout(() => req.destroy(new Error(`no connection within ${connectTimeout} ms (connect_timeout)`)), connectTimeout);
        socket.once(secure ? "secureConnect" : "connect", () => {
          clearTimeout(connectTimer);
          connected = true;
          this.counter.ConnectionCreatedCount++;
          socket.once("close", () => this.counter.ConnectionClosedCount++);
        });
        socket.once("close", () => this.sockets.delete(socket));
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        // Never reuse a connection a request failed on (after a parse error Node may leave it open).
        req.socket?.destroy();
        settle(() => {
          if (!connected) this.counter.ConnectionFailedCount++;
          reject(new Error(`sink \`${this.name}\`: ${shown} failed: ${error.message}${certificateHint(error)}`));
        });
      });
      req.on("response", (res: http.IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const kept: Buffer[] = [];
        let keptBytes = 0;
        res.on("data", (chunk: Buffer) => {
          if (keptBytes >= ANSWER_KEPT_BYTES) return;
          kept.push(chunk);
          keptBytes += chunk.length;
        });
        const answer = (): Answer => ({ status, statusMessage: res.statusMessage ?? "", headers: res.headers, text: answerText(kept) });
        res.on("end", () => settle(() => resolve(answer())));
        const cut = (why: string): void => {
          settle(() => {
            // A 2xx status line is the server's word that it took the batch, even if the rest of the answer is cut.
            if (status >= 200 && status < 300) resolve(answer());
            else reject(new Error(`sink \`${this.name}\`: ${shown} answered ${status}, then ${why}`));
          });
        };
        res.on("error", (error) => cut(`the connection failed: ${error.message}`));
        res.on("close", () => cut("the connection closed before the end of the answer"));
      });
      req.end(body);
    });
  }
}

function parseUrl(who: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserFacingError(`${who} has an invalid url: ${JSON.stringify(truncate(text))}`, 1);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UserFacingError(`${who} has a url with scheme ${url.protocol.slice(0, -1)}; expected http:// or https://`, 1);
  }
  return url;
}

/** The headers of every request: Content-Type and Content-Encoding, then the configured ones (checked, never printed). */
function requestHeaders(who: string, config: HttpSinkConfig): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { "Content-Type": CONTENT_TYPES[config.format] };
  if (config.compression === "gzip") headers["Content-Encoding"] = "gzip";
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    const lower = name.toLowerCase();
    if (MANAGED_HEADERS.has(lower)) throw new UserFacingError(`${who} cannot set header ${name}: the sink sets it itself`, 1);
    try {
      http.validateHeaderName(name);
    } catch {
      throw new UserFacingError(`${who} has a header name that HTTP does not allow: ${JSON.stringify(truncate(name))}`, 1);
    }
    try {
      http.validateHeaderValue(name, value);
    } catch {
      // The value may be a credential: say what is wrong, not what it is.
      throw new UserFacingError(`${who} has a value for header ${name} that HTTP does not allow (control characters such as a newline)`, 1);
    }
    if (lower === "content-type") delete headers["Content-Type"];
    headers[name] = value;
  }
  return headers;
}

/** The start of an answer's body, on one line, for an error message. */
function answerText(chunks: readonly Buffer[]): string {
  const text = Buffer.concat(chunks).toString("utf8").replace(/\s+/g, " ").trim();
  return truncate(text);
}

function truncate(text: string): string {
  return text.length <= 300 ? text : `${text.slice(0, 300)}…`;
}

function certificateHint(error: NodeJS.ErrnoException): string {
  const code = error.code ?? "";
  if (code === "DEPTH_ZERO_SELF_SIGNED_CERT" || code === "SELF_SIGNED_CERT_IN_CHAIN" || code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || code === "UNABLE_TO_GET_ISSUER_CERT_LOCALLY") {
    return " (set tls_ca to the CA that signed the server's certificate)";
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return " (the certificate does not name this host: use the name it was issued for in url)";
  return "";
}
