import * as net from "node:net";
import * as tls from "node:tls";
import { checkPong, type Helo, MessageFramer, MsgpackWriter, pingFor, ProtocolError, readAck, readHelo, readPong, writePing } from "../../forward-protocol";

/** Largest message a receiver sends us (HELO, PONG, acks are small). */
const MAX_SERVER_MESSAGE = 64 * 1024;

/** What a connection needs to know to open and authenticate itself. */
export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** TLS options, or undefined for plain TCP. */
  readonly tls: tls.ConnectionOptions | undefined;
  readonly keepalive: boolean;
  readonly sharedKey: string | undefined;
  readonly selfHostname: string;
  readonly username: string;
  readonly password: string;
}

/** A connection failure with a message meant for the user (it ends up in the sink runner's log line). */
export class ForwardConnectError extends Error {
  constructor(
    message: string,
    /** The receiver refused our credentials (not a network problem). */
    readonly authFailure = false,
  ) {
    super(message);
    this.name = "ForwardConnectError";
  }
}

/** Why the certificate check failed, in words that say what to change. */
const CERT_ERRORS = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * One connection to a receiver: connects (TCP or TLS), runs the handshake when a shared key is set, then
 * sends chunks and reports their acknowledgements. Used for one batch at a time.
 */
export class ForwardConnection {
  readonly socket: net.Socket;
  private readonly framer = new MessageFramer(MAX_SERVER_MESSAGE);
  /** Chunk ids sent and not yet acknowledged. */
  private readonly unacked = new Set<string>();
  private waiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Handshake messages (HELO, PONG) wait here until read. */
  private handshakeWaiter: { resolve: (message: Buffer) => void; reject: (error: Error) => void } | undefined;
  private handshaking = false;
  private failure: Error | undefined;
  /** The receiver said (in HELO) that it does not keep connections open. */
  serverKeepalive = true;
  closed = false;
  /** Acknowledgements received (the sink adds them to its counter). */
  acks = 0;

