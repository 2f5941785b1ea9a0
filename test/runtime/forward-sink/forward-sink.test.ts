import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FluentServer } from "@fluent-org/logger";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FlowEvent } from "../../../runtime/core/event";
import { ForwardSink, type ForwardSinkConfig } from "../../../runtime/sinks/forward/forward-sink";
import { forwardSinkSpec } from "../../../runtime/sinks/forward/spec";
import { EventTime } from "../../helpers/forward-raw-client";
import { FakeReceiver } from "../../helpers/fake-forward-receiver";
import { freePort } from "../../helpers/free-port";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { createTempDir } from "../../helpers/temp-dir";
import { makeTestCertificates, type TestCertificates } from "../../helpers/test-certificates";
import { waitFor } from "../../helpers/wait-for";

const receivers: FakeReceiver[] = [];
const servers: FluentServer[] = [];
const sinks: ForwardSink[] = [];
const dir = createTempDir("flowc-forward-sink-");
let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates(dir.path);
});
afterAll(() => dir.remove());
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.stop();
  for (const receiver of receivers.splice(0)) await receiver.close();
  for (const server of servers.splice(0)) await server.close();
});

async function receiver(): Promise<FakeReceiver> {
  const fake = new FakeReceiver();
  receivers.push(fake);
  await fake.listen();
  return fake;
}

async function sink(config: Partial<ForwardSinkConfig>, log = silentLogger(), now?: () => number): Promise<ForwardSink> {
  const forward = new ForwardSink("uplink", configOf(forwardSinkSpec, config), now);
  sinks.push(forward);
  await forward.start(log);
  return forward;
}

const events = (count: number, headers: Record<string, string> = {}, prefix = "e"): FlowEvent[] => Array.from({ length: count }, (_, i) => new FlowEvent({ ...headers }, Buffer.from(`${prefix}${i}`)));

