import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { attributeMetric } from "../../../runtime/metrics/attribute-catalogue";
import { forEachAttribute } from "../../../runtime/metrics/counter-attributes";
import { HttpSink, HttpSinkCounter, type HttpSinkConfig } from "../../../runtime/sinks/http/http-sink";
import { retryAfterMs } from "../../../runtime/sinks/http/retry-after";
import { httpSinkSpec } from "../../../runtime/sinks/http/spec";
import { decodeEvents } from "../../../runtime/sources/http/request-body";
import { event } from "../../helpers/events";
import { ndjsonEvents, startReceiver, type HttpReceiver } from "../../helpers/http-receiver";
import { isSettled } from "../../helpers/is-settled";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { createTempDir } from "../../helpers/temp-dir";
import { selfSigned } from "../../helpers/tls-certs";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";

const sinks: HttpSink[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const sink of sinks.splice(0)) await withTimeout(sink.stop(), 5_000, "the sink's stop()");
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function receiver(options: Parameters<typeof startReceiver>[0] = {}): Promise<HttpReceiver> {
  const started = await startReceiver(options);
  cleanups.push(() => started.close());
  return started;
}

function tempDir(): string {
  const dir = createTempDir("flowc-http-sink-");
  cleanups.push(dir.remove);
  return dir.path;
}

async function startSink(values: Partial<HttpSinkConfig> & { url: string }, log = silentLogger()): Promise<HttpSink> {
  const sink = new HttpSink("out", configOf(httpSinkSpec, values));
  sinks.push(sink);
  await sink.start(log);
  return sink;
}

async function startError(values: Partial<HttpSinkConfig> & { url: string }): Promise<string> {
  const sink = new HttpSink("out", configOf(httpSinkSpec, values));
  sinks.push(sink);
  const error = await sink.start(silentLogger()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserFacingError);
  return (error as Error).message;
}

/** A TCP server that accepts connections and never says anything. */
async function silentServer(): Promise<number> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

const batch = (...bodies: string[]): FlowEvent[] => bodies.map((body) => event(body));

