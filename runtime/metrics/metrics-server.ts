import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { UserFacingError } from "../core/errors";
import { describeListenError } from "../core/listen-error";
import type { Logger } from "../core/log";
import { respond, type MetricsContext } from "./metrics-routes";

export interface MetricsServerOptions extends MetricsContext {
  /** Address to listen on (an IP address or a host name). */
  readonly address: string;
  /** Port to listen on; 0 lets the operating system pick a free one. */
  readonly port: number;
}

/**
 * The agent's HTTP endpoint for metrics and health (see `respond` for the routes). Renders only when
 * scraped; a request that fails is answered 500 and logged, never thrown; malformed requests are answered
 * by node:http (400, 431 for oversized headers) and logged at debug level.
 */
export class MetricsServer {
  private readonly server: http.Server;
  private log: Logger | undefined;

  constructor(private readonly options: MetricsServerOptions) {
    this.server = http.createServer((request, response) => this.handle(request, response));
    this.server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => this.onClientError(error, socket));
  }

  /** Listens; resolves with the base URL (`http://127.0.0.1:9100`), rejects with a `UserFacingError`. */
  start(log: Logger): Promise<string> {
    this.log = log.child({ component: "metrics" });
    const { address, port } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new UserFacingError(`the metrics server cannot listen on ${hostPort(address, port)}: ${describeListenError(error)}`, 1));
      };
      this.server.once("error", onError);
      this.server.listen({ host: address, port }, () => {
        this.server.off("error", onError);
        this.server.on("error", (error) => this.log?.error("metrics server error", { error: error.message }));
        const bound = this.server.address() as AddressInfo;
        resolve(`http://${hostPort(bound.address, bound.port)}`);
      });
    });
  }

  /** Stops listening and closes every connection, idle or not; resolves once closed. */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    try {
      const answer = respond(request.method, request.url, this.options);
      response.writeHead(answer.statusCode, answer.headers);
      response.end(request.method === "HEAD" ? undefined : answer.body);
    } catch (error) {
      this.log?.error("metrics request failed", {
        method: request.method,
        url: request.url,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(500, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
      response.end("internal error\n");
    }
  }

  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    this.log?.debug("bad metrics request", { error: error.code ?? error.message });
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const status = error.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
}

/** `host:port`, with an IPv6 address in brackets. */
function hostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}