describe("forward sink: what it sends", () => {
  it("sends PackedForward messages as the specification describes them, acknowledged chunk by chunk", async () => {
    const fake = await receiver();
    const forward = await sink({ port: fake.port });
    const batch = [
      new FlowEvent({ tag: "app.web", timestamp: "1700000000123", timestamp_ns: "1700000000123456789", host: "h1" }, Buffer.from("GET / ü")),
      new FlowEvent({ tag: "app.web" }, Buffer.from([0xff, 0x00])),
    ];
    await forward.write(batch);
    expect(fake.messages).toHaveLength(1);
    const [tag, entries, option] = fake.messages[0] as [string, Uint8Array, Record<string, unknown>];
    expect(tag).toBe("app.web");
    expect(entries).toBeInstanceOf(Uint8Array); // `bin`, as a client SHOULD send it
    expect(Object.keys(option).sort()).toEqual(["chunk", "size"]);
    expect(option["size"]).toBe(2);
    expect(Buffer.from(option["chunk"] as string, "base64")).toHaveLength(16); // base64 of a 128-bit id
    const [first, second] = fake.entries();
    expect(first).toEqual(["app.web", new EventTime(1_700_000_000, 123_456_789), { message: "GET / ü", host: "h1" }]);
    expect(second?.[1]).toBeInstanceOf(EventTime); // the time the batch was sent
    expect([...(second?.[2]["message"] as Uint8Array)]).toEqual([0xff, 0x00]); // not UTF-8: binary, byte for byte
    // The raw bytes: an array of 3, a fixstr tag, then `bin` entries whose first entry starts with an EventTime (fixext 8, type 0).
    const raw = Buffer.concat(fake.bytes[0] as Buffer[]);
    expect(raw[0]).toBe(0x93);
    expect(raw.subarray(1, 9).toString("latin1")).toBe("\xa7app.web");
    expect([0xc4, 0xc5, 0xc6]).toContain(raw[9]);
    const counter = forward.counter;
    expect([counter.ChunkSentCount, counter.AckReceivedCount, counter.ConnectionCreatedCount]).toEqual([1, 1, 1]);
  });

  it("writes bytes that Debian's python3-msgpack decodes to the same entries", async () => {
    const fake = await receiver();
    const forward = await sink({ port: fake.port, compression: "gzip", tag: "py" });
    await forward.write([new FlowEvent({ timestamp: "1700000000001", level: "warn" }, Buffer.from("from flowc"))]);
    const file = join(dir.path, "message.bin");
    writeFileSync(file, Buffer.concat(fake.bytes[0] as Buffer[]));
    const script = [
      "import gzip, json, sys, msgpack",
      "def ext(code, data):",
      "    assert code == 0 and len(data) == 8",
      "    return [int.from_bytes(data[:4], 'big'), int.from_bytes(data[4:], 'big')]",
      "tag, entries, option = msgpack.unpackb(open(sys.argv[1], 'rb').read(), raw=False, ext_hook=ext)",
      "assert isinstance(entries, bytes) and option['compressed'] == 'gzip'",
      "out = [[tag, t, r] for t, r in msgpack.Unpacker(__import__('io').BytesIO(gzip.decompress(entries)), raw=False, ext_hook=ext)]",
      "print(json.dumps({'entries': out, 'size': option['size']}))",
    ].join("\n");
    const python = spawnSync("/usr/bin/python3", ["-c", script, file], { encoding: "utf8" });
    expect(python.stderr).toBe("");
    expect(JSON.parse(python.stdout)).toEqual({ entries: [["py", [1_700_000_000, 1_000_000], { message: "from flowc", level: "warn" }]], size: 1 });
  });

  it("sends CompressedPackedForward with gzip: the `compressed` option and gzipped `bin` entries", async () => {
    const fake = await receiver();
    const forward = await sink({ port: fake.port, compression: "gzip" });
    await forward.write(events(500));
    const option = fake.messages[0]?.[2] as Record<string, unknown>;
    expect(option["compressed"]).toBe("gzip");
    expect(fake.entries().map((entry) => entry[2]["message"])).toEqual(events(500).map((e) => e.body.toString()));
    expect(forward.counter.BytesSentCount).toBeLessThan(500 * 5);
  });

  it("sends runs of events with different tags as separate chunks, keeping the order", async () => {
    const fake = await receiver();
    const forward = await sink({ port: fake.port, tag: "default" });
    await forward.write([...events(2, { tag: "a" }, "a"), ...events(1, {}, "x"), ...events(2, { tag: "a" }, "b")]);
    expect(fake.messages.map((m) => [m[0], (m[2] as { size: number }).size])).toEqual([
      ["a", 2],
      ["default", 1],
      ["a", 2],
    ]);
    expect(fake.entries().map((e) => e[2]["message"])).toEqual(["a0", "a1", "x0", "b0", "b1"]);
  });

  it("cuts a large batch into chunks of about 64 KiB, all acknowledged before write() resolves", async () => {
    const fake = await receiver();
    const forward = await sink({ port: fake.port });
    const big = Array.from({ length: 2_000 }, (_, i) => new FlowEvent({}, Buffer.from(`${i}`.padEnd(200, "x"))));
    await forward.write(big);
    expect(fake.messages.length).toBeGreaterThan(4);
    expect(fake.entries()).toHaveLength(2_000);
    expect(forward.counter.AckReceivedCount).toBe(fake.messages.length);
  });

  it("without require_ack sends no chunk id and resolves once written", async () => {
    const fake = await receiver();
    fake.onChunk = () => "ignore";
    const forward = await sink({ port: fake.port, require_ack: false });
    await forward.write(events(3));
    await waitFor("the message", () => fake.messages.length === 1, 5_000);
    expect(Object.keys(fake.messages[0]?.[2] as object)).toEqual(["size"]);
  });
});

