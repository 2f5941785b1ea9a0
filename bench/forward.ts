// Forward link benchmark (issue 7): an edge and a collector linked over loopback by the Fluent Forward
// protocol, with the real runtime classes:
//   source stub → memory channel → forward sink ══ TCP 127.0.0.1 ══ listen source → memory channel → files sink
// Acknowledgements on (each batch is committed at the edge only once the collector committed it), with and
// without gzip. The events are ~100-byte access-log lines without headers, like `npm run bench`'s
// tcp_to_file, the single-agent figure this is compared with.
//
// `--collector process` runs the collector in a process of its own, as a second agent; `--collector same`
// runs both tiers on one thread, which measures the CPU cost of the whole link. CPU time is reported too: on a shared machine it is steadier than events per second.
// Prints `name: value unit` lines.
//   npx tsx bench/forward.ts [--events N] [--runs N] [--batch N] [--compression none|gzip|both] [--collector process|same|both]
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { MemoryChannel } from "../runtime/channels/memory/memory-channel";
import { ChannelFullError } from "../runtime/core/errors";
import { FlowEvent } from "../runtime/core/event";
import { createLogger } from "../runtime/core/log";
import { ReplicatingProcessor } from "../runtime/processors/replicating-processor";
import { SinkRunner } from "../runtime/sink-runner/sink-runner";
import { FilesSink } from "../runtime/sinks/files/files-sink";
import { ForwardSink } from "../runtime/sinks/forward/forward-sink";
import { forwardSinkSpec } from "../runtime/sinks/forward/spec";
import { ListenSource } from "../runtime/sources/listen/listen-source";
import { listenSourceSpec } from "../runtime/sources/listen/spec";
import type { ComponentSpec, ConfigOf } from "../runtime/spec";

const log = createLogger("error", () => undefined);

function defaults<S extends ComponentSpec>(spec: S, values: Partial<ConfigOf<S>>): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(spec.properties)) if (property.default !== undefined) config[key] = property.default;
  return { ...config, ...values } as ConfigOf<S>;
}

function memory(name: string, batch: number): MemoryChannel {
  return new MemoryChannel(name, { capacity: 20 * batch, transaction_capacity: batch, byte_capacity: 256 * 1_048_576 });
}

/** The collector tier: listen → memory → files. */
class Collector {
  private readonly channel: MemoryChannel;
  readonly source: ListenSource;
  private readonly runner: SinkRunner;

  constructor(output: string, batch: number) {
    this.channel = memory("collector", batch);
    this.source = new ListenSource("inbound", defaults(listenSourceSpec, { bind: "127.0.0.1", port: 0, batch_size: batch }), new ReplicatingProcessor({ required: [this.channel] }));
    this.runner = new SinkRunner(new FilesSink("store", { path: output, batch_size: batch, sync: false }), this.channel);
  }

  /** Starts and returns the port. */
  async start(): Promise<number> {
    await this.channel.start();
    await this.runner.start(log);
    const address = await this.source.start(log);
    return Number(address.slice(address.lastIndexOf(":") + 1));
  }

  async stop(): Promise<number> {
    await this.source.stop();
    await this.runner.drainAndStop(Date.now() + 5_000);
    return this.source.counter.EventAcceptedCount;
  }
}

/** `--role collector`: a collector in a process of its own, driven by lines on stdin, answering on stdout. */
async function collectorProcess(output: string, batch: number): Promise<void> {
  const collector = new Collector(output, batch);
  const port = await collector.start();
  const cpuStarted = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.once("data", () => {
    const cpu = process.cpuUsage(cpuStarted);
    void collector.stop().then((accepted) => {
      process.stdout.write(`${JSON.stringify({ accepted, cpuMicros: cpu.user + cpu.system })}\n`);
      process.exit(0);
    });
  });
}

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "2000000" },
    runs: { type: "string", default: "3" },
    batch: { type: "string", default: "1000" },
    compression: { type: "string", default: "both" },
    collector: { type: "string", default: "both" },
    role: { type: "string", default: "bench" },
    output: { type: "string", default: "" },
  },
});

