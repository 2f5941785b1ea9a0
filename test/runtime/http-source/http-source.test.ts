import * as http from "node:http";
import { connect as connectTls } from "node:tls";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, deflateSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import { UserFacingError } from "../../../runtime/core/errors";
import { attributeMetric } from "../../../runtime/metrics/attribute-catalogue";
import { forEachAttribute } from "../../../runtime/metrics/counter-attributes";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { HttpSource, HttpSourceCounter, type HttpSourceConfig } from "../../../runtime/sources/http/http-source";
import { httpSourceSpec } from "../../../runtime/sources/http/spec";
import { takeAll } from "../../helpers/channel-io";
import { bodies } from "../../helpers/events";
import { isSettled } from "../../helpers/is-settled";
import { portOf, sendHttp } from "../../helpers/http-client";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { connectTcp, whenClosed } from "../../helpers/tcp-client";
import { createTempDir } from "../../helpers/temp-dir";
import { selfSigned } from "../../helpers/tls-certs";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";

interface Rig {
  readonly source: HttpSource;
  readonly channel: MemoryChannel;
  /** What start() resolved with: `http://127.0.0.1:PORT/path`. */
  readonly url: string;
}

const started: HttpSource[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const source of started.splice(0)) await withTimeout(source.stop(), 5_000, "the source's stop()");
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A file that is not PEM, as a key would be after a bad copy-paste. */
function notPem(dir: string): string {
  const path = join(dir, "bad.key");
  writeFileSync(path, "not a key\n");
  return path;
}

function tempDir(): string {
  const dir = createTempDir("flowc-http-source-");
  cleanups.push(dir.remove);
  return dir.path;
}

async function startSource(values: Partial<HttpSourceConfig> = {}, channelConfig = { capacity: 1_000, transaction_capacity: 100 }, log = silentLogger()): Promise<Rig> {
  const channel = memoryChannel("buffer", channelConfig);
  await channel.start();
  const config = configOf(httpSourceSpec, { bind: "127.0.0.1", port: 0, path: "/ingest", batch_size: 100, ...values });
  const source = new HttpSource("web", config, new ReplicatingProcessor({ required: [channel] }));
  const url = await source.start(log);
  started.push(source);
  return { source, channel, url };
}

const JSON_TYPE = { "Content-Type": "application/json" };
const TEXT_TYPE = { "Content-Type": "text/plain" };

