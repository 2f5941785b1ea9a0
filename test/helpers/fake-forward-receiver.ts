import { createServer, type Server, type Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import { decodeMulti, decodeMultiStream } from "@msgpack/msgpack";
import { type EventTime, eventTimeCodec, pack } from "./forward-raw-client";

/**
 * A receiver written for the test with an independent msgpack library (@msgpack/msgpack's stream decoder):
 * it records every message and every byte, and acknowledges chunks (or not) as the test says.
 */
export class FakeReceiver {
  /** Every byte received, per connection. */
  readonly bytes: Buffer[][] = [];
  readonly messages: unknown[][] = [];
  readonly connections: Socket[] = [];
  /** What to do with each chunk id: ack it (the default), ignore it, or close the connection. */
  onChunk: (index: number) => "ack" | "ignore" | "close" = () => "ack";
  private readonly server: Server;
  port = 0;

  constructor() {
    this.server = createServer((socket) => {
      this.connections.push(socket);
      const received: Buffer[] = [];
      this.bytes.push(received);
      socket.on("error", () => undefined);
      void this.serve(socket, received);
    });
  }

  private async serve(socket: Socket, received: Buffer[]): Promise<void> {
    async function* chunks(): AsyncGenerator<Buffer> {
      for await (const chunk of socket) {
        received.push(chunk as Buffer);
        yield chunk as Buffer;
      }
    }
    try {
      for await (const value of decodeMultiStream(chunks(), { extensionCodec: eventTimeCodec })) {
        const message = value as unknown[];
        this.messages.push(message);
        const chunkId = (message[2] as { chunk?: string } | undefined)?.chunk;
        const action = this.onChunk(this.messages.length - 1);
        if (action === "close") socket.destroy();
        else if (action === "ack" && chunkId !== undefined) socket.write(pack({ ack: chunkId }));
      }
    } catch {
      socket.destroy();
    }
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** The entries of every message, decoded: `[tag, time, record]`. */
  entries(): [string, EventTime, Record<string, unknown>][] {
    return this.messages.flatMap((message) => {
      const option = message[2] as { compressed?: string };
      let bytes = Buffer.from(message[1] as Uint8Array);
      if (option.compressed === "gzip") bytes = gunzipSync(bytes);
      return [...decodeMulti(bytes, { extensionCodec: eventTimeCodec })].map((entry) => {
        const [time, record] = entry as [EventTime, Record<string, unknown>];
        return [message[0] as string, time, record] as [string, EventTime, Record<string, unknown>];
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

