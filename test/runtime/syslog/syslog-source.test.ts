import { execFile } from "node:child_process";
import * as dgram from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import type { Logger } from "../../../runtime/core/log";
import { attributeMetric } from "../../../runtime/metrics/attribute-catalogue";
import { forEachAttribute } from "../../../runtime/metrics/counter-attributes";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { SYSLOG_HEADERS } from "../../../runtime/sources/syslog/headers";
import { syslogSourceSpec } from "../../../runtime/sources/syslog/spec";
import { SyslogSource, SyslogSourceCounter, type SyslogSourceConfig } from "../../../runtime/sources/syslog/syslog-source";
import { consume, takeAll } from "../../helpers/channel-io";
import { bodies } from "../../helpers/events";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { connectTcp, endWith, whenClosed } from "../../helpers/tcp-client";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";

interface Harness {
  readonly source: SyslogSource;
  readonly channel: MemoryChannel;
  readonly port: number;
  readonly address: string;
}

const running: { source: SyslogSource; channel: MemoryChannel }[] = [];
const sockets: Socket[] = [];
const udpSockets: dgram.Socket[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const socket of udpSockets.splice(0)) socket.close();
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const { source, channel } of running.splice(0)) {
    // stop() waits for messages still waiting for room in the channel: keep draining while it does.
    let stopped = false;
    const stopping = source.stop().then(() => {
      stopped = true;
    });
    const deadline = Date.now() + 5_000;
    while (!stopped && Date.now() < deadline) {
      takeAll(channel);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (!stopped) throw new Error("cleanup: SyslogSource.stop() did not resolve within 5 s");
    await stopping;
  }
});

function config(values: Partial<SyslogSourceConfig> = {}): SyslogSourceConfig {
  return configOf(syslogSourceSpec, { bind: "127.0.0.1", port: 0, timezone: "UTC", ...values });
}

async function startSource(
  values: Partial<SyslogSourceConfig> = {},
  channelConfig: { capacity?: number; transaction_capacity?: number } = {},
  log: Logger = silentLogger(),
): Promise<Harness> {
  const channel = memoryChannel("c", { capacity: channelConfig.capacity ?? 100_000, transaction_capacity: channelConfig.transaction_capacity ?? 1_000 });
  await channel.start();
  const source = new SyslogSource("syslog", config(values), new ReplicatingProcessor({ required: [channel] }));
  const address = await source.start(log);
  running.push({ source, channel });
  const match = /^(tcp|udp|tcp\+udp):\/\/127\.0\.0\.1:(\d+)$/.exec(address);
  if (match === null) throw new Error(`unexpected start() result ${address}`);
  return { source, channel, port: Number(match[2]), address };
}

async function client(port: number): Promise<Socket> {
  const socket = await connectTcp(port);
  sockets.push(socket);
  return socket;
}

/** Sends each message as one datagram, in order, waiting for each send to complete. */
async function sendUdp(port: number, messages: readonly (string | Buffer)[]): Promise<void> {
  const socket = dgram.createSocket("udp4");
  udpSockets.push(socket);
  for (const message of messages) {
    await new Promise<void>((resolve, reject) => socket.send(message, port, "127.0.0.1", (error) => (error ? reject(error) : resolve())));
  }
}

async function receive(channel: MemoryChannel, count: number, timeoutMs = 5_000, maxPerTake?: number): Promise<FlowEvent[]> {
  const events = await consume(channel, maxPerTake === undefined ? { count, timeoutMs } : { count, timeoutMs, maxPerTake });
  if (events.length < count) throw new Error(`only ${events.length} of ${count} events arrived within ${timeoutMs} ms (last: ${bodies(events.slice(-3)).join(" | ") || "none"})`);
  return events;
}

