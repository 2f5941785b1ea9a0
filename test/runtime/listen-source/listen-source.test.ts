import { createSocket } from "node:dgram";
import { connect as tlsConnect } from "node:tls";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { FluentClient, EventTime as ClientEventTime } from "@fluent-org/logger";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import type { ChannelProcessor } from "../../../runtime/core/component";
import type { FlowEvent } from "../../../runtime/core/event";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { ListenSource, type ListenSourceConfig } from "../../../runtime/sources/listen/listen-source";
import { listenSourceSpec } from "../../../runtime/sources/listen/spec";
import { UserFacingError } from "../../../runtime/core/errors";
import { consume, takeAll } from "../../helpers/channel-io";
import { EventTime, modes, pack, RawClient } from "../../helpers/forward-raw-client";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { createTempDir } from "../../helpers/temp-dir";
import { makeTestCertificates, type TestCertificates } from "../../helpers/test-certificates";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";

interface Rig {
  readonly source: ListenSource;
  readonly channel: MemoryChannel;
  readonly port: number;
  readonly lines: string[];
}

const rigs: Rig[] = [];
const clients: RawClient[] = [];
const certDir = createTempDir("flowc-listen-certs-");
let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates(certDir.path);
});
afterAll(() => certDir.remove());

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const { source, channel } of rigs.splice(0)) {
    let stopped = false;
    const stopping = source.stop().then(() => (stopped = true));
    const deadline = Date.now() + 5_000;
    while (!stopped && Date.now() < deadline) {
      takeAll(channel);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (!stopped) throw new Error("cleanup: ListenSource.stop() did not resolve within 5 s");
    await stopping;
  }
});

async function start(
  config: Partial<ListenSourceConfig> = {},
  channelConfig: { capacity?: number; transaction_capacity?: number } = {},
  wrap: (processor: ChannelProcessor) => ChannelProcessor = (processor) => processor,
): Promise<Rig> {
  const channel = memoryChannel("c", { capacity: channelConfig.capacity ?? 100_000, transaction_capacity: channelConfig.transaction_capacity ?? 1_000 });
  await channel.start();
  const { log, lines } = recordingLogger();
  const source = new ListenSource("inbound", configOf(listenSourceSpec, { bind: "127.0.0.1", port: 0, ...config }), wrap(new ReplicatingProcessor({ required: [channel] })));
  const address = await withTimeout(source.start(log), 5_000, "start()");
  const rig = { source, channel, port: Number(/:(\d+)$/.exec(address)?.[1]), lines };
  rigs.push(rig);
  return rig;
}

async function client(port: number): Promise<RawClient> {
  const raw = await RawClient.open(port);
  clients.push(raw);
  return raw;
}

const entry = (body: string, extra: Record<string, unknown> = {}): readonly [EventTime, Record<string, unknown>] => [new EventTime(1_700_000_000, 5), { message: body, ...extra }];
const bodiesOf = (events: readonly FlowEvent[]): string[] => events.map((e) => e.body.toString());