if (values.role === "collector") {
  await collectorProcess(values.output, Number(values.batch));
} else {
  const EVENTS = Number(values.events);
  const RUNS = Number(values.runs);
  const BATCH = Number(values.batch);
  const report = (name: string, value: number | string, unit: string): void => void process.stdout.write(`${name}: ${value} ${unit}\n`);

  interface Result {
    readonly eventsPerSecond: number;
    readonly megabytesPerSecond: number;
    readonly wireBytes: number;
    /** CPU time of both tiers (zlib threads included) per event. */
    readonly cpuMicrosPerEvent: number;
  }

  /** One batch of lines like bench/quickstart.ts's, as views into one buffer (as the tcp source makes them). */
  const text: string[] = [];
  for (let i = 0; i < BATCH; i++) text.push(`${i} 10.0.${i % 256}.1 "GET /item/${i % 10_000} HTTP/1.1" ${i % 10 === 0 ? 500 : 200} ${"x".repeat(40 + (i % 30))}`);
  const chunk = Buffer.from(`${text.join("\n")}\n`);
  const starts: number[] = [];
  for (let at = 0; at < chunk.length; at = chunk.indexOf(10, at) + 1) starts.push(at);

  async function run(compression: "none" | "gzip", placement: "process" | "same"): Promise<Result> {
    const dir = mkdtempSync(join(tmpdir(), "flowc-bench-forward-"));
    const output = join(dir, "out.log");
    let port: number;
    let collector: Collector | undefined;
    let child: ChildProcess | undefined;
    let answers: AsyncIterator<string> | undefined;
    if (placement === "same") {
      collector = new Collector(output, BATCH);
      port = await collector.start();
    } else {
      // This file again, with the same loader flags (tsx), as a collector.
      const args = [...process.execArgv, fileURLToPath(import.meta.url), "--role", "collector", "--output", output, "--batch", String(BATCH)];
      child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
      answers = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
      port = (JSON.parse((await answers.next()).value as string) as { port: number }).port;
    }
    const edgeChannel = memory("edge", BATCH);
    await edgeChannel.start();
    const forward = new ForwardSink("uplink", defaults(forwardSinkSpec, { port, batch_size: BATCH, compression }));
    const runner = new SinkRunner(forward, edgeChannel);
    await runner.start(log);

    const edge = new ReplicatingProcessor({ required: [edgeChannel] });
    const total = (EVENTS / BATCH) * chunk.length;
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const capacity = 20 * BATCH;
    for (let sent = 0; sent < EVENTS; sent += BATCH) {
      // Wait for room first: a refused put would cost a ChannelFullError (with its stack trace) per batch.
      while (edgeChannel.size() + BATCH > capacity) await edgeChannel.whenWritable();
      const batch: FlowEvent[] = new Array(BATCH);
      for (let i = 0; i < BATCH; i++) batch[i] = new FlowEvent({}, chunk.subarray(starts[i]!, (starts[i + 1] ?? chunk.length + 1) - 1));
      for (;;) {
        try {
          edge.process(batch);
          break;
        } catch (error) {
          if (!(error instanceof ChannelFullError)) throw error;
          await edge.whenWritable();
        }
      }
      if ((sent / BATCH) % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
    for (;;) {
      let size = 0;
      try {
        size = statSync(output).size;
      } catch {}
      if (size >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    let cpuMicros = cpu.user + cpu.system;
    await runner.drainAndStop(Date.now() + 5_000);
    let accepted: number;
    if (collector !== undefined) accepted = await collector.stop();
    else {
      child?.stdin?.write("stop\n");
      const done = JSON.parse((await answers?.next())?.value as string) as { accepted: number; cpuMicros: number };
      accepted = done.accepted;
      cpuMicros += done.cpuMicros;
    }
    if (accepted !== EVENTS) throw new Error(`collector accepted ${accepted} of ${EVENTS}`);
    rmSync(dir, { recursive: true, force: true });
    cpuMicros /= EVENTS;
    return { eventsPerSecond: EVENTS / seconds, megabytesPerSecond: total / 1e6 / seconds, wireBytes: forward.counter.BytesSentCount, cpuMicrosPerEvent: cpuMicros };
  }

  const compressions = values.compression === "both" ? (["none", "gzip"] as const) : [values.compression as "none" | "gzip"];
  const placements = values.collector === "both" ? (["process", "same"] as const) : [values.collector as "process" | "same"];
  for (const placement of placements) {
    for (const compression of compressions) {
      await run(compression, placement); // warm-up
      const results: Result[] = [];
      for (let i = 0; i < RUNS; i++) results.push(await run(compression, placement));
      results.sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
      const median = results[Math.floor(results.length / 2)]!;
      const name = `forward_link${compression === "gzip" ? "_gzip" : ""}${placement === "same" ? "_one_thread" : ""}`;
      report(`${name}_events`, Math.round(median.eventsPerSecond), `events/s (median of ${RUNS}, ${EVENTS} events of ~100 B, batch ${BATCH}, acks on)`);
      report(`${name}_bytes`, median.megabytesPerSecond.toFixed(1), "MB/s of event bodies");
      report(`${name}_cpu_per_event`, median.cpuMicrosPerEvent.toFixed(2), "µs of CPU time, both tiers");
      report(`${name}_wire_bytes_per_event`, (median.wireBytes / EVENTS).toFixed(1), "B");
    }
  }
  report("forward_peak_rss", (process.resourceUsage().maxRSS / 1024).toFixed(1), "MiB");
}