/** Runs util-linux `logger` (the real client users have) against the source. */
function logger(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("/usr/bin/logger", [...args], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`logger ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

const octet = (message: string): string => `${Buffer.byteLength(message)} ${message}`;
const rfc5424 = (text: string, pri = 13): string => `<${pri}>1 2026-11-21T23:26:38.780743+00:00 vm app 42 ID7 [ex@32473 k="v"] ${text}`;

describe("SyslogSource over TCP", () => {
  it("listens on TCP only, and parses newline-framed RFC 5424 and RFC 3164 messages into headers", async () => {
    const { source, channel, port, address } = await startSource({ protocol: "tcp" });
    expect(address).toBe(`tcp://127.0.0.1:${port}`);
    const socket = await client(port);
    await endWith(socket, `${rfc5424("first")}\n<34>Nov 21 23:26:38 vm su[7]: second\n`);
    const events = await receive(channel, 2);
    expect(bodies(events)).toEqual(["first", "second"]);
    expect(events[0]?.headers).toEqual({
      Facility: "1",
      Severity: "5",
      timestamp: String(Date.parse("2026-11-21T23:26:38.780Z")),
      host: "vm",
      app: "app",
      procid: "42",
      msgid: "ID7",
      structured_data: '[ex@32473 k="v"]',
      version: "1",
    });
    expect(events[1]?.headers).toMatchObject({ Facility: "4", Severity: "2", host: "vm", app: "su", procid: "7" });
    expect(source.counter.EventReceivedCount).toBe(2);
    expect(source.counter.EventAcceptedCount).toBe(2);
    await waitFor("the connection to be closed", () => source.counter.OpenConnectionCount === 0, 5_000);
  });

  it("detects octet counting per connection, keeping newlines inside messages", async () => {
    const { channel, port } = await startSource({ protocol: "tcp" });
    const counted = await client(port);
    const lines = await client(port);
    await endWith(counted, octet(rfc5424("two\nlines")) + octet(rfc5424("three")));
    await endWith(lines, `${rfc5424("plain")}\n`);
    const got = bodies(await receive(channel, 3)).sort();
    expect(got).toEqual(["plain", "three", "two\nlines"]);
  });

  it("sets the sender's address in client_ip_header", async () => {
    const { channel, port } = await startSource({ protocol: "tcp", client_ip_header: "client" });
    await endWith(await client(port), `${rfc5424("x")}\n`);
    const [event] = await receive(channel, 1);
    expect(event?.headers.client).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it("keeps messages that are not syslog, marked Invalid, logs the problem once per interval and counts each", async () => {
    const { log, lines } = recordingLogger();
    const { source, channel, port } = await startSource({ protocol: "tcp" }, {}, log);
    await endWith(await client(port), "not syslog 1\nnot syslog 2\n<999>bad pri\n" + `${rfc5424("fine")}\n`);
    const events = await receive(channel, 4);
    expect(bodies(events)).toEqual(["not syslog 1", "not syslog 2", "<999>bad pri", "fine"]);
    expect(events.map((e) => e.headers["flume.syslog.status"])).toEqual(["Invalid", "Invalid", "Invalid", undefined]);
    expect(source.counter.MessageInvalidCount).toBe(3);
    const warnings = lines.filter((line) => line.includes("not valid syslog"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("level=warn");
    expect(warnings[0]).toContain("source=syslog");
    expect(warnings[0]).toContain('message="not syslog 1"');
    expect(warnings[0]).toMatch(/peer=(::ffff:)?127\.0\.0\.1:\d+/);
  });

  it("cuts a message over max_message_size, marks it Incomplete, and goes on with the next one", async () => {
    const { source, channel, port } = await startSource({ protocol: "tcp", max_message_size: 128 });
    const long = rfc5424("x".repeat(500));
    await endWith(await client(port), `${long}\n${rfc5424("after")}\n`);
    const events = await receive(channel, 2);
    expect(events[0]?.headers["flume.syslog.status"]).toBe("Incomplete");
    expect(events[0]?.headers.app).toBe("app");
    expect(events[0]?.bodyText()).toBe(long.slice(long.indexOf("] ") + 2, 128));
    expect(events[1]?.bodyText()).toBe("after");
    expect(events[1]?.headers["flume.syslog.status"]).toBeUndefined();
    expect(source.counter.MessageIncompleteCount).toBe(1);
  });

  it("survives a hostile octet count: the first max_message_size bytes arrive, nothing more is held, other connections go on", async () => {
    const { log, lines } = recordingLogger();
    const { source, channel, port } = await startSource({ protocol: "tcp", max_message_size: 128 }, {}, log);
    const hostile = await client(port);
    hostile.write(`9999999999 ${rfc5424("y".repeat(1_000))}`);
    for (let i = 0; i < 20; i++) hostile.write("z".repeat(10_000));
    const [cut] = await receive(channel, 1);
    expect(cut?.headers["flume.syslog.status"]).toBe("Incomplete");
    expect(cut?.body.length).toBeLessThanOrEqual(128);
    await endWith(await client(port), `${rfc5424("other connection")}\n`);
    expect(bodies(await receive(channel, 1))).toEqual(["other connection"]);
    const internals = source as unknown as { connections: Set<{ framer: { pendingBytes: number } }> };
    for (const connection of internals.connections) expect(connection.framer.pendingBytes).toBe(0);
    expect(source.counter.MessageIncompleteCount).toBe(1);
    expect(lines.filter((line) => line.includes("longer than max_message_size"))).toHaveLength(1);
  });

  it("keeps an octet-counted message cut off by the end of its connection, marked Incomplete", async () => {
    const { log, lines } = recordingLogger();
    const { source, channel, port } = await startSource({ protocol: "tcp" }, {}, log);
    await endWith(await client(port), `${octet(rfc5424("whole"))}200 ${rfc5424("only part")}`);
    const events = await receive(channel, 2);
    expect(bodies(events)).toEqual(["whole", "only part"]);
    expect(events[1]?.headers["flume.syslog.status"]).toBe("Incomplete");
    expect(source.counter.MessageIncompleteCount).toBe(1);
    expect(lines.some((line) => line.includes("ended in the middle of an octet-counted message"))).toBe(true);
  });

  it("reads a frame without a valid octet count up to the next newline and counts a framing error", async () => {
    const { source, channel, port } = await startSource({ protocol: "tcp", framing: "octet_counting" });
    await endWith(await client(port), `${rfc5424("newline framed")}\n${octet(rfc5424("counted"))}`);
    expect(bodies(await receive(channel, 2))).toEqual(["newline framed", "counted"]);
    expect(source.counter.FramingErrorCount).toBe(1);
  });

  it("passes NUL bytes and bytes that are not UTF-8 through in the body", async () => {
    const { channel, port } = await startSource({ protocol: "tcp" });
    const body = Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x00]);
    await endWith(await client(port), Buffer.concat([Buffer.from("<13>1 - vm app - - - "), body, Buffer.from("\n")]));
    const [event] = await receive(channel, 1);
    expect(event?.body.equals(body)).toBe(true);
    expect(event?.headers["flume.syslog.status"]).toBeUndefined();
  });

  it("counts and reports an unfinished message discarded when its sender resets the connection", async () => {
    const { log, lines } = recordingLogger();
    const { source, channel, port } = await startSource({ protocol: "tcp" }, {}, log);
    const socket = await client(port);
    socket.write(`${rfc5424("complete")}\n<13>1 unfinished`);
    expect(bodies(await receive(channel, 1))).toEqual(["complete"]);
    const internals = source as unknown as { connections: Set<{ framer: { pendingBytes: number } }> };
    await waitFor("the unfinished message to reach the source", () => [...internals.connections].some((c) => c.framer.pendingBytes > 0), 5_000);
    socket.resetAndDestroy();
    await waitFor("the connection to be gone", () => source.counter.OpenConnectionCount === 0, 5_000);
    expect(source.counter.EventReadFail).toBe(1);
    expect(lines.filter((line) => line.includes("unfinished message"))).toHaveLength(1);
    expect(takeAll(channel)).toEqual([]);
  });

  it("pushes back with a tiny channel: every message arrives exactly once and in order", async () => {
    const TOTAL = 5_000;
    const { source, channel, port } = await startSource({ protocol: "tcp", batch_size: 10 }, { capacity: 50, transaction_capacity: 10 });
    const socket = await client(port);
    const expected = Array.from({ length: TOTAL }, (_, i) => `message-${String(i).padStart(6, "0")}`);
    const sent = endWith(socket, expected.map((text) => octet(rfc5424(text))).join(""));
    const got = bodies(await receive(channel, TOTAL, 30_000, 7));
    await withTimeout(sent, 5_000, "the client to finish sending");
    expect(got.findIndex((body, i) => body !== expected[i])).toBe(-1);
    expect(source.counter.ChannelWriteFail).toBeGreaterThan(0);
    expect(source.counter.EventReceivedCount).toBe(TOTAL);
    expect(source.counter.EventAcceptedCount).toBe(TOTAL);
  }, 40_000);

  it("closes connections beyond max_connections and counts them", async () => {
    const { source, port } = await startSource({ protocol: "tcp", max_connections: 1 });
    await client(port);
    await waitFor("the first connection", () => source.counter.OpenConnectionCount === 1, 5_000);
    const second = await client(port);
    await withTimeout(whenClosed(second), 5_000, "the connection over max_connections to be closed");
    expect(source.counter.ConnectionRejectedCount).toBe(1);
    expect(source.counter.OpenConnectionCount).toBe(1);
  });
});