describe("listen source: carrier modes and acknowledgements", () => {
  it("accepts Message, Forward, PackedForward and CompressedPackedForward, in order, acknowledging each chunk", async () => {
    const rig = await start();
    const raw = await client(rig.port);
    raw.send(
      modes.message("m", entry("m1"), "c-message"),
      modes.forward("f", [entry("f1"), entry("f2")], "c-forward"),
      modes.packedForward("p", [entry("p1"), entry("p2"), entry("p3")], "c-packed"),
      modes.compressedPackedForward("z", [entry("z1"), entry("z2")], "c-gzip"),
    );
    const events = await consume(rig.channel, { count: 8, timeoutMs: 5_000 });
    expect(bodiesOf(events)).toEqual(["m1", "f1", "f2", "p1", "p2", "p3", "z1", "z2"]);
    expect(events.map((e) => e.headers["tag"])).toEqual(["m", "f", "f", "p", "p", "p", "z", "z"]);
    expect(events[0]?.headers).toEqual({ tag: "m", timestamp: "1700000000000", timestamp_ns: "1700000000000000005" });
    await raw.until("4 acks", () => raw.acks().length === 4);
    expect(raw.acks()).toEqual(["c-message", "c-forward", "c-packed", "c-gzip"]);
    const counter = rig.source.counter;
    expect([counter.EventReceivedCount, counter.EventAcceptedCount, counter.AckSentCount]).toEqual([8, 8, 4]);
    expect([counter.AppendReceivedCount, counter.AppendAcceptedCount, counter.AppendBatchReceivedCount, counter.AppendBatchAcceptedCount]).toEqual([1, 1, 3, 3]);
  });

  it("reads CompressedPackedForward entries made of several gzip members", async () => {
    const rig = await start();
    const raw = await client(rig.port);
    const members = Buffer.concat([gzipSync(pack(entry("first member"))), gzipSync(pack(entry("second member")))]);
    raw.send(pack(["t", members, { compressed: "gzip", chunk: "members" }]));
    await raw.until("the ack", () => raw.acks().length === 1);
    expect(bodiesOf(takeAll(rig.channel))).toEqual(["first member", "second member"]);
  });

  it("sends no ack for a message without a chunk id, and still delivers it", async () => {
    const rig = await start();
    const raw = await client(rig.port);
    raw.send(modes.forward("t", [entry("no-ack")]), pack(null), modes.message("t", entry("with-ack"), "c1"));
    await raw.until("the ack of c1", () => raw.acks().length === 1);
    expect(raw.acks()).toEqual(["c1"]);
    expect(bodiesOf(takeAll(rig.channel))).toEqual(["no-ack", "with-ack"]);
  });

  it("acknowledges only once the whole chunk is committed: not while the channel is full, then after it drained", async () => {
    const rig = await start({ batch_size: 4 }, { capacity: 6, transaction_capacity: 4 });
    const raw = await client(rig.port);
    raw.send(modes.packedForward("t", Array.from({ length: 10 }, (_, i) => entry(`e${i}`)), "big"));
    await waitFor("a refused batch", () => rig.source.counter.ChannelWriteFail > 0, 5_000);
    expect(raw.acks()).toEqual([]);
    expect(rig.source.counter.AckSentCount).toBe(0);
    const events = await consume(rig.channel, { count: 10, timeoutMs: 5_000, maxPerTake: 3 });
    expect(bodiesOf(events)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    await raw.until("the ack", () => raw.acks().length === 1);
    expect(rig.source.counter.EventAcceptedCount).toBe(10);
  });

  it("waits for the channels to make a chunk durable before acknowledging it, and never acks one that could not be", async () => {
    type Settle = { resolve: () => void; reject: (error: Error) => void };
    const pending: { settle: Settle | undefined } = { settle: undefined };
    // A function, so TypeScript does not narrow `pending.settle` across the awaits that change it.
    const settle = (): Settle => pending.settle as Settle;
    const rig = await start({}, {}, (processor) => ({
      process: (events) => processor.process(events),
      whenWritable: () => processor.whenWritable(),
      whenDurable: () => new Promise<void>((resolve, reject) => (pending.settle = { resolve, reject })),
    }));
    const raw = await client(rig.port);
    raw.send(modes.message("t", entry("durable"), "d1"));
    await waitFor("the put", () => rig.channel.size() === 1, 5_000);
    await waitFor("a wait for durability", () => pending.settle !== undefined, 5_000);
    expect(raw.acks()).toEqual([]);
    settle().resolve();
    await raw.until("the ack", () => raw.acks().length === 1);
    pending.settle = undefined;
    raw.send(modes.message("t", entry("lost"), "d2"));
    await waitFor("a wait for durability", () => pending.settle !== undefined, 5_000);
    settle().reject(new Error("ENOSPC"));
    await raw.until("the connection to close", () => raw.closed);
    expect(raw.acks()).toEqual(["d1"]);
    expect(rig.lines.join("")).toContain("channel could not make a chunk durable; not acknowledged");
  });

  it("drops the rest of a chunk whose sender left while it waited for room, instead of keeping a copy the sender will resend", async () => {
    const rig = await start({ batch_size: 2 }, { capacity: 2, transaction_capacity: 2 });
    const raw = await client(rig.port);
    raw.send(modes.forward("t", [entry("a"), entry("b"), entry("c"), entry("d")], "gone"));
    await waitFor("a refused batch", () => rig.source.counter.ChannelWriteFail > 0, 5_000);
    raw.destroy();
    await waitFor("the chunk to be abandoned", () => rig.source.counter.ChunkAbandonedCount === 1, 5_000);
    expect(bodiesOf(takeAll(rig.channel))).toEqual(["a", "b"]);
    await waitFor("the connection to be forgotten", () => rig.source.counter.OpenConnectionCount === 0, 5_000);
  });
});

describe("listen source: hostile input", () => {
  const hostile: [string, Buffer, RegExp][] = [
    ["garbage bytes", Buffer.from([0xc1, 0x00, 0xff]), /invalid type byte 0xc1/],
    ["a huge array header", Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xfe]), /message larger than max_message_size \(16777216 bytes\): 4294967294 elements are announced/],
    ["a huge string header", Buffer.from([0x93, 0xdb, 0x7f, 0xff, 0xff, 0xff]), /message larger than max_message_size/],
    ["a tag that is not a string", pack([42, 1_700_000_000, { message: "x" }, { chunk: "c" }]), /tag: expected a string, got an integer/],
    ["a record that is not a map", pack(["t", 1_700_000_000, ["x"], { chunk: "c" }]), /record: expected a map, got an array/],
    ["a time that is a string", pack(["t", [["yesterday", { message: "x" }]], { chunk: "c" }]), /entry time: expected an EventTime or an integer, got a string/],
    ["a top-level value that is not an array", pack({ message: "x" }), /expected a Forward message \(an array\), got a map/],
    ["entries that are not gzip", pack(["t", Buffer.from("not gzip"), { compressed: "gzip", chunk: "c" }]), /gzip: /],
  ];

  it.each(hostile)("closes the connection on %s, counts and logs it, accepts nothing of it and keeps serving", async (_name, bytes, error) => {
    const rig = await start();
    const raw = await client(rig.port);
    raw.send(modes.message("t", entry("before"), "ok"), bytes, modes.message("t", entry("after"), "never"));
    await raw.until("the connection to close", () => raw.closed);
    expect(raw.acks()).toEqual(["ok"]);
    expect(bodiesOf(takeAll(rig.channel))).toEqual(["before"]);
    expect(rig.source.counter.ProtocolErrorCount).toBe(1);
    expect(rig.source.counter.EventReadFail).toBe(1);
    const line = rig.lines.find((l) => l.includes("malformed message; connection closed")) ?? "";
    expect(line).toMatch(/level=warn .*source=inbound peer=127\.0\.0\.1:\d+ error=/);
    expect(line).toMatch(error);
    // The source still serves other connections.
    const next = await client(rig.port);
    next.send(modes.message("t", entry("next"), "n"));
    await next.until("an ack", () => next.acks().length === 1);
    await waitFor("the connection to be forgotten", () => rig.source.counter.OpenConnectionCount === 1, 5_000);
  });

  it("never half-accepts a chunk: one bad entry in the middle refuses all of it", async () => {
    const rig = await start();
    const raw = await client(rig.port);
    const entries = Buffer.concat([pack(entry("first")), pack([1_700_000_000, "not a record"]), pack(entry("third"))]);
    raw.send(pack(["t", entries, { chunk: "half" }]));
    await raw.until("the connection to close", () => raw.closed);
    expect(takeAll(rig.channel)).toEqual([]);
    expect(raw.acks()).toEqual([]);
    expect([rig.source.counter.EventReceivedCount, rig.source.counter.EventAcceptedCount]).toEqual([0, 0]);
  });

  it("refuses a message over max_message_size as it arrives, and gzip entries that inflate past it", async () => {
    const rig = await start({ max_message_size: 4_096 });
    const raw = await client(rig.port);
    raw.send(modes.forward("t", Array.from({ length: 100 }, (_, i) => entry(`${i}`.padEnd(100, "x"))), "big"));
    await raw.until("the connection to close", () => raw.closed);
    const bomb = await client(rig.port);
    bomb.send(modes.compressedPackedForward("t", [entry("y".repeat(100_000))], "bomb"));
    await bomb.until("the connection to close", () => bomb.closed);
    expect(takeAll(rig.channel)).toEqual([]);
    expect(rig.source.counter.ProtocolErrorCount).toBe(2);
    expect(rig.lines.join("")).toContain("decompressed entries larger than max_message_size (4096 bytes)");
  });

  it("refuses CompressedPackedForward when allow_gzip is false", async () => {
    const rig = await start({ allow_gzip: false });
    const raw = await client(rig.port);
    raw.send(modes.compressedPackedForward("t", [entry("z")], "c"));
    await raw.until("the connection to close", () => raw.closed);
    expect(rig.lines.join("")).toContain("CompressedPackedForward (gzip) is not allowed here (allow_gzip = false)");
  });

  it("closes connections beyond max_connections at once, counting them", async () => {
    const rig = await start({ max_connections: 2 });
    const first = await client(rig.port);
    const second = await client(rig.port);
    await waitFor("two connections", () => rig.source.counter.OpenConnectionCount === 2, 5_000);
    const third = await client(rig.port);
    await third.until("the third connection to be closed", () => third.closed);
    expect(rig.source.counter.ConnectionRejectedCount).toBe(1);
    expect(rig.lines.join("")).toContain("connection refused: max_connections are open");
    first.send(modes.message("t", entry("still served"), "s"));
    await first.until("an ack", () => first.acks().length === 1);
    expect(second.closed).toBe(false);
  });
});

