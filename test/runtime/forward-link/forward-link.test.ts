import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MemoryChannel } from "../../../runtime/channels/memory/memory-channel";
import { FlowEvent } from "../../../runtime/core/event";
import { ReplicatingProcessor } from "../../../runtime/processors/replicating-processor";
import { FailoverSinkGroup } from "../../../runtime/sink-groups/failover/failover-group";
import { LoadBalanceSinkGroup } from "../../../runtime/sink-groups/load-balance/load-balance-group";
import { SinkRunner } from "../../../runtime/sink-runner/sink-runner";
import { ForwardSink, type ForwardSinkConfig } from "../../../runtime/sinks/forward/forward-sink";
import { forwardSinkSpec } from "../../../runtime/sinks/forward/spec";
import { ListenSource, type ListenSourceConfig } from "../../../runtime/sources/listen/listen-source";
import { listenSourceSpec } from "../../../runtime/sources/listen/spec";
import { consume, putCommitted, takeAll } from "../../helpers/channel-io";
import { memoryChannel } from "../../helpers/memory-channel";
import { recordingLogger } from "../../helpers/silent-logger";
import { configOf } from "../../helpers/spec-config";
import { createTempDir } from "../../helpers/temp-dir";
import { makeTestCertificates, type TestCertificates } from "../../helpers/test-certificates";
import { waitFor } from "../../helpers/wait-for";

/** A collector: a listen source into a memory channel the test reads. */
interface Collector {
  readonly source: ListenSource;
  readonly channel: MemoryChannel;
  readonly port: number;
  readonly lines: string[];
}

const collectors: Collector[] = [];
const runners: SinkRunner[] = [];
const dir = createTempDir("flowc-forward-link-");
let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates(dir.path);
});
afterAll(() => dir.remove());
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.drainAndStop(Date.now());
  for (const collector of collectors.splice(0)) await stopCollector(collector);
});

async function startCollector(config: Partial<ListenSourceConfig> = {}, port = 0): Promise<Collector> {
  const channel = memoryChannel("collected", { capacity: 100_000, transaction_capacity: 1_000 });
  await channel.start();
  const { log, lines } = recordingLogger();
  const source = new ListenSource("inbound", configOf(listenSourceSpec, { bind: "127.0.0.1", port, ...config }), new ReplicatingProcessor({ required: [channel] }));
  const address = await source.start(log);
  const collector = { source, channel, port: Number(/:(\d+)$/.exec(address)?.[1]), lines };
  collectors.push(collector);
  return collector;
}