describe("forward sink: failures", () => {
  it("rejects when an ack does not come within ack_timeout, drops the connection, and delivers on the retry", async () => {
    const fake = await receiver();
    fake.onChunk = (index) => (index === 0 ? "ignore" : "ack");
    const forward = await sink({ port: fake.port, ack_timeout: 200 });
    await expect(forward.write(events(3))).rejects.toThrow(`no acknowledgement from 127.0.0.1:${fake.port} within 200 ms for 1 chunk(s)`);
    expect(forward.counter.AckTimeoutCount).toBe(1);
    await waitFor("the retry to be allowed", async () => {
      try {
        await forward.write(events(3));
        return true;
      } catch {
        return false;
      }
    }, 5_000);
    expect(fake.connections.length).toBe(2);
    expect(forward.counter.ConnectionCreatedCount).toBe(2);
  });

  it("rejects when the receiver closes the connection before acknowledging", async () => {
    const fake = await receiver();
    fake.onChunk = () => "close";
    const forward = await sink({ port: fake.port });
    await expect(forward.write(events(3))).rejects.toThrow(`connection to 127.0.0.1:${fake.port} closed by the receiver`);
  });

  it("says why it cannot connect, and does not retry before its backoff (a group fails over at once)", async () => {
    const port = await freePort();
    let now = 1_000_000;
    const forward = await sink({ port, reconnect_backoff_max: 60_000 }, silentLogger(), () => now);
    await expect(forward.write(events(1))).rejects.toThrow(`cannot connect to 127.0.0.1:${port}: connection refused (is the receiver running?)`);
    await expect(forward.write(events(1))).rejects.toThrow(`not reconnecting to 127.0.0.1:${port} for another 250 ms after 1 failure(s)`);
    expect(forward.counter.ConnectionFailedCount).toBe(1);
    now += 250;
    await expect(forward.write(events(1))).rejects.toThrow("connection refused");
    await expect(forward.write(events(1))).rejects.toThrow("for another 500 ms after 2 failure(s)");
  });

  it("tells a user whose receiver asks for a handshake to set shared_key", async () => {
    const server = new FluentServer({ security: { serverHostname: "collector", sharedKey: "k", authorize: false, userDict: {} }, listenOptions: { port: 0, host: "127.0.0.1" } });
    servers.push(server);
    await server.listen();
    const forward = await sink({ port: server.port as number });
    await expect(forward.write(events(1))).rejects.toThrow(`127.0.0.1:${server.port} asks for a handshake (it sent HELO): set shared_key to the receiver's`);
  });

  it("refuses bad settings at construction", () => {
    expect(() => new ForwardSink("s", configOf(forwardSinkSpec, { tls_ca: "ca.pem" }))).toThrow("need `tls = true`");
    expect(() => new ForwardSink("s", configOf(forwardSinkSpec, { tls: true, tls_cert: "c.pem" }))).toThrow("`tls_cert` and `tls_key` go together");
    expect(() => new ForwardSink("s", configOf(forwardSinkSpec, { password: "p" }))).toThrow("`password` needs `username`");
  });
});

describe("forward sink: interoperability with @fluent-org/logger's FluentServer", () => {
  async function fluentServer(options: ConstructorParameters<typeof FluentServer>[0]): Promise<{ server: FluentServer; received: [string, unknown, Record<string, unknown>][] }> {
    const server = new FluentServer({ listenOptions: { port: 0, host: "127.0.0.1" }, ...options });
    servers.push(server);
    const received: [string, unknown, Record<string, unknown>][] = [];
    server.on("entry", (tag: string, time: unknown, record: Record<string, unknown>) => received.push([tag, time, record]));
    await server.listen();
    return { server, received };
  }

  it("completes the handshake (shared key, user, password) and is acknowledged", async () => {
    const { server, received } = await fluentServer({ security: { serverHostname: "collector", sharedKey: "k3y", authorize: true, userDict: { edge: "pa55" } } });
    const forward = await sink({ port: server.port as number, shared_key: "k3y", username: "edge", password: "pa55", self_hostname: "edge-1" });
    await forward.write(events(3, { tag: "secure" }));
    expect(received.map(([tag, , record]) => [tag, record["message"]])).toEqual([
      ["secure", "e0"],
      ["secure", "e1"],
      ["secure", "e2"],
    ]);
  });

  it.each([
    ["a wrong shared key", { shared_key: "wrong", username: "edge", password: "pa55" }, "handshake with 127.0.0.1:PORT failed: the server refused the handshake: shared key mismatch"],
    ["a wrong password", { shared_key: "k3y", username: "edge", password: "nope" }, "the server refused the handshake: username/password mismatch"],
  ])("is refused with %s, says so, and counts it", async (_name, credentials, message) => {
    const { server } = await fluentServer({ security: { serverHostname: "collector", sharedKey: "k3y", authorize: true, userDict: { edge: "pa55" } } });
    const forward = await sink({ port: server.port as number, self_hostname: "edge-1", ...credentials });
    await expect(forward.write(events(1))).rejects.toThrow(message.replace("PORT", String(server.port)));
    expect(forward.counter.AuthFailureCount).toBe(1);
  });

  it("over TLS: trusts the receiver with tls_ca, refuses an untrusted certificate with a clear message", async () => {
    const tlsOptions = { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) };
    const { server, received } = await fluentServer({ tlsOptions });
    const trusting = await sink({ port: server.port as number, tls: true, tls_ca: certs.caCert });
    await trusting.write(events(2));
    expect(received).toHaveLength(2);
    const doubting = await sink({ port: server.port as number, tls: true });
    await expect(doubting.write(events(1))).rejects.toThrow(
      `TLS handshake with 127.0.0.1:${server.port} failed: the receiver's certificate is not trusted (unable to verify the first certificate); set tls_ca to the CA that signed it`,
    );
    const { log, lines } = recordingLogger();
    const careless = await sink({ port: server.port as number, tls: true, tls_verify: false }, log);
    await careless.write(events(1));
    expect(lines.join("")).toContain("tls_verify = false: the receiver's certificate is not checked");
  });
});
