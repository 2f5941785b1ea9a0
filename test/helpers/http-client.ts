import * as http from "node:http";
import * as https from "node:https";
import { readFileSync } from "node:fs";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Reused connections (keep-alive); a fresh connection per request without it. */
  readonly agent?: http.Agent;
  /** For https:// URLs: PEM files of the CA to trust and of a client certificate and key. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly timeoutMs?: number;
}

/** One request to `url`; resolves with the whole answer, rejects on a connection error or after `timeoutMs`. */
export function sendHttp(url: string, options: SendOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  const timeoutMs = options.timeoutMs ?? 5_000;
  const tls = secure
    ? {
        ...(options.ca === undefined ? {} : { ca: readFileSync(options.ca) }),
        ...(options.cert === undefined ? {} : { cert: readFileSync(options.cert) }),
        ...(options.key === undefined ? {} : { key: readFileSync(options.key) }),
      }
    : {};
  return new Promise((resolve, reject) => {
    const req = (secure ? https.request : http.request)(target, {
      method: options.method ?? "POST",
      headers: options.headers,
      agent: options.agent ?? false,
      ...tls,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(options.body);
  });
}

/** The port of an `http(s)://host:port/path` address a source's start() resolved with. */
export function portOf(address: string): number {
  return Number(new URL(address).port);
}