describe("SyslogSource over UDP", () => {
  it("listens on UDP only and makes one event per datagram, octet count or trailing newline or not", async () => {
    const { source, channel, port, address } = await startSource({ protocol: "udp", client_ip_header: "ip" });
    expect(address).toBe(`udp://127.0.0.1:${port}`);
    await sendUdp(port, ["<13>Nov 21 23:26:38 vm myapp: hello", octet(rfc5424("counted")), `${rfc5424("with newline")}\n`, "", "garbage"]);
    const events = await receive(channel, 4);
    expect(bodies(events)).toEqual(["hello", "counted", "with newline", "garbage"]);
    expect(events[0]?.headers).toMatchObject({ host: "vm", app: "myapp", ip: "127.0.0.1" });
    expect(events[3]?.headers["flume.syslog.status"]).toBe("Invalid");
    expect(source.counter.EventReceivedCount).toBe(4);
    expect(source.counter.EventAcceptedCount).toBe(4);
  });

  it("cuts a datagram over max_message_size and marks it Incomplete", async () => {
    const { source, channel, port } = await startSource({ protocol: "udp", max_message_size: 100 });
    await sendUdp(port, [rfc5424("u".repeat(1_000))]);
    const [event] = await receive(channel, 1);
    expect(event?.headers["flume.syslog.status"]).toBe("Incomplete");
    expect(event?.body.length).toBeLessThan(100);
    expect(source.counter.MessageIncompleteCount).toBe(1);
  });

  it("holds datagrams while the channel is full up to udp_buffer_size, then drops the newest and counts them", async () => {
    const { log, lines } = recordingLogger();
    const TOTAL = 60;
    const { source, channel, port } = await startSource({ protocol: "udp", batch_size: 5, udp_buffer_size: 3_000 }, { capacity: 5, transaction_capacity: 5 }, log);
    const sent = Array.from({ length: TOTAL }, (_, i) => `datagram-${String(i).padStart(3, "0")}`);
    await sendUdp(port, sent.map((text) => rfc5424(text)));
    await waitFor("every datagram to be received", () => source.counter.EventReceivedCount === TOTAL, 5_000);
    const dropped = source.counter.DatagramDroppedCount;
    expect(dropped).toBeGreaterThan(0);
    expect(source.counter.ChannelWriteFail).toBeGreaterThan(0);
    const got = bodies(await receive(channel, TOTAL - dropped));
    // What was not dropped arrives once, in the order sent, starting with the first ones (the newest are dropped).
    expect(got.slice(0, 5)).toEqual(sent.slice(0, 5));
    expect(got.every((body, i) => i === 0 || body > (got[i - 1] as string))).toBe(true);
    expect(new Set(got).size).toBe(got.length);
    expect(takeAll(channel)).toEqual([]);
    expect(source.counter.EventAcceptedCount).toBe(TOTAL - dropped);
    expect(lines.filter((line) => line.includes("dropped a UDP message"))).toHaveLength(1);
  });

  it("stop() hands the datagrams it holds to the channel before it resolves", async () => {
    const { source, channel, port } = await startSource({ protocol: "udp", batch_size: 5 }, { capacity: 5, transaction_capacity: 5 });
    const sent = Array.from({ length: 30 }, (_, i) => `held-${i}`);
    await sendUdp(port, sent.map((text) => rfc5424(text)));
    await waitFor("every datagram to be received", () => source.counter.EventReceivedCount === 30, 5_000);
    let stopped = false;
    const stopping = source.stop().then(() => (stopped = true));
    const got: string[] = [];
    const deadline = Date.now() + 5_000;
    while (!stopped && Date.now() < deadline) {
      got.push(...bodies(takeAll(channel)));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await withTimeout(stopping, 1_000, "stop()");
    got.push(...bodies(takeAll(channel)));
    expect(got).toEqual(sent);
    expect(source.counter.DatagramDroppedCount).toBe(0);
  });
});

describe("SyslogSource on both transports", () => {
  it("listens on TCP and UDP on one port, also when the port is picked (port 0)", async () => {
    const { channel, port, address } = await startSource({ protocol: "both" });
    expect(address).toBe(`tcp+udp://127.0.0.1:${port}`);
    await sendUdp(port, [rfc5424("by udp")]);
    await endWith(await client(port), `${rfc5424("by tcp")}\n`);
    expect(bodies(await receive(channel, 2)).sort()).toEqual(["by tcp", "by udp"]);
  });

  it("takes messages from util-linux logger: --tcp, --udp, --rfc3164, --rfc5424, --octet-count, --msgid, --sd-id/--sd-param", async () => {
    // logger writes RFC 3164 timestamps in local time: read them so.
    const { channel, port } = await startSource({ protocol: "both", timezone: "local" });
    const at = ["-n", "127.0.0.1", "-P", String(port)];
    await logger([...at, "--tcp", "--rfc5424", "-t", "unit", "-p", "local3.warning", "--msgid", "M1", "--sd-id", "ex@32473", "--sd-param", 'k="v"', "tcp 5424"]);
    await logger([...at, "--udp", "--rfc3164", "-t", "unit", "-i", "--id=4242", "udp 3164"]);
    await logger([...at, "--tcp", "--octet-count", "--rfc5424", "-t", "unit", "tcp octet"]);
    await logger([...at, "--udp", "--octet-count", "--rfc5424", "-t", "unit", "udp octet"]);
    const events = await receive(channel, 4);
    const byBody = new Map(events.map((event) => [event.bodyText(), event.headers]));
    expect([...byBody.keys()].sort()).toEqual(["tcp 5424", "tcp octet", "udp 3164", "udp octet"]);
    expect(byBody.get("tcp 5424")).toMatchObject({ Facility: "19", Severity: "4", app: "unit", msgid: "M1", version: "1" });
    expect(byBody.get("tcp 5424")?.structured_data).toContain('[ex@32473 k="v"]');
    expect(byBody.get("udp 3164")).toMatchObject({ Facility: "1", Severity: "5", app: "unit", procid: "4242" });
    for (const headers of byBody.values()) {
      expect(headers["flume.syslog.status"]).toBeUndefined();
      expect(Math.abs(Number(headers.timestamp) - Date.now())).toBeLessThan(3_600_000);
      expect(headers.host).toMatch(/\S/);
    }
  });

  it("gives up on a fixed port whose UDP side is taken, closing its TCP side", async () => {
    const blocker = dgram.createSocket("udp4");
    udpSockets.push(blocker);
    const port = await new Promise<number>((resolve) => blocker.bind(0, "127.0.0.1", () => resolve(blocker.address().port)));
    const channel = memoryChannel("c", { capacity: 10, transaction_capacity: 10 });
    const source = new SyslogSource("syslog", config({ protocol: "both", port }), new ReplicatingProcessor({ required: [channel] }));
    const error = await source.start(silentLogger()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).exitCode).toBe(1);
    expect((error as UserFacingError).message).toBe(`source \`syslog\` cannot listen on 127.0.0.1:${port} (udp): the address is already in use`);
    // The TCP listener it had opened is closed: the port can be listened on again.
    const probe = createServer();
    servers.push(probe);
    await new Promise<void>((resolve, reject) => probe.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
    await withTimeout(source.stop(), 5_000, "stop() of a source that never listened");
  });

  it("reports a TCP port in use", async () => {
    const blocker = createServer();
    servers.push(blocker);
    const port = await new Promise<number>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as { port: number }).port)));
    const channel = memoryChannel("c", { capacity: 10, transaction_capacity: 10 });
    const source = new SyslogSource("syslog", config({ protocol: "tcp", port }), new ReplicatingProcessor({ required: [channel] }));
    await expect(source.start(silentLogger())).rejects.toThrow(`source \`syslog\` cannot listen on 127.0.0.1:${port} (tcp): the address is already in use`);
    await withTimeout(source.stop(), 5_000, "stop() of a source that never listened");
  });
});

