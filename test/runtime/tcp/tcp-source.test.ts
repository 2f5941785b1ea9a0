import type { Socket } from "node:net";
import { connect, createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import { memoryChannel } from "../../helpers/memory-channel";
import { UserFacingError } from "../../../runtime/core/errors";
import type { FlowEvent } from "../../../runtime/core/event";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { tcpSourceSpec } from "../../../runtime/sources/tcp/spec";
import { TcpSource, type TcpSourceConfig } from "../../../runtime/sources/tcp/tcp-source";
import { consume, takeAll } from "../../helpers/channel-io";
import { bodies } from "../../helpers/events";
import { isSettled } from "../../helpers/is-settled";
import { recordingLogger, silentLogger } from "../../helpers/silent-logger";
import { connectTcp, endWith, whenClosed, whenEnded } from "../../helpers/tcp-client";
import { waitFor } from "../../helpers/wait-for";
import { configOf } from "../../helpers/spec-config";
import { withTimeout } from "../../helpers/with-timeout";

interface Harness {
  readonly source: TcpSource;
  readonly channel: MemoryChannel;
  readonly port: number;
  readonly address: string;
}

const sources: { source: TcpSource; channel: MemoryChannel }[] = [];
const sockets: Socket[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const { source, channel } of sources.splice(0)) {
    // stop() waits for events still waiting for room in the channel: keep draining while it does.
    let stopped = false;
    const stopping = source.stop().then(() => {
      stopped = true;
    });
    const deadline = Date.now() + 5_000;
    while (!stopped && Date.now() < deadline) {
      takeAll(channel);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (!stopped) throw new Error("cleanup: TcpSource.stop() did not resolve within 5 s");
    await stopping;
  }
});

async function startSource(
  options: { capacity?: number; transactionCapacity?: number; batchSize?: number; maxLineLength?: number; config?: Partial<TcpSourceConfig> } = {},
  log = silentLogger(),
): Promise<Harness> {
  const channel = memoryChannel("c", {
    capacity: options.capacity ?? 100_000,
    transaction_capacity: options.transactionCapacity ?? 1_000,
  });
  await channel.start();
  const config = configOf(tcpSourceSpec, {
    bind: "127.0.0.1",
    port: 0,
    batch_size: options.batchSize ?? 1_000,
    max_line_length: options.maxLineLength ?? 1_048_576,
    ...options.config,
  });
  const source = new TcpSource("lines", config, new ReplicatingProcessor({ required: [channel] }));
  const address = await source.start(log);
  sources.push({ source, channel });
  const match = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(address);
  if (match === null) throw new Error(`unexpected start() result ${address}`);
  return { source, channel, port: Number(match[1]), address };
}

async function client(port: number): Promise<Socket> {
  const socket = await connectTcp(port);
  sockets.push(socket);
  return socket;
}

/** Connects to 127.0.0.1:`port` and resolves with the error code that ends the connection once the peer resets it. */
function resetBySource(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    sockets.push(socket);
    let code: string | undefined;
    socket.on("error", (error: NodeJS.ErrnoException) => (code = error.code));
    socket.on("close", () => resolve(code));
    socket.resume();
  });
}

/** Takes committed events until `count` arrived or `timeoutMs` passed; fails with a clear message on shortfall. */
async function receive(channel: MemoryChannel, count: number, timeoutMs = 5_000, maxPerTake?: number): Promise<FlowEvent[]> {
  const events = await consume(channel, maxPerTake === undefined ? { count, timeoutMs } : { count, timeoutMs, maxPerTake });
  if (events.length < count) {
    const last = events.length > 0 ? bodies(events.slice(-3)).join(" | ") : "none";
    throw new Error(`only ${events.length} of ${count} events arrived within ${timeoutMs} ms (last: ${last})`);
  }
  return events;
}