describe("the http sink", () => {
  it("posts a batch as NDJSON of Flume's event objects, with the configured headers, and resolves on 2xx", async () => {
    const server = await receiver();
    const sink = await startSink({ url: `${server.url}/ingest?tenant=a`, headers: { Authorization: "Bearer t0k", "X-Team": "ops" } });
    await sink.write([event("héllo \"quoted\"\nnext", { level: "ERROR" }), event("plain")]);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/ingest?tenant=a");
    expect(request?.headers).toMatchObject({ "content-type": "application/x-ndjson", authorization: "Bearer t0k", "x-team": "ops", "content-length": String(request?.body.length) });
    expect(request?.body.toString()).toBe('{"headers":{"level":"ERROR"},"body":"héllo \\"quoted\\"\\nnext"}\n{"headers":{},"body":"plain"}\n');
  });

  it("writes json_array as Flume's HTTP source reads it, and text as bodies and newlines, with PUT", async () => {
    const server = await receiver();
    const array = await startSink({ url: `${server.url}/a`, format: "json_array", method: "PUT" });
    await array.write(batch("one", "two"));
    const text = await startSink({ url: `${server.url}/t`, format: "text" });
    await text.write([event(Buffer.from([0xe9, 0x0a])), event("x")]);
    const [a, t] = server.requests;
    expect([a?.method, a?.headers["content-type"], JSON.parse(a?.body.toString() ?? "")]).toEqual(["PUT", "application/json", [{ headers: {}, body: "one" }, { headers: {}, body: "two" }]]);
    expect([t?.headers["content-type"], t?.body]).toEqual(["text/plain; charset=utf-8", Buffer.from([0xe9, 0x0a, 0x0a, 0x78, 0x0a])]);
  });

  it("lets headers replace Content-Type, and gzips with compression = gzip", async () => {
    const server = await receiver();
    const sink = await startSink({ url: server.url, compression: "gzip", headers: { "content-type": "application/vnd.flowc+ndjson" } });
    await sink.write(batch("zipped"));
    const [request] = server.requests;
    expect(request?.headers).toMatchObject({ "content-type": "application/vnd.flowc+ndjson", "content-encoding": "gzip" });
    expect(ndjsonEvents(server.requests)).toEqual([{ headers: {}, body: "zipped" }]);
  });

  it("round-trips headers and bodies through the http source's decoder, in every JSON format", async () => {
    const server = await receiver();
    const events = [event("multi\nline \u{1F600} \\ \"", { "X-Weird Name": "v\"al\\ue", empty: "" }), event("", {}), event("tab\there", { n: "1" })];
    for (const [format, sourceFormat] of [["ndjson", "ndjson"], ["json_array", "json"]] as const) {
      const sink = await startSink({ url: server.url, format });
      await sink.write(events);
      const decoded = decodeEvents(server.requests.at(-1)?.body ?? Buffer.alloc(0), sourceFormat, 10);
      expect(decoded.map((e) => [e.headers, e.bodyText()])).toEqual(events.map((e) => [e.headers, e.bodyText()]));
    }
  });

  it("keeps one connection alive across batches", async () => {
    const server = await receiver();
    const sink = await startSink({ url: server.url });
    for (let i = 0; i < 5; i++) await sink.write(batch(`b${i}`));
    expect(server.connections()).toBe(1);
    expect(sink.counter.ConnectionCreatedCount).toBe(1);
  });

  it("rejects on 5xx, 429 and 408 with the status and the server's words, and delivers on the next write", async () => {
    const server = await receiver();
    const sink = await startSink({ url: `${server.url}/in`, max_backoff: 1 });
    for (const status of [500, 503, 429, 408]) {
      server.reply(() => ({ status, body: `nope ${status}\n  really` }));
      await expect(sink.write(batch("x"))).rejects.toThrow(new RegExp(`^sink \`out\`: POST ${server.url}/in answered ${status} .*: nope ${status} really$`));
    }
    server.reply(() => ({ status: 204 }));
    await sink.write(batch("x"));
  });

  it("waits as long as a 429's or 503's Retry-After asks (up to max_backoff) before the next attempt, and stop() ends the wait", async () => {
    const server = await receiver();
    const sink = await startSink({ url: server.url, max_backoff: 3_600_000 });
    server.reply(() => ({ status: 429, headers: { "Retry-After": "3600" } }));
    await expect(sink.write(batch("x"))).rejects.toThrow(/answered 429/);
    server.reply(() => ({ status: 200 }));
    const next = sink.write(batch("x")).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await isSettled(next)).toBe(false);
    expect(server.requests).toHaveLength(1);
    await sink.stop();
    expect(String(await next)).toBe("Error: sink `out` is stopping");
    expect(server.requests).toHaveLength(1);
  });

  it("caps a Retry-After at max_backoff", async () => {
    const server = await receiver();
    const sink = await startSink({ url: server.url, max_backoff: 20 });
    server.reply(() => ({ status: 503, headers: { "Retry-After": "3600" } }));
    await expect(sink.write(batch("x"))).rejects.toThrow(/answered 503/);
    server.reply(() => ({ status: 200 }));
    await withTimeout(sink.write(batch("y")), 5_000, "the retry after max_backoff");
    expect(ndjsonEvents(server.requests.filter((r) => r.status === 200))).toEqual([{ headers: {}, body: "y" }]);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
  });

  it("rejects a 4xx with on_4xx = fail, and drops and counts the batch with on_4xx = drop (never a 408 or 429)", async () => {
    const server = await receiver();
    server.reply(() => ({ status: 400, body: '{"error":"bad field"}' }));
    const failing = await startSink({ url: server.url });
    await expect(failing.write(batch("a"))).rejects.toThrow(/answered 400 Bad Request: \{"error":"bad field"\}$/);
    const { log, lines } = recordingLogger();
    const dropping = await startSink({ url: server.url, on_4xx: "drop" }, log);
    await dropping.write(batch("a", "b", "c"));
    expect(dropping.counter).toMatchObject({ BatchDropCount: 1, EventDropCount: 3 });
    expect(lines.some((line) => line.includes("level=warn") && line.includes("dropped (on_4xx = drop)") && line.includes("status=400"))).toBe(true);
    server.reply(() => ({ status: 429 }));
    await expect(dropping.write(batch("d"))).rejects.toThrow(/answered 429/);
    expect(dropping.counter.EventDropCount).toBe(3);
  });

  it("does not follow redirects: it rejects and names the new location", async () => {
    const server = await receiver();
    server.reply(() => ({ status: 301, headers: { Location: "http://elsewhere.example/ingest" } }));
    const sink = await startSink({ url: server.url });
    await expect(sink.write(batch("a"))).rejects.toThrow(/answered 301 Moved Permanently \(redirects are not followed: set url to http:\/\/elsewhere\.example\/ingest\)$/);
  });

  it("rejects when the connection fails, and counts it", async () => {
    const server = await receiver();
    const url = server.url;
    await server.close();
    const sink = await startSink({ url });
    await expect(sink.write(batch("a"))).rejects.toThrow(new RegExp(`^sink \`out\`: POST ${url}/ failed: connect ECONNREFUSED`));
    expect(sink.counter.ConnectionFailedCount).toBe(1);
  });

  it("rejects when the server takes longer than timeout, and when a TLS connection is not made within connect_timeout", async () => {
    const port = await silentServer();
    const plain = await startSink({ url: `http://127.0.0.1:${port}/`, timeout: 200 });
    await expect(plain.write(batch("a"))).rejects.toThrow(/failed: no answer within 200 ms \(timeout\)$/);
    const secure = await startSink({ url: `https://127.0.0.1:${port}/`, connect_timeout: 200, timeout: 60_000 });
    await expect(secure.write(batch("a"))).rejects.toThrow(/failed: no connection within 200 ms \(connect_timeout\)$/);
    expect(secure.counter.ConnectionFailedCount).toBe(1);
  });

  it("rejects when the server drops the connection mid-request or answers garbage", async () => {
    const server = await receiver();
    server.reply(() => "cut");
    const sink = await startSink({ url: server.url });
    await expect(sink.write(batch("a".repeat(10_000)))).rejects.toThrow(/failed: /);
    const garbage = createServer((socket) => {
      socket.resume();
      socket.end("SPEAKING NONSENSE\r\n\r\n");
    });
    await new Promise<void>((resolve) => garbage.listen(0, "127.0.0.1", () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => garbage.close(() => resolve())));
    const other = await startSink({ url: `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/` });
    await expect(other.write(batch("a"))).rejects.toThrow(/failed: Parse Error/);
  });

  it("never puts header values in errors or logs: they may be credentials", async () => {
    const server = await receiver();
    server.reply(() => ({ status: 500 }));
    const { log, lines } = recordingLogger();
    const sink = await startSink({ url: server.url, headers: { Authorization: "Bearer very-secret" } }, log);
    const error = await sink.write(batch("a")).catch((e: unknown) => e);
    expect(String(error)).not.toContain("very-secret");
    expect(lines.join("")).not.toContain("very-secret");
    const invalid = await startError({ url: server.url, headers: { Authorization: "Bearer very-secret\r\nX-Injected: 1" } });
    expect(invalid).toBe("sink `out` has a value for header Authorization that HTTP does not allow (control characters such as a newline)");
  });

  it("leaves credentials and the query out of the URL it shows", async () => {
    const server = await receiver();
    server.reply(() => ({ status: 500 }));
    const sink = await startSink({ url: server.url.replace("http://", "http://user:pw@") + "/in?api_key=k3y" });
    const error = String(await sink.write(batch("a")).catch((e: unknown) => e));
    expect(error).toContain(`${server.url}/in answered 500`);
    expect(error).not.toMatch(/pw|k3y/);
  });

  it.each([
    ["an invalid url", { url: "not a url" }, 'sink `out` has an invalid url: "not a url"'],
    ["a url that is not http", { url: "ftp://127.0.0.1/x" }, "sink `out` has a url with scheme ftp; expected http:// or https://"],
    ["a header the sink manages", { url: "http://127.0.0.1/", headers: { "Content-Length": "5" } }, "sink `out` cannot set header Content-Length: the sink sets it itself"],
    ["an invalid header name", { url: "http://127.0.0.1/", headers: { "Bad Name": "x" } }, 'sink `out` has a header name that HTTP does not allow: "Bad Name"'],
    ["tls files with an http url", { url: "http://127.0.0.1/", tls_ca: "/ca.pem" }, "sink `out` has tls_ca but its url is not https://: http://127.0.0.1/"],
    ["only tls_key", { url: "https://127.0.0.1/", tls_key: "/k.pem" }, "sink `out` needs both tls_cert and tls_key for a client certificate (only tls_key is set)"],
    ["a missing tls_ca", { url: "https://127.0.0.1/", tls_ca: "/nonexistent/ca.pem" }, "sink `out` cannot read tls_ca /nonexistent/ca.pem: no such file"],
  ] as const)("refuses to start with %s, saying so", async (_, values, message) => {
    expect(await startError(values)).toBe(message);
  });

  it("resolves stop() when never started and when called again; write() after stop() rejects; an in-flight request is abandoned", async () => {
    await withTimeout(new HttpSink("idle", configOf(httpSinkSpec, { url: "http://127.0.0.1/" })).stop(), 1_000, "stop() of a sink never started");
    const port = await silentServer();
    const sink = await startSink({ url: `http://127.0.0.1:${port}/` });
    const writing = sink.write(batch("a")).catch((e: unknown) => e);
    await waitFor("the connection", () => sink.counter.ConnectionCreatedCount === 1);
    await withTimeout(sink.stop(), 5_000, "stop()");
    await withTimeout(sink.stop(), 5_000, "a second stop()");
    expect(String(await writing)).toMatch(/failed: sink `out` is stopping$/);
    await expect(sink.write(batch("b"))).rejects.toThrow("sink `out` is not running");
    expect(sink.counter.ConnectionClosedCount).toBe(1);
  });

  it("counts with Flume's attribute names, each in the metrics catalogue", () => {
    forEachAttribute(new HttpSinkCounter(), (name) => expect(attributeMetric(name)?.on, name).toContain("SINK"));
  });
});

