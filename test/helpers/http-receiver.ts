import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

/** A request the receiver read completely and answered. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body, gunzipped when it came with `Content-Encoding: gzip`. */
  readonly body: Buffer;
  /** The CN of the client certificate, on an HTTPS receiver that asked for one. */
  readonly clientCertificate: string | undefined;
  readonly status: number;
}

/**
 * What the receiver does with the next request: answer with a status (and headers and body), or
 * `cut`: read half of the body, then drop the connection without answering.
 */
export type Reply = { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string } | "cut" | "hang";

export interface HttpReceiver {
  /** `http(s)://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every answered request, in order of arrival (answered 2xx or not: check `status`). */
  readonly requests: ReceivedRequest[];
  /** Connections the receiver accepted so far. */
  connections(): number;
  /** Chooses the reply to each request from now on (default: 200). */
  reply(choose: (request: http.IncomingMessage) => Reply): void;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** Serve HTTPS with this certificate and key; with `clientCa`, require a client certificate it signed. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa?: string };
}

/** A real HTTP(S) server on 127.0.0.1 that records what the http sink sends it. */
export function startReceiver(options: ReceiverOptions = {}): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  let choose: (request: http.IncomingMessage) => Reply = () => ({ status: 200 });
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const reply = choose(req);
    const chunks: Buffer[] = [];
    let length = 0;
    const expected = Number(req.headers["content-length"] ?? 0);
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (reply === "cut" && length >= expected / 2) req.socket.destroy();
    });
    req.on("end", () => {
      if (reply === "cut" || reply === "hang") {
        if (reply === "cut") req.socket.destroy();
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      const peer = (req.socket as Socket & { getPeerCertificate?: () => { subject?: { CN?: string } } }).getPeerCertificate?.();
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, clientCertificate: peer?.subject?.CN, status: reply.status });
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body ?? "");
    });
  };
  const tls = options.tls;
  const server = tls === undefined
    ? http.createServer(handler)
    : https.createServer(
        {
          cert: readFileSync(tls.cert),
          key: readFileSync(tls.key),
          ...(tls.clientCa === undefined ? {} : { ca: readFileSync(tls.clientCa), requestCert: true, rejectUnauthorized: true }),
        },
        handler,
      );
  server.on(tls === undefined ? "connection" : "secureConnection", (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
        requests,
        connections: () => accepted,
        reply(next) {
          choose = next;
        },
        close() {
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

/** The events of NDJSON request bodies, in order. */
export function ndjsonEvents(requests: readonly ReceivedRequest[]): { headers: Record<string, string>; body: string }[] {
  return requests.flatMap((request) =>
    request.body
      .toString("utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { headers: Record<string, string>; body: string }),
  );
}