describe("listen source: handshake", () => {
  it("with a shared key: answers HELO/PONG with the digests of the specification and accepts events after it", async () => {
    const rig = await start({ shared_key: "s3cret", self_hostname: "collector-1" });
    const raw = await client(rig.port);
    const result = await raw.handshake({ sharedKey: "s3cret" });
    expect(result).toEqual({ ok: true, reason: "", serverDigestOk: true });
    expect((raw.responses[0] as [string, { auth: unknown; keepalive: boolean }])[1]).toMatchObject({ auth: "", keepalive: true });
    expect((raw.responses[1] as unknown[])[3]).toBe("collector-1");
    raw.send(modes.message("t", entry("authenticated"), "a"));
    await raw.until("an ack", () => raw.acks().length === 1);
  });

  it.each([
    ["a wrong shared key", { sharedKey: "guess" }, "shared_key mismatch"],
    ["an unknown user", { sharedKey: "s3cret", username: "mallory", password: "x" }, "username/password mismatch"],
    ["a wrong password", { sharedKey: "s3cret", username: "edge", password: "wrong" }, "username/password mismatch"],
  ])("refuses %s with PONG false, closes, counts and logs it", async (_name, credentials, reason) => {
    const rig = await start({ shared_key: "s3cret", users: { edge: "pa55" } });
    const raw = await client(rig.port);
    const result = await raw.handshake(credentials);
    expect(result.ok).toBe(false);
    expect(result.reason).toBe(reason);
    await raw.until("the connection to close", () => raw.closed);
    expect(rig.source.counter.AuthFailureCount).toBe(1);
    expect(rig.lines.join("")).toContain(`msg="handshake failed; connection closed" source=inbound`);
    expect(rig.lines.join("")).toContain(`reason="${reason}"`);
    expect(rig.lines.join("")).not.toContain("pa55");
  });

  it("accepts the right user and password", async () => {
    const rig = await start({ shared_key: "s3cret", users: { edge: "pa55" } });
    const raw = await client(rig.port);
    expect((await raw.handshake({ sharedKey: "s3cret", username: "edge", password: "pa55" })).ok).toBe(true);
  });

  it("refuses events sent without the handshake", async () => {
    const rig = await start({ shared_key: "s3cret" });
    const raw = await client(rig.port);
    raw.send(modes.message("t", entry("sneaky"), "c"));
    await raw.until("the connection to close", () => raw.closed);
    expect(takeAll(rig.channel)).toEqual([]);
    expect(rig.source.counter.AuthFailureCount).toBe(1);
  });

  it("refuses `users` without `shared_key`, and TLS files without `tls = true`", () => {
    const processor = new ReplicatingProcessor({ required: [memoryChannel("x")] });
    expect(() => new ListenSource("s", configOf(listenSourceSpec, { users: { a: "b" } }), processor)).toThrow(UserFacingError);
    expect(() => new ListenSource("s", configOf(listenSourceSpec, { users: { a: "b" } }), processor)).toThrow("`users` needs `shared_key`");
    expect(() => new ListenSource("s", configOf(listenSourceSpec, { tls_cert: "x.pem" }), processor)).toThrow("need `tls = true`");
    expect(() => new ListenSource("s", configOf(listenSourceSpec, { tls: true }), processor)).toThrow("`tls = true` needs `tls_cert` and `tls_key`");
  });
});