describe("the http sink over TLS", () => {
  it("trusts a server whose certificate tls_ca signed, and refuses others with a hint", async () => {
    const dir = tempDir();
    const serverCert = selfSigned(dir, "server");
    const server = await receiver({ tls: serverCert });
    const trusting = await startSink({ url: `${server.url}/in`, tls_ca: serverCert.cert });
    await trusting.write(batch("secure"));
    expect(ndjsonEvents(server.requests)).toEqual([{ headers: {}, body: "secure" }]);

    const stranger = selfSigned(dir, "stranger");
    const wrongCa = await startSink({ url: `${server.url}/in`, tls_ca: stranger.cert });
    await expect(wrongCa.write(batch("x"))).rejects.toThrow(/failed: self[- ]signed certificate.* \(set tls_ca to the CA that signed the server's certificate\)$/);
    expect(wrongCa.counter.ConnectionFailedCount).toBe(1);
  });

  it("skips the check with tls_verify = false, warning at start", async () => {
    const dir = tempDir();
    const server = await receiver({ tls: selfSigned(dir, "server") });
    const { log, lines } = recordingLogger();
    const sink = await startSink({ url: server.url, tls_verify: false }, log);
    await sink.write(batch("unchecked"));
    expect(server.requests).toHaveLength(1);
    expect(lines.some((line) => line.includes("level=warn") && line.includes("tls_verify is false"))).toBe(true);
  });

  it("presents tls_cert and tls_key to a server that requires a client certificate", async () => {
    const dir = tempDir();
    const serverCert = selfSigned(dir, "server");
    const client = selfSigned(dir, "client");
    const server = await receiver({ tls: { ...serverCert, clientCa: client.cert } });
    const sink = await startSink({ url: server.url, tls_ca: serverCert.cert, tls_cert: client.cert, tls_key: client.key });
    await sink.write(batch("mutual"));
    expect(server.requests.map((r) => r.clientCertificate)).toEqual(["client"]);
    const anonymous = await startSink({ url: server.url, tls_ca: serverCert.cert, tls_cert: "", tls_key: "" });
    await expect(anonymous.write(batch("x"))).rejects.toThrow(/failed: /);
  });

  it("refuses to start with a key that does not match tls_cert", async () => {
    const dir = tempDir();
    const a = selfSigned(dir, "a");
    const b = selfSigned(dir, "b");
    expect(await startError({ url: "https://127.0.0.1/", tls_cert: a.cert, tls_key: b.key })).toBe("sink `out` cannot use its TLS files: key values mismatch");
  });
});