function lines(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

describe("TcpSource", () => {
  it("starts listening and reports tcp://127.0.0.1:PORT", async () => {
    const { source, port, address } = await startSource();
    expect(address).toBe(`tcp://127.0.0.1:${port}`);
    expect(port).toBeGreaterThan(0);
    expect(source.counter.StartTime).toBeGreaterThan(0);
  });

  it("turns each line of a connection into one event, in order", async () => {
    const { source, channel, port } = await startSource();
    const socket = await client(port);
    await endWith(socket, "first\nsecond\n\nthird héllo\n");
    const events = await receive(channel, 4);
    expect(bodies(events)).toEqual(["first", "second", "", "third héllo"]);
    for (const e of events) expect(e.headers).toEqual({});
    expect(source.counter.EventReceivedCount).toBe(4);
    expect(source.counter.EventAcceptedCount).toBe(4);
    await waitFor("the connection to be closed", () => source.counter.OpenConnectionCount === 0, 5_000);
  });

  it("delivers lines written in pieces, byte for byte", async () => {
    const { channel, port } = await startSource();
    const socket = await client(port);
    const payload = Buffer.concat([Buffer.from("日本", "utf8"), Buffer.from([0xff, 0x00]), Buffer.from("語\nnext\n", "utf8")]);
    for (let i = 0; i < payload.length; i += 3) {
      socket.write(payload.subarray(i, i + 3));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const events = await receive(channel, 2);
    expect(Buffer.compare((events[0] as FlowEvent).body, payload.subarray(0, payload.indexOf(0x0a)))).toBe(0);
    expect(bodies(events.slice(1))).toEqual(["next"]);
  });

  it("delivers a final line without newline when the client ends", async () => {
    const { channel, port } = await startSource();
    const socket = await client(port);
    await endWith(socket, "a\nb\nno newline at the end");
    expect(bodies(await receive(channel, 3))).toEqual(["a", "b", "no newline at the end"]);
  });

  it("delivers every line of several concurrent connections, keeping each connection's order", async () => {
    const { source, channel, port } = await startSource();
    const CLIENTS = 6;
    const PER_CLIENT = 500;
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => client(port)));
    await waitFor("all connections accepted", () => source.counter.OpenConnectionCount === CLIENTS, 5_000);
    // Interleave the writes: each client sends its lines in small, unaligned pieces.
    const texts = clients.map((_, c) => lines(`c${c}-`, PER_CLIENT).join("\n") + "\n");
    for (let offset = 0; offset < (texts[0] as string).length + 100; offset += 37) {
      clients.forEach((socket, c) => {
        const piece = (texts[c] as string).slice(offset, offset + 37);
        if (piece.length > 0) socket.write(piece);
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(clients.map((socket) => endWith(socket, "")));
    const events = bodies(await receive(channel, CLIENTS * PER_CLIENT));
    for (let c = 0; c < CLIENTS; c++) {
      expect(events.filter((body) => body.startsWith(`c${c}-`)), `client ${c}`).toEqual(lines(`c${c}-`, PER_CLIENT));
    }
    expect(events).toHaveLength(CLIENTS * PER_CLIENT);
    await waitFor("all connections closed", () => source.counter.OpenConnectionCount === 0, 5_000);
    expect(source.counter.EventAcceptedCount).toBe(CLIENTS * PER_CLIENT);
  });

  it("cuts over-long lines at max_line_length and counts them", async () => {
    const { source, channel, port } = await startSource({ maxLineLength: 8 });
    const socket = await client(port);
    await endWith(socket, `short\n${"x".repeat(100_000)}\nafter\n`);
    expect(bodies(await receive(channel, 3))).toEqual(["short", "xxxxxxxx", "after"]);
    expect(source.counter.LineTruncatedCount).toBe(1);
  });

  it("applies backpressure with a tiny channel: every line arrives exactly once and in order", async () => {
    const TOTAL = 20_000;
    const { source, channel, port } = await startSource({ capacity: 50, transactionCapacity: 10, batchSize: 10 });
    const socket = await client(port);
    const pad = "-".repeat(30);
    const expected = Array.from({ length: TOTAL }, (_, i) => `line-${String(i).padStart(6, "0")}${pad}`);
    const sent = endWith(socket, expected.join("\n") + "\n");
    // A slow consumer: at most 7 events per take, yielding to the event loop between takes.
    const events = await receive(channel, TOTAL, 30_000, 7);
    await withTimeout(sent, 5_000, "the client to finish sending");
    const got = bodies(events);
    expect(got.length).toBe(TOTAL);
    const firstMismatch = got.findIndex((body, i) => body !== expected[i]);
    expect(firstMismatch, `first out-of-order or wrong line at index ${firstMismatch}: ${got[firstMismatch]}`).toBe(-1);
    expect(source.counter.ChannelWriteFail).toBeGreaterThan(0); // the channel did fill up and push back
    expect(source.counter.EventReceivedCount).toBe(TOTAL);
    expect(source.counter.EventAcceptedCount).toBe(TOTAL);
    expect(channel.counter.EventPutSuccessCount).toBe(TOTAL);
    await waitFor("the connection to be closed", () => source.counter.OpenConnectionCount === 0, 5_000);
    expect(channel.size()).toBe(0);
  }, 40_000);

  it("keeps the lines waiting for room when the client ends with an unterminated line", async () => {
    // A full channel pauses the connection with lines pending. The client's FIN then arrives; when the
    // source flushes the unterminated last line it must deliver it after the pending lines, not instead.
    const { source, channel, port } = await startSource({ capacity: 5, transactionCapacity: 5, batchSize: 5 });
    const socket = await client(port);
    const expected = [...lines("line-", 20), "last"];
    await endWith(socket, lines("line-", 20).join("\n") + "\nlast");
    // The server answers our FIN with its own once it processed the end of stream (no half-open sockets).
    await withTimeout(whenEnded(socket), 5_000, "the source to process the client's end of stream");
    expect(source.counter.ChannelWriteFail).toBeGreaterThan(0);
    expect(channel.size()).toBe(5); // full, nothing consumed yet: lines are waiting in the source
    const got = bodies(await consume(channel, { count: 21, timeoutMs: 2_000 }));
    expect(got).toEqual(expected);
  });

  it("fans out to two required channels: when one is full, neither gets the batch, and no line is duplicated", async () => {
    const TOTAL = 3_000;
    const roomy = memoryChannel("roomy", { capacity: 100_000, transaction_capacity: 10 });
    const tight = memoryChannel("tight", { capacity: 25, transaction_capacity: 10 });
    const config = configOf(tcpSourceSpec, { bind: "127.0.0.1", port: 0, batch_size: 10, max_line_length: 1_024 });
    const source = new TcpSource("lines", config, new ReplicatingProcessor({ required: [roomy, tight], optional: [], interceptors: [] }));
    const address = await source.start(silentLogger());
    const socket = await client(Number(/:(\d+)$/.exec(address)?.[1]));
    const expected = lines("fan-", TOTAL);
    const sent = endWith(socket, expected.join("\n") + "\n");
    // Only `tight` is consumed, slowly; `roomy` never refuses but must not get a batch `tight` refused.
    const got = bodies(await consume(tight, { count: TOTAL, timeoutMs: 20_000, maxPerTake: 7 }));
    await withTimeout(sent, 5_000, "the client to finish sending");
    expect(got.length).toBe(TOTAL);
    expect(got.findIndex((body, i) => body !== expected[i])).toBe(-1);
    expect(bodies(takeAll(roomy))).toEqual(expected);
    expect(source.counter.ChannelWriteFail).toBeGreaterThan(0);
    expect(roomy.counter.EventPutSuccessCount).toBe(TOTAL);
    await withTimeout(source.stop(), 5_000, "stop() after everything was delivered");
  }, 30_000);

  it("stop() closes the listener and open connections, and resolves", async () => {
    const { source, port } = await startSource();
    const idle = await client(port);
    await waitFor("the connection to be accepted", () => source.counter.OpenConnectionCount === 1, 5_000);
    const first = source.stop();
    const second = source.stop();
    expect(second).toBe(first);
    await withTimeout(first, 5_000, "stop() with one idle connection");
    expect(source.counter.OpenConnectionCount).toBe(0);
    expect(source.counter.StopTime).toBeGreaterThan(0);
    await withTimeout(whenClosed(idle), 5_000, "the idle client connection to be closed by the source");
    await expect(connectTcp(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("stop() warns about an unfinished line it discards", async () => {
    const { log, lines: logged } = recordingLogger();
    const { source, channel, port } = await startSource({}, log);
    const socket = await client(port);
    socket.write("complete\nunfinished");
    expect(bodies(await receive(channel, 1))).toEqual(["complete"]);
    // White-box: wait until the source holds the 10 unfinished bytes, so stop() certainly has them to discard.
    const internals = source as unknown as { connections: Set<{ splitter: { pendingBytes: number } }> };
    await waitFor("the unfinished line to reach the source", () => [...internals.connections].some((c) => c.splitter.pendingBytes === 10), 5_000);
    await withTimeout(source.stop(), 5_000, "stop() with one connection holding an unfinished line");
    const warnings = logged.filter((line) => line.includes("level=warn"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("unfinished line");
    expect(warnings[0]).toContain("bytes=10");
    expect(warnings[0]).toContain("source=lines");
    expect(takeAll(channel)).toEqual([]);
  });

  it("stop() resolves only once the lines waiting for room reached the channel", async () => {
    const { source, channel, port } = await startSource({ capacity: 5, transactionCapacity: 5, batchSize: 5 });
    const socket = await client(port);
    socket.write(lines("l", 12).join("\n") + "\n");
    await waitFor("all 12 lines to be read", () => source.counter.EventReceivedCount === 12, 5_000);
    expect(source.counter.ChannelWriteFail).toBeGreaterThan(0);
    const stopped = source.stop();
    expect(await isSettled(stopped)).toBe(false);
    const got = bodies(await receive(channel, 12));
    await withTimeout(stopped, 5_000, "stop() to resolve once the pending lines were delivered");
    expect(got).toEqual(lines("l", 12));
    expect(source.counter.OpenConnectionCount).toBe(0);
    await withTimeout(whenClosed(socket), 5_000, "the client connection to be closed by the source");
  });

  it("refuses connections made after stop() began", async () => {
    const { source, port } = await startSource();
    await withTimeout(source.stop(), 5_000, "stop() without connections");
    await expect(connectTcp(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(source.counter.OpenConnectionCount).toBe(0);
  });

  it("rejects with a UserFacingError when the port is already in use", async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const address = blocker.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const channel = memoryChannel("c", { capacity: 10, transaction_capacity: 10 });
    const source = new TcpSource("lines", configOf(tcpSourceSpec, { bind: "127.0.0.1", port, batch_size: 10, max_line_length: 100 }), new ReplicatingProcessor({ required: [channel] }));
    const error = await source.start(silentLogger()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).exitCode).toBe(1);
    expect((error as UserFacingError).message).toBe(`source \`lines\` cannot listen on 127.0.0.1:${port}: the address is already in use`);
    await withTimeout(source.stop(), 5_000, "stop() of a source that never listened"); // must not throw or hang
  });
  it("splits on a configured delimiter (CRLF split across writes), keeping a lone LF inside a line", async () => {
    const { source, channel, port } = await startSource({ config: { delimiter: "\r\n" } });
    const socket = await client(port);
    socket.write("first\r");
    // White-box: wait until the source holds "first\r", so the LF certainly arrives in a later read.
    const internals = source as unknown as { connections: Set<{ splitter: { pendingBytes: number } }> };
    await waitFor("the first piece to reach the source", () => [...internals.connections].some((c) => c.splitter.pendingBytes === 6), 5_000);
    await endWith(socket, "\nsecond\nhalf\r\nlast");
    expect(bodies(await receive(channel, 3))).toEqual(["first", "second\nhalf", "last"]);
  });

  it("discards over-long lines with long_lines = discard, counts them, and warns once per connection naming the sender", async () => {
    const { log, lines: logged } = recordingLogger();
    const { source, channel, port } = await startSource({ maxLineLength: 8, config: { long_lines: "discard" } }, log);
    const first = await client(port);
    const firstPort = first.localPort;
    await endWith(first, `keep\n${"x".repeat(50_000)}\nok line\n${"y".repeat(9)}\nend\n`);
    expect(bodies(await receive(channel, 3))).toEqual(["keep", "ok line", "end"]);
    const second = await client(port);
    const secondPort = second.localPort;
    await endWith(second, `${"z".repeat(20)}\nafter\n`);
    expect(bodies(await receive(channel, 1))).toEqual(["after"]);
    expect(source.counter.LineDiscardedCount).toBe(3);
    expect(source.counter.LineTruncatedCount).toBe(0);
    expect(source.counter.EventReceivedCount).toBe(4);
    expect(source.counter.EventAcceptedCount).toBe(4);
    const warnings = logged.filter((line) => line.includes("level=warn"));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("discarded a line longer than max_line_length");
    expect(warnings[0]).toContain(`peer=127.0.0.1:${firstPort}`);
    expect(warnings[1]).toContain(`peer=127.0.0.1:${secondPort}`);
  });

  it("truncates over-long lines by default and warns once per connection", async () => {
    const { log, lines: logged } = recordingLogger();
    const { source, channel, port } = await startSource({ maxLineLength: 4 }, log);
    const socket = await client(port);
    await endWith(socket, "abcdefgh\nijklmnop\nq\n");
    expect(bodies(await receive(channel, 3))).toEqual(["abcd", "ijkl", "q"]);
    expect(source.counter.LineTruncatedCount).toBe(2);
    const warnings = logged.filter((line) => line.includes("level=warn"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("cut a line longer than max_line_length");
    expect(warnings[0]).toContain("max_line_length=4");
  });

  it("resets connections beyond max_connections at once, counts and logs them, and accepts again once one closes", async () => {
    const { log, lines: logged } = recordingLogger();
    const { source, channel, port } = await startSource({ config: { max_connections: 2 } }, log);
    const a = await client(port);
    const b = await client(port);
    await waitFor("two connections accepted", () => source.counter.OpenConnectionCount === 2, 5_000);
    // The kernel completes the handshake; the source resets the connection (RST), maybe before the
    // client has seen it complete.
    expect(await withTimeout(resetBySource(port), 5_000, "the connection over the limit to be reset")).toBe("ECONNRESET");
    expect(await withTimeout(resetBySource(port), 5_000, "the second connection over the limit to be reset")).toBe("ECONNRESET");
    expect(source.counter.ConnectionRejectedCount).toBe(2);
    expect(logged.filter((line) => line.includes("max_connections reached"))).toHaveLength(1);
    // The open ones still work.
    a.write("from a\n");
    expect(bodies(await receive(channel, 1))).toEqual(["from a"]);
    b.destroy();
    await waitFor("the closed connection to be removed", () => source.counter.OpenConnectionCount === 1, 5_000);
    const c = await client(port);
    await endWith(c, "from c\n");
    expect(bodies(await receive(channel, 1))).toEqual(["from c"]);
    expect(source.counter.ConnectionRejectedCount).toBe(2);
  });

  it("refuses an empty delimiter with a UserFacingError", () => {
    const channel = memoryChannel("c");
    const build = () => new TcpSource("lines", configOf(tcpSourceSpec, { port: 0, delimiter: "" }), new ReplicatingProcessor({ required: [channel] }));
    expect(build).toThrow(UserFacingError);
    expect(build).toThrow("source `lines`: `delimiter` must not be empty");
  });
});