describe("listen source: TLS, heartbeats, start and stop", () => {
  it("accepts TLS connections; with tls_client_ca refuses a client without a certificate it signed (counted and logged)", async () => {
    const rig = await start({ tls: true, tls_cert: certs.serverCert, tls_key: certs.serverKey, tls_client_ca: certs.caCert });
    const connectWith = (options: { cert?: Buffer; key?: Buffer }): Promise<{ acked: boolean; error?: string }> =>
      new Promise((resolve) => {
        const socket = tlsConnect({ host: "127.0.0.1", port: rig.port, ca: readFileSync(certs.caCert), ...options }, () => socket.write(modes.message("t", entry("over tls"), "tls")));
        socket.on("data", (data: Buffer) => {
          socket.destroy();
          resolve({ acked: data.includes(Buffer.from("tls")) });
        });
        socket.on("error", (error) => resolve({ acked: false, error: error.message }));
        socket.on("close", () => resolve({ acked: false }));
      });
    expect((await connectWith({ cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) })).acked).toBe(true);
    expect((await connectWith({})).acked).toBe(false);
    await waitFor("the refused TLS handshake to be counted", () => rig.source.counter.TlsFailureCount === 1, 5_000);
    expect(rig.lines.join("")).toContain("TLS handshake failed; connection closed");
    expect(bodiesOf(takeAll(rig.channel))).toEqual(["over tls"]);
  });

  it("answers a UDP heartbeat on the same port with 0x00", async () => {
    const rig = await start();
    const udp = createSocket("udp4");
    try {
      const answer = await withTimeout(
        new Promise<Buffer>((resolve) => {
          udp.on("message", (message) => resolve(message));
          udp.send(Buffer.from([0]), rig.port, "127.0.0.1");
        }),
        5_000,
        "the heartbeat answer",
      );
      expect([...answer]).toEqual([0]);
      expect(rig.source.counter.HeartbeatCount).toBe(1);
    } finally {
      udp.close();
    }
  });

  it("fails to start with a clear message when the port is taken, and for an unreadable certificate", async () => {
    const rig = await start();
    const processor = new ReplicatingProcessor({ required: [memoryChannel("x")] });
    const taken = new ListenSource("second", configOf(listenSourceSpec, { bind: "127.0.0.1", port: rig.port }), processor);
    await expect(taken.start(silentLogger())).rejects.toThrow(`source \`second\` cannot listen on 127.0.0.1:${rig.port}: the address is already in use`);
    const missing = new ListenSource("third", configOf(listenSourceSpec, { bind: "127.0.0.1", port: 0, tls: true, tls_cert: "/nonexistent.pem", tls_key: certs.serverKey }), processor);
    await expect(missing.start(silentLogger())).rejects.toThrow("source `third` cannot read tls_cert /nonexistent.pem");
  });

  it("stop() closes idle connections, and hands over a chunk waiting for room (acknowledging it) before resolving", async () => {
    const rig = await start({ batch_size: 2 }, { capacity: 2, transaction_capacity: 2 });
    const idle = await client(rig.port);
    const busy = await client(rig.port);
    busy.send(modes.forward("t", [entry("a"), entry("b"), entry("c")], "last"));
    await waitFor("a refused batch", () => rig.source.counter.ChannelWriteFail > 0, 5_000);
    let stopped = false;
    const stopping = rig.source.stop().then(() => (stopped = true));
    await idle.until("the idle connection to close", () => idle.closed);
    expect(stopped).toBe(false);
    const events = await consume(rig.channel, { count: 3, timeoutMs: 5_000 });
    await withTimeout(stopping, 5_000, "stop()");
    expect(bodiesOf(events)).toEqual(["a", "b", "c"]);
    await busy.until("the ack and the close", () => busy.closed);
    expect(busy.acks()).toEqual(["last"]);
  });
});