async function stopCollector(collector: Collector): Promise<void> {
  const index = collectors.indexOf(collector);
  if (index >= 0) collectors.splice(index, 1);
  let stopped = false;
  const stopping = collector.source.stop().then(() => (stopped = true));
  while (!stopped) {
    takeAll(collector.channel);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await stopping;
}

/** An edge: a memory channel drained by a sink runner into `sink`; the runner logs into `lines`. */
async function startEdge(sink: ForwardSink | FailoverSinkGroup | LoadBalanceSinkGroup): Promise<{ channel: MemoryChannel; lines: string[] }> {
  const channel = memoryChannel("edge", { capacity: 100_000, transaction_capacity: 100 });
  await channel.start();
  const { log, lines } = recordingLogger();
  const runner = new SinkRunner(sink, channel, { failureBackoffMs: 5, maxFailureBackoffMs: 50 });
  runners.push(runner);
  await runner.start(log);
  return { channel, lines };
}

const forward = (port: number, config: Partial<ForwardSinkConfig> = {}, name = "uplink"): ForwardSink =>
  new ForwardSink(name, configOf(forwardSinkSpec, { port, batch_size: 100, reconnect_backoff_max: 50, ...config }));

function put(channel: MemoryChannel, count: number, prefix = "e", headers: Record<string, string> = {}): string[] {
  const bodies = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, "0")}`);
  for (let i = 0; i < count; i += 100) putCommitted(channel, bodies.slice(i, i + 100).map((body) => new FlowEvent({ ...headers }, Buffer.from(body))));
  return bodies;
}

describe("forward sink → listen source", () => {
  it("carries bodies, headers, tags and nanosecond times across, with and without gzip", async () => {
    for (const compression of ["none", "gzip"] as const) {
      const collector = await startCollector();
      const edge = await startEdge(forward(collector.port, { compression }));
      putCommitted(edge.channel, [
        new FlowEvent({ tag: "app.web", timestamp: "1700000000123", timestamp_ns: "1700000000123456789", user: "ann ü" }, Buffer.from("GET / 200")),
        new FlowEvent({ level: "warn" }, Buffer.from([0x00, 0xff])),
      ]);
      const [first, second] = await consume(collector.channel, { count: 2, timeoutMs: 5_000 });
      expect(first?.headers).toEqual({ user: "ann ü", tag: "app.web", timestamp: "1700000000123", timestamp_ns: "1700000000123456789" });
      expect(first?.body.toString()).toBe("GET / 200");
      expect(second?.headers["tag"]).toBe("flowc");
      expect(second?.headers["level"]).toBe("warn");
      expect([...(second?.body ?? [])]).toEqual([0x00, 0xff]);
      await runners.pop()?.drainAndStop(Date.now());
      await stopCollector(collector);
    }
  });

  it("with the right shared key and user: delivers everything; with a wrong key: refuses, says so on both sides, retries", async () => {
    const collector = await startCollector({ shared_key: "k", users: { edge: "p" } });
    const good = await startEdge(forward(collector.port, { shared_key: "k", username: "edge", password: "p" }, "good"));
    const sent = put(good.channel, 300);
    expect((await consume(collector.channel, { count: 300, timeoutMs: 10_000 })).map((e) => e.body.toString())).toEqual(sent);

    const bad = await startEdge(forward(collector.port, { shared_key: "wrong", username: "edge", password: "p" }, "bad"));
    put(bad.channel, 10, "x");
    await waitFor("the refusal in the edge's log", () => bad.lines.some((line) => line.includes("delivery failed, will retry")), 5_000);
    expect(bad.lines.join("")).toContain("the server refused the handshake: shared_key mismatch");
    expect(collector.lines.join("")).toMatch(/msg="handshake failed; connection closed" source=inbound .*reason="shared_key mismatch"/);
    expect(bad.channel.size()).toBe(10);
    expect(takeAll(collector.channel)).toEqual([]);
  });

  it("refuses to send to a collector whose certificate it does not trust, with a clear log line; sends once told the CA", async () => {
    const collector = await startCollector({ tls: true, tls_cert: certs.untrustedCert, tls_key: certs.untrustedKey });
    const doubting = await startEdge(forward(collector.port, { tls: true, tls_ca: certs.caCert }, "doubting"));
    put(doubting.channel, 5);
    await waitFor("the refusal in the edge's log", () => doubting.lines.some((line) => line.includes("delivery failed, will retry")), 5_000);
    const line = doubting.lines.find((l) => l.includes("delivery failed")) ?? "";
    expect(line).toContain(`TLS handshake with 127.0.0.1:${collector.port} failed: the receiver's certificate is not trusted (self-signed certificate); set tls_ca to the CA that signed it`);
    expect(takeAll(collector.channel)).toEqual([]);

    const signed = await startCollector({ tls: true, tls_cert: certs.serverCert, tls_key: certs.serverKey, tls_client_ca: certs.caCert });
    const trusting = await startEdge(forward(signed.port, { tls: true, tls_ca: certs.caCert, tls_cert: certs.clientCert, tls_key: certs.clientKey }, "trusting"));
    const sent = put(trusting.channel, 50);
    expect((await consume(signed.channel, { count: 50, timeoutMs: 5_000 })).map((e) => e.body.toString())).toEqual(sent);
  });

  it("delivers everything at least once, in order, across a collector restart", async () => {
    const first = await startCollector();
    const port = first.port;
    const edge = await startEdge(forward(port));
    const sent = put(edge.channel, 2_000);
    const received = (await consume(first.channel, { count: 500, timeoutMs: 10_000 })).map((e) => e.body.toString());
    await stopCollector(first);
    received.push(...takeAll(first.channel).map((e) => e.body.toString()));
    await waitFor("the edge to notice", () => edge.lines.some((line) => line.includes("delivery failed")) || edge.channel.size() === 0, 5_000);
    const second = await startCollector({}, port);
    await waitFor("everything to arrive", () => {
      received.push(...takeAll(second.channel).map((e) => e.body.toString()));
      return new Set(received).size === sent.length && edge.channel.size() === 0;
    }, 15_000);
    // At least once: every event arrived; a batch in flight at the restart may have arrived twice, in order.
    expect([...new Set(received)]).toEqual(sent);
  });

  it("fails over to a second collector through a failover group, and load-balances over two", async () => {
    const down = await startCollector();
    const up = await startCollector();
    const downPort = down.port;
    await stopCollector(down);
    const group = new FailoverSinkGroup("out", { max_penalty: 30_000 }, [forward(downPort, {}, "primary"), forward(up.port, {}, "secondary")]);
    const edge = await startEdge(group);
    const sent = put(edge.channel, 300);
    expect((await consume(up.channel, { count: 300, timeoutMs: 10_000 })).map((e) => e.body.toString())).toEqual(sent);

    const a = await startCollector();
    const b = await startCollector();
    const balanced = new LoadBalanceSinkGroup("spread", { selector: "round_robin", backoff: false, max_backoff: 30_000 }, [forward(a.port, {}, "a"), forward(b.port, {}, "b")]);
    const edge2 = await startEdge(balanced);
    put(edge2.channel, 1_000, "lb");
    await waitFor("all events on the two collectors", () => a.channel.size() + b.channel.size() === 1_000, 10_000);
    expect(a.channel.size()).toBeGreaterThan(0);
    expect(b.channel.size()).toBeGreaterThan(0);
  });
});
