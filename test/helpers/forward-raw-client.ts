import { decode, encode, ExtensionCodec } from "@msgpack/msgpack";
import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";
import { gzipSync } from "node:zlib";

/**
 * A deliberately independent Forward protocol client for tests: messages are built and responses read
 * with @msgpack/msgpack, digests computed here from the specification's formulas, so a bug in flowc's own
 * codec cannot hide itself.
 */

/** An EventTime (msgpack extension type 0). */
export class EventTime {
  constructor(
    readonly seconds: number,
    readonly nanoseconds: number,
  ) {}
}

export const eventTimeCodec = new ExtensionCodec();
eventTimeCodec.register({
  type: 0,
  encode: (value) => {
    if (!(value instanceof EventTime)) return null;
    const data = Buffer.alloc(8);
    data.writeUInt32BE(value.seconds, 0);
    data.writeUInt32BE(value.nanoseconds, 4);
    return data;
  },
  decode: (data) => new EventTime(Buffer.from(data).readUInt32BE(0), Buffer.from(data).readUInt32BE(4)),
});

export function pack(value: unknown): Buffer {
  return Buffer.from(encode(value, { extensionCodec: eventTimeCodec }));
}

export type Entry = readonly [number | EventTime, Record<string, unknown>];

/** The four carrier modes as the specification writes them, each with a `chunk` option when `chunk` is given. */
export const modes = {
  message: (tag: string, entry: Entry, chunk?: string): Buffer => pack([tag, entry[0], entry[1], chunk === undefined ? {} : { chunk }]),
  forward: (tag: string, entries: readonly Entry[], chunk?: string): Buffer => pack([tag, entries, { size: entries.length, ...(chunk === undefined ? {} : { chunk }) }]),
  packedForward: (tag: string, entries: readonly Entry[], chunk?: string): Buffer =>
    pack([tag, Buffer.concat(entries.map(pack)), { size: entries.length, ...(chunk === undefined ? {} : { chunk }) }]),
  compressedPackedForward: (tag: string, entries: readonly Entry[], chunk?: string): Buffer =>
    pack([tag, gzipSync(Buffer.concat(entries.map(pack))), { size: entries.length, compressed: "gzip", ...(chunk === undefined ? {} : { chunk }) }]),
};

export function sha512Hex(...parts: (string | Buffer)[]): string {
  const hash = createHash("sha512");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

/** A connection whose responses are decoded as they arrive. */
export class RawClient {
  readonly responses: unknown[] = [];
  private buffered = Buffer.alloc(0);
  closed = false;
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      // Server messages are small: find each one as the shortest prefix that decodes whole.
      for (let length = 1; length <= this.buffered.length; length++) {
        let value: unknown;
        try {
          value = decode(this.buffered.subarray(0, length), { extensionCodec: eventTimeCodec });
        } catch {
          continue;
        }
        this.responses.push(value);
        this.buffered = this.buffered.subarray(length);
        length = 0;
      }
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawClient(socket));
      });
    });
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  /** Resolves once `predicate` holds (checked on every response and on close), or rejects after `timeoutMs`. */
  async until(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (responses: ${JSON.stringify(this.responses)}, closed: ${this.closed})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The chunk ids acknowledged so far. */
  acks(): string[] {
    return this.responses.filter((r): r is { ack: string } => typeof r === "object" && r !== null && "ack" in r).map((r) => r.ack);
  }

  /** Answers the server's HELO with a PING computed from the specification's formulas. */
  async handshake(options: { sharedKey: string; hostname?: string; username?: string; password?: string }): Promise<{ ok: boolean; reason: string; serverDigestOk: boolean }> {
    await this.until("HELO", () => this.responses.length >= 1);
    const helo = this.responses[0] as [string, { nonce: Uint8Array; auth: Uint8Array | string; keepalive: boolean }];
    if (helo[0] !== "HELO") throw new Error(`expected HELO, got ${JSON.stringify(helo)}`);
    const nonce = Buffer.from(helo[1].nonce);
    const auth = typeof helo[1].auth === "string" ? Buffer.from(helo[1].auth) : Buffer.from(helo[1].auth);
    const hostname = options.hostname ?? "test-client";
    const salt = "0123456789abcdef0123456789abcdef";
    const username = options.username ?? "";
    const password = auth.length === 0 ? "" : sha512Hex(auth, username, options.password ?? "");
    this.send(pack(["PING", hostname, salt, sha512Hex(salt, hostname, nonce, options.sharedKey), username, password]));
    await this.until("PONG", () => this.responses.length >= 2);
    const pong = this.responses[1] as [string, boolean, string, string, string];
    return { ok: pong[1], reason: pong[2], serverDigestOk: pong[4] === sha512Hex(salt, pong[3], nonce, options.sharedKey) };
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