  private constructor(
    socket: net.Socket,
    private readonly address: string,
  ) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => {
      this.closed = true;
      this.fail(new Error(`connection to ${address} closed by the receiver`));
    });
  }

  /** Opens and authenticates a connection, or rejects with a `ForwardConnectError` within `timeoutMs`. */
  static async open(options: ConnectOptions): Promise<ForwardConnection> {
    const address = `${options.host}:${options.port}`;
    const secure = options.tls !== undefined;
    const socket = secure ? tls.connect({ ...options.tls, host: options.host, port: options.port }) : net.connect({ host: options.host, port: options.port });
    const connection = new ForwardConnection(socket, address);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ForwardConnectError(`connecting to ${address} timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    try {
      await Promise.race([connection.connected(secure, address), timeout]);
      socket.setNoDelay(true);
      if (options.keepalive) socket.setKeepAlive(true, 30_000);
      if (options.sharedKey !== undefined) await Promise.race([connection.handshake(options), timeout]);
      return connection;
    } catch (error) {
      socket.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes a message's buffers in one go; `chunk` is the id whose ack `whenAcknowledged` waits for. */
  send(buffers: readonly Buffer[], chunk: string | undefined): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (chunk !== undefined) this.unacked.add(chunk);
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      socket.cork();
      for (let i = 0; i < buffers.length - 1; i++) socket.write(buffers[i] as Buffer);
      socket.write(buffers[buffers.length - 1] as Buffer, (error) => (error ? reject(error) : resolve()));
      socket.uncork();
    });
  }

  /** Resolves once every chunk sent was acknowledged; rejects on a broken connection or after `timeoutMs`. */
  whenAcknowledged(timeoutMs: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.unacked.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new AckTimeoutError(`no acknowledgement from ${this.address} within ${timeoutMs} ms for ${this.unacked.size} chunk(s)`));
      }, timeoutMs);
      this.waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Closes our side and resolves once the connection is gone (destroying it after `graceMs`). */
  close(graceMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), graceMs);
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private connected(secure: boolean, address: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => reject(describeConnectError(error, address, secure));
      this.socket.once("error", onError);
      this.socket.once(secure ? "secureConnect" : "connect", () => {
        this.socket.off("error", onError);
        resolve();
      });
    });
  }

  private async handshake(options: ConnectOptions): Promise<void> {
    this.handshaking = true;
    let helo: Helo;
    try {
      helo = readHelo(await this.nextHandshakeMessage());
    } catch (error) {
      throw new ForwardConnectError(`handshake with ${this.address} failed: ${(error as Error).message} (a shared_key is set here: does the receiver have one?)`);
    }
    this.serverKeepalive = helo.keepalive;
    const ping = pingFor(helo, options.selfHostname, options.sharedKey as string, options.username, options.password);
    const writer = new MsgpackWriter(512);
    writePing(writer, ping);
    this.socket.write(writer.take());
    let problem: string | undefined;
    try {
      problem = checkPong(readPong(await this.nextHandshakeMessage()), ping, helo, options.sharedKey as string);
    } catch (error) {
      throw new ForwardConnectError(`handshake with ${this.address} failed: ${(error as Error).message}`);
    }
    if (problem !== undefined) throw new ForwardConnectError(`handshake with ${this.address} failed: ${problem}`, true);
    this.handshaking = false;
  }

  private nextHandshakeMessage(): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.handshakeWaiter = { resolve, reject };
      this.drain();
    });
  }

  private onData(chunk: Buffer): void {
    this.framer.push(chunk);
    this.drain();
  }

  /** Hands received messages to whoever waits for them. */
  private drain(): void {
    for (;;) {
      if (this.handshaking && this.handshakeWaiter === undefined) return;
      let message: Buffer | undefined;
      try {
        message = this.framer.next();
      } catch (error) {
        this.fail(error as Error);
        this.socket.destroy();
        return;
      }
      if (message === undefined) return;
      if (this.handshaking) {
        const waiter = this.handshakeWaiter;
        this.handshakeWaiter = undefined;
        waiter?.resolve(message);
        continue;
      }
      this.onResponse(message);
      if (this.failure !== undefined) return;
    }
  }

  private onResponse(message: Buffer): void {
    let chunk: string;
    try {
      chunk = readAck(message);
    } catch (error) {
      const helo = message[0] === 0x92 && message.subarray(1, 6).toString("latin1") === "\xa4HELO";
      this.fail(
        new ProtocolError(
          helo
            ? `${this.address} asks for a handshake (it sent HELO): set shared_key to the receiver's`
            : `unexpected response from ${this.address}: ${(error as Error).message}`,
        ),
      );
      this.socket.destroy();
      return;
    }
    if (!this.unacked.delete(chunk)) return; // not ours (or acknowledged twice): nothing to do
    this.acks++;
    if (this.unacked.size === 0) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.resolve();
    }
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
    const handshakeWaiter = this.handshakeWaiter;
    this.handshakeWaiter = undefined;
    handshakeWaiter?.reject(error);
  }
}

/** No acknowledgement came in time. */
export class AckTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AckTimeoutError";
  }
}

function describeConnectError(error: NodeJS.ErrnoException, address: string, secure: boolean): ForwardConnectError {
  const code = error.code ?? "";
  if (secure && CERT_ERRORS.has(code)) {
    return new ForwardConnectError(
      `TLS handshake with ${address} failed: the receiver's certificate is not trusted (${error.message}); set tls_ca to the CA that signed it, or tls_servername to the name it carries`,
    );
  }
  if (secure && (code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || /SSL|TLS|certificate/i.test(error.message))) {
    return new ForwardConnectError(`TLS handshake with ${address} failed: ${error.message}`);
  }
  switch (code) {
    case "ECONNREFUSED":
      return new ForwardConnectError(`cannot connect to ${address}: connection refused (is the receiver running?)`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new ForwardConnectError(`cannot connect to ${address}: the host name does not resolve`);
    case "ECONNRESET":
      return new ForwardConnectError(`cannot connect to ${address}: the receiver closed the connection${secure ? " during the TLS handshake (does it require a client certificate, or not speak TLS?)" : ""}`);
    default:
      return new ForwardConnectError(`cannot connect to ${address}: ${error.message}`);
  }
}