describe("the http source", () => {
  it("puts a JSON array's events into the channel before answering 200, and counts requests and events", async () => {
    const { source, channel, url } = await startSource();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ingest$/);
    const answer = await sendHttp(url, { headers: JSON_TYPE, body: JSON.stringify([{ headers: { level: "ERROR" }, body: "disk full" }, { body: "ok" }]) });
    expect([answer.status, answer.headers["content-type"], JSON.parse(answer.body)]).toEqual([200, "application/json", { accepted: 2 }]);
    const events = takeAll(channel);
    expect(events.map((e) => [e.headers, e.bodyText()])).toEqual([
      [{ level: "ERROR" }, "disk full"],
      [{}, "ok"],
    ]);
    expect(source.counter).toMatchObject({ AppendBatchReceivedCount: 1, AppendBatchAcceptedCount: 1, EventReceivedCount: 2, EventAcceptedCount: 2 });
  });

  it("reads NDJSON and text by Content-Type, and gzip or deflate bodies", async () => {
    const { channel, url } = await startSource();
    const ndjson = '{"body":"n1"}\n{"headers":{"k":"v"},"body":"n2"}\n';
    expect((await sendHttp(url, { headers: { "Content-Type": "application/x-ndjson" }, body: ndjson })).status).toBe(200);
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "t1\r\nt2\n" })).status).toBe(200);
    expect((await sendHttp(url, { headers: { ...TEXT_TYPE, "Content-Encoding": "gzip" }, body: gzipSync("g1\ng2\n") })).status).toBe(200);
    expect((await sendHttp(url, { headers: { ...JSON_TYPE, "Content-Encoding": "deflate" }, body: deflateSync('[{"body":"d1"}]') })).status).toBe(200);
    expect(bodies(takeAll(channel))).toEqual(["n1", "n2", "t1", "t2", "g1", "g2", "d1"]);
  });

  it("answers 400 with a JSON error for input it cannot read, puts nothing, and keeps serving", async () => {
    const { source, channel, url } = await startSource();
    const bad = await sendHttp(url, { headers: JSON_TYPE, body: '[{"body":"fine"},{"body":7}]' });
    expect([bad.status, bad.headers["content-type"], JSON.parse(bad.body)]).toEqual([400, "application/json", { error: 'element [1] has a "body" that is a number; expected a string' }]);
    const notGzip = await sendHttp(url, { headers: { ...TEXT_TYPE, "Content-Encoding": "gzip" }, body: "plain text" });
    expect([notGzip.status, JSON.parse(notGzip.body).error]).toEqual([400, expect.stringMatching(/^the body is not valid gzip data: /)]);
    const form = await sendHttp(url, { headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "a=b" });
    expect(form.status).toBe(415);
    const brotli = await sendHttp(url, { headers: { ...TEXT_TYPE, "Content-Encoding": "br" }, body: "x" });
    expect([brotli.status, JSON.parse(brotli.body).error]).toEqual([415, "Content-Encoding br is not accepted: send gzip, deflate or an uncompressed body"]);
    expect(channel.size()).toBe(0);
    expect(source.counter).toMatchObject({ EventReadFail: 4, EventReceivedCount: 0, AppendBatchReceivedCount: 0 });
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "still here" })).status).toBe(200);
  });

  it("answers 413 naming the limit for a body over max_body_size, declared, chunked or decompressed, and for more events than batch_size", async () => {
    const { source, channel, url } = await startSource({ max_body_size: 1_000, batch_size: 5 });
    const declared = await sendHttp(url, { headers: TEXT_TYPE, body: "x".repeat(1_001) });
    expect([declared.status, JSON.parse(declared.body)]).toEqual([413, { error: "the body is larger than 1000 bytes (the source's max_body_size)" }]);
    // No Content-Length: the limit is found while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: "POST", headers: TEXT_TYPE, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (let i = 0; i < 20; i++) req.write("y".repeat(100));
      req.end();
    });
    expect(chunked).toBe(413);
    // 64 KiB of zeros compress to a few hundred bytes: the limit applies after decompression.
    const bomb = await sendHttp(url, { headers: { ...TEXT_TYPE, "Content-Encoding": "gzip" }, body: gzipSync(Buffer.alloc(65_536)) });
    expect(bomb.status).toBe(413);
    const many = await sendHttp(url, { headers: TEXT_TYPE, body: "1\n2\n3\n4\n5\n6\n" });
    expect([many.status, JSON.parse(many.body).error]).toEqual([413, "the request carries more than 5 events; at most 5 (the source's batch_size) are accepted per request, because a request is put into the channel in one transaction"]);
    expect(channel.size()).toBe(0);
    expect(source.counter.RequestTooLargeCount).toBe(4);
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "1\n2\n3\n4\n5\n" })).status).toBe(200);
  });

  it("answers 404 for other paths and 405 with Allow for other methods; a query string is ignored", async () => {
    const { source, url } = await startSource();
    const base = url.replace(/\/ingest$/, "");
    const missing = await sendHttp(`${base}/other`, { headers: TEXT_TYPE, body: "x" });
    expect([missing.status, JSON.parse(missing.body)]).toEqual([404, { error: "nothing is served at /other: post events to /ingest" }]);
    const get = await sendHttp(url, { method: "GET" });
    expect([get.status, get.headers.allow, JSON.parse(get.body)]).toEqual([405, "POST", { error: "GET is not accepted: post events with POST" }]);
    expect((await sendHttp(`${url}?tenant=a`, { headers: TEXT_TYPE, body: "x" })).status).toBe(200);
    expect(source.counter.RouteMismatchCount).toBe(2);
  });

  it("requires the bearer token when one is set: 401 with WWW-Authenticate otherwise", async () => {
    const { source, channel, url } = await startSource({ bearer_token: "s3cret" });
    const none = await sendHttp(url, { headers: TEXT_TYPE, body: "x" });
    expect([none.status, none.headers["www-authenticate"]]).toEqual([401, 'Bearer realm="flowc"']);
    const wrong = await sendHttp(url, { headers: { ...TEXT_TYPE, Authorization: "Bearer guess" }, body: "x" });
    expect([wrong.status, wrong.headers["www-authenticate"], JSON.parse(wrong.body)]).toEqual([401, 'Bearer realm="flowc", error="invalid_token"', { error: "the bearer token is not valid" }]);
    expect(channel.size()).toBe(0);
    expect((await sendHttp(url, { headers: { ...TEXT_TYPE, Authorization: "Bearer s3cret" }, body: "x" })).status).toBe(200);
    expect(source.counter.UnauthorizedCount).toBe(2);
  });

  it("treats an empty bearer_token as none (env(\"TOKEN\", \"\") leaves it off)", async () => {
    const { url } = await startSource({ bearer_token: "" });
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "x" })).status).toBe(200);
  });

  it("answers 503 with Retry-After while the channel is full, having put nothing of the request, and accepts it once there is room", async () => {
    const { source, channel, url } = await startSource({ batch_size: 10 }, { capacity: 12, transaction_capacity: 10 });
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "a1\na2\na3\na4\na5\na6\na7\na8\n" })).status).toBe(200);
    const refused = await sendHttp(url, { headers: TEXT_TYPE, body: "b1\nb2\nb3\nb4\nb5\n" });
    expect([refused.status, refused.headers["retry-after"], JSON.parse(refused.body).error]).toEqual([503, "1", expect.stringMatching(/^channel `buffer` is full .*; retry later$/)]);
    expect(bodies(takeAll(channel))).toEqual(["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"]);
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "b1\nb2\nb3\nb4\nb5\n" })).status).toBe(200);
    expect(bodies(takeAll(channel))).toEqual(["b1", "b2", "b3", "b4", "b5"]);
    expect(source.counter).toMatchObject({ ChannelWriteFail: 1, EventReceivedCount: 18, EventAcceptedCount: 13, AppendBatchReceivedCount: 3, AppendBatchAcceptedCount: 2 });
  });

  it("answers 200 only once the channels report the events durable, and 500 (so the sender resends) when they cannot", async () => {
    const channel = memoryChannel("durable", { capacity: 100, transaction_capacity: 10 });
    await channel.start();
    const inner = new ReplicatingProcessor({ required: [channel] });
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const processor = {
      process: (events: Parameters<typeof inner.process>[0]) => inner.process(events),
      whenWritable: () => inner.whenWritable(),
      whenDurable: () => new Promise<void>((resolve, reject) => (settle = { resolve, reject })),
    };
    const source = new HttpSource("web", configOf(httpSourceSpec, { bind: "127.0.0.1", port: 0, batch_size: 10 }), processor);
    const url = await source.start(silentLogger());
    started.push(source);

    const first = sendHttp(url, { headers: TEXT_TYPE, body: "a\n" });
    await waitFor("the put to commit", () => channel.size() === 1);
    expect(await isSettled(first)).toBe(false);
    settle?.resolve();
    expect((await first).status).toBe(200);

    const second = sendHttp(url, { headers: TEXT_TYPE, body: "b\n" });
    await waitFor("the second put to commit", () => channel.size() === 2);
    settle?.reject(new Error("fdatasync: EIO"));
    const answer = await second;
    expect([answer.status, JSON.parse(answer.body)]).toEqual([500, { error: "the events could not be stored durably; retry" }]);
    expect(source.counter.GenericProcessingFail).toBe(1);
  });

  it("answers a client waiting for 100 Continue before it sends a body that is too large, and lets a fitting one send", async () => {
    const { source, channel, url } = await startSource({ max_body_size: 100 });
    const expectContinue = (length: number): Promise<{ status: number; continued: boolean }> =>
      new Promise((resolve, reject) => {
        let continued = false;
        const req = http.request(url, { method: "POST", agent: false, headers: { ...TEXT_TYPE, Expect: "100-continue", "Content-Length": length } });
        req.on("continue", () => {
          continued = true;
          req.end("z".repeat(length));
        });
        req.on("response", (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, continued }));
        });
        req.on("error", reject);
      });
    expect(await expectContinue(500)).toEqual({ status: 413, continued: false });
    expect(await expectContinue(50)).toEqual({ status: 200, continued: true });
    expect(bodies(takeAll(channel))).toEqual(["z".repeat(50)]);
    expect(source.counter.RequestTooLargeCount).toBe(1);
  });

  it("answers what is not HTTP with 400, a request slower than request_timeout with 408 and too large headers with 431, counting each", async () => {
    const { source, url } = await startSource({ request_timeout: 300 });
    const garbage = await connectTcp(portOf(url));
    let answer = "";
    garbage.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    garbage.write("HELLO THERE\r\n\r\n");
    await whenClosed(garbage);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('{"error":"the request is not valid HTTP/1.1"}');

    const slow = await connectTcp(portOf(url));
    let slowAnswer = "";
    slow.on("data", (chunk: Buffer) => (slowAnswer += chunk.toString()));
    slow.write("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly a part");
    await withTimeout(whenClosed(slow), 5_000, "the server to close a connection slower than request_timeout");
    expect(slowAnswer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);

    const bloated = await connectTcp(portOf(url));
    let bloatedAnswer = "";
    bloated.on("data", (chunk: Buffer) => (bloatedAnswer += chunk.toString()));
    bloated.on("error", () => undefined);
    bloated.write(`POST /ingest HTTP/1.1\r\nHost: x\r\nX-Padding: ${"p".repeat(20_000)}\r\n\r\n`);
    await withTimeout(whenClosed(bloated), 5_000, "the server to close a connection with too large headers");
    expect(bloatedAnswer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(source.counter.BadConnectionCount).toBe(3);
    expect(source.counter.EventReceivedCount).toBe(0);
  });

  it("answers requests still arriving when it stops with 503, and stop() resolves (also when called again)", async () => {
    const { source, channel, url } = await startSource();
    const client = await connectTcp(portOf(url));
    let answer = "";
    client.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    // `100 Continue` comes once the source has checked the headers and reads the body.
    client.write("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
    await waitFor("100 Continue", () => answer.startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
    client.write("half a bo");
    answer = "";
    await withTimeout(source.stop(), 5_000, "stop()");
    await withTimeout(source.stop(), 5_000, "a second stop()");
    await whenClosed(client);
    expect(answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(answer).toContain("Retry-After: 1");
    expect(channel.size()).toBe(0);
    await expect(sendHttp(url, { headers: TEXT_TYPE, body: "late" })).rejects.toThrow(/ECONNREFUSED/);
    expect(source.counter.StopTime).toBeGreaterThan(0);
  });

  it("refuses to start with a path that does not start with /", async () => {
    const source = new HttpSource("web", configOf(httpSourceSpec, { bind: "127.0.0.1", port: 0, path: "ingest" }), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    const error = await source.start(silentLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe('source `web` has path "ingest": a path starts with /, e.g. "/ingest"');
  });

  it("resolves stop() when it was never started", async () => {
    const source = new HttpSource("idle", configOf(httpSourceSpec, { port: 0 }), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    await withTimeout(source.stop(), 1_000, "stop() of a source never started");
  });

  it("fails to start with a clear message when the port is taken", async () => {
    const { url } = await startSource();
    const second = new HttpSource("second", configOf(httpSourceSpec, { bind: "127.0.0.1", port: portOf(url) }), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    const error = await second.start(silentLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe(`source \`second\` cannot listen on 127.0.0.1:${portOf(url)}: the address is already in use`);
  });

  it("logs refusals at debug level only, so a flood of bad requests does not flood the log", async () => {
    const { log, lines } = recordingLogger();
    const { url } = await startSource({ batch_size: 1 }, { capacity: 1, transaction_capacity: 1 }, log);
    const statuses: number[] = [];
    statuses.push((await sendHttp(url, { headers: JSON_TYPE, body: "nope" })).status);
    statuses.push((await sendHttp(url, { headers: TEXT_TYPE, body: "a\n" })).status);
    statuses.push((await sendHttp(url, { headers: TEXT_TYPE, body: "b\n" })).status);
    statuses.push((await sendHttp(url, { headers: TEXT_TYPE, body: "c\nd\n" })).status);
    expect(statuses).toEqual([400, 200, 503, 413]);
    expect(lines.filter((line) => !line.includes("level=debug"))).toEqual([]);
  });

  it("answers 500 for a failure of its own, logs it and counts it, and keeps serving", async () => {
    const { log, lines } = recordingLogger();
    // A batch_size above the channel's transaction_capacity (which `flowc check` refuses) makes the put throw.
    const { source, url } = await startSource({ batch_size: 10 }, { capacity: 100, transaction_capacity: 2 }, log);
    const failed = await sendHttp(url, { headers: TEXT_TYPE, body: "a\nb\nc\n" });
    expect([failed.status, JSON.parse(failed.body)]).toEqual([500, { error: "the events could not be put into the channels; see the agent's log" }]);
    expect(source.counter.GenericProcessingFail).toBe(1);
    expect(lines.some((line) => line.includes("level=error") && line.includes("exceeds transaction_capacity 2"))).toBe(true);
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "a\nb\n" })).status).toBe(200);
  });

  it("counts with Flume's attribute names, each in the metrics catalogue", () => {
    forEachAttribute(new HttpSourceCounter(), (name) => expect(attributeMetric(name)?.on, name).toContain("SOURCE"));
  });
});

describe("the http source over TLS", () => {
  it("speaks HTTPS with tls_cert and tls_key", async () => {
    const dir = tempDir();
    const server = selfSigned(dir, "server");
    const { channel, url } = await startSource({ tls_cert: server.cert, tls_key: server.key, tls_client_ca: "" });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/ingest$/);
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "secret stuff\n", ca: server.cert })).status).toBe(200);
    expect(bodies(takeAll(channel))).toEqual(["secret stuff"]);
  });

  it("requires a client certificate signed by tls_client_ca (mutual TLS), counting failed handshakes once", async () => {
    const dir = tempDir();
    const server = selfSigned(dir, "server");
    const client = selfSigned(dir, "client");
    const stranger = selfSigned(dir, "stranger");
    const { source, channel, url } = await startSource({ tls_cert: server.cert, tls_key: server.key, tls_client_ca: client.cert });
    expect((await sendHttp(url, { headers: TEXT_TYPE, body: "trusted\n", ca: server.cert, cert: client.cert, key: client.key })).status).toBe(200);
    await expect(sendHttp(url, { headers: TEXT_TYPE, body: "anonymous\n", ca: server.cert })).rejects.toThrow();
    await expect(sendHttp(url, { headers: TEXT_TYPE, body: "stranger\n", ca: server.cert, cert: stranger.cert, key: stranger.key })).rejects.toThrow();
    expect(bodies(takeAll(channel))).toEqual(["trusted"]);
    await waitFor("both failed handshakes to be counted", () => source.counter.BadConnectionCount === 2);
  });

  it("counts a plain-text client on the HTTPS port as a bad connection", async () => {
    const dir = tempDir();
    const server = selfSigned(dir, "server");
    const { source, url } = await startSource({ tls_cert: server.cert, tls_key: server.key });
    await expect(sendHttp(url.replace("https:", "http:"), { headers: TEXT_TYPE, body: "x" })).rejects.toThrow();
    await waitFor("the failed handshake to be counted", () => source.counter.BadConnectionCount === 1);
    // The server still serves TLS clients.
    const socket = connectTls({ host: "127.0.0.1", port: portOf(url), ca: readFileSync(server.cert) });
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", () => resolve());
      socket.once("error", reject);
    });
    socket.destroy();
  });

  it.each([
    ["only tls_cert", (d: string) => ({ tls_cert: selfSigned(d, "s").cert }), "source `web` needs both tls_cert and tls_key for HTTPS (only tls_cert is set)"],
    ["tls_client_ca without a certificate", (d: string) => ({ tls_client_ca: selfSigned(d, "s").cert }), "source `web` has tls_client_ca but no tls_cert and tls_key: mutual TLS needs HTTPS"],
    ["a missing certificate file", (d: string) => ({ tls_cert: `${d}/missing.pem`, tls_key: selfSigned(d, "s").key }), /^source `web` cannot read tls_cert \S+missing\.pem: no such file$/],
    ["a key that is not PEM", (d: string) => ({ tls_cert: selfSigned(d, "s").cert, tls_key: notPem(d) }), /^source `web` cannot use tls_key \S+bad\.key: it is not a PEM file \(no "-----BEGIN" line\)$/],
    ["a key of another certificate", (d: string) => ({ tls_cert: selfSigned(d, "s").cert, tls_key: selfSigned(d, "t").key }), /^source `web` cannot use tls_cert \S+ with tls_key \S+: key values mismatch$/],
  ] as const)("refuses to start with %s, saying so", async (_, files, message) => {
    const dir = tempDir();
    const values = files(dir);
    const source = new HttpSource("web", configOf(httpSourceSpec, { bind: "127.0.0.1", port: 0, ...values }), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    const error = await source.start(silentLogger()).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (error === undefined) started.push(source);
    expect(error).toBeInstanceOf(UserFacingError);
    if (typeof message === "string") expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
  });
});