describe("SyslogSource lifecycle and declarations", () => {
  it("stop() closes listeners and connections, resolves when called again, and works without start()", async () => {
    const { source, port } = await startSource({ protocol: "both" });
    const idle = await client(port);
    await waitFor("the connection to be accepted", () => source.counter.OpenConnectionCount === 1, 5_000);
    const first = source.stop();
    expect(source.stop()).toBe(first);
    await withTimeout(first, 5_000, "stop()");
    await withTimeout(whenClosed(idle), 5_000, "the idle connection to be closed");
    expect(source.counter.OpenConnectionCount).toBe(0);
    expect(source.counter.StopTime).toBeGreaterThan(0);
    await expect(connectTcp(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const never = new SyslogSource("never", config(), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    await withTimeout(never.stop(), 5_000, "stop() without start()");
  });

  it("refuses an unknown timezone with a message naming it (exit code 78, as for configuration)", () => {
    let thrown: unknown;
    try {
      new SyslogSource("s", config({ timezone: "Mars/Olympus_Mons" }), new ReplicatingProcessor({ required: [memoryChannel("c")] }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserFacingError);
    expect((thrown as UserFacingError).exitCode).toBe(78);
    expect((thrown as UserFacingError).message).toContain('source `s`: timezone "Mars/Olympus_Mons" is not known');
  });

  it("declares every header it sets, so routes on them type-check", () => {
    const declared = syslogSourceSpec.setsHeaders.flatMap((origin) => ("name" in origin ? [origin.name] : []));
    expect(declared.sort()).toEqual(Object.values(SYSLOG_HEADERS).sort());
    expect(syslogSourceSpec.setsHeaders).toContainEqual({ nameFrom: "client_ip_header" });
  });

  it("has every counter in the metrics catalogue, as a source's", () => {
    forEachAttribute(new SyslogSourceCounter(), (name) => {
      expect(attributeMetric(name)?.on, name).toContain("SOURCE");
    });
  });
});