describe("listen source: interoperability with @fluent-org/logger", () => {
  const eventModes = ["Message", "Forward", "PackedForward", "CompressedPackedForward"] as const;

  it.each(eventModes)("receives %s events with acknowledgements (requireAck)", async (eventMode) => {
    const rig = await start();
    const fluent = new FluentClient("app", { eventMode, socket: { host: "127.0.0.1", port: rig.port, disableReconnect: true }, ack: { ackTimeout: 5_000 }, milliseconds: true });
    try {
      await withTimeout(fluent.connect(), 5_000, "the client to connect");
      await withTimeout(Promise.all([fluent.emit("web", { message: "one", user: "ann" }, new ClientEventTime(1_700_000_000, 42)), fluent.emit("web", { message: "two" })]), 10_000, "the client's acknowledgements");
    } finally {
      await fluent.shutdown();
    }
    const events = takeAll(rig.channel);
    expect(bodiesOf(events)).toEqual(["one", "two"]);
    expect(events[0]?.headers).toEqual({ user: "ann", tag: "app.web", timestamp: "1700000000000", timestamp_ns: "1700000000000000042" });
    expect(rig.source.counter.AckSentCount).toBeGreaterThanOrEqual(1);
  });

  it("completes its handshake with a shared key, user and password, over TLS", async () => {
    const rig = await start({ shared_key: "k3y", users: { edge: "pa55" }, tls: true, tls_cert: certs.serverCert, tls_key: certs.serverKey });
    const fluent = new FluentClient("secure", {
      socket: { host: "127.0.0.1", port: rig.port, disableReconnect: true, tls: { ca: readFileSync(certs.caCert), servername: "localhost" } },
      security: { clientHostname: "edge-host", sharedKey: "k3y", username: "edge", password: "pa55" },
      ack: { ackTimeout: 5_000 },
    });
    try {
      await withTimeout(fluent.connect(), 5_000, "the client to connect");
      await withTimeout(fluent.emit("x", { message: "secret stuff" }), 10_000, "the client's acknowledgement");
    } finally {
      await fluent.shutdown();
    }
    expect(bodiesOf(takeAll(rig.channel))).toEqual(["secret stuff"]);
    expect(rig.source.counter.AuthFailureCount).toBe(0);
  });
});
