// In-process pipeline benchmark (issue 4): source stub → interceptors → multiplexing over two memory
// channels → null sinks, with the real runtime classes, and the route written exactly as the code
// generator writes one (see compiler/codegen/topology-code.ts). Prints `name: value unit` lines.
//   npx tsx bench/pipeline.ts [--events N] [--runs N] [--scenario typical|extracting] [--channel memory|file]
//                             [--producers N] [--as-agent]
// `--producers N`: N concurrent source connections sharing the source's processor (default 1).
// `--channel file`: both channels are file channels with `sync = batch` (one fdatasync per committed put),
// in the OS temp dir; the source stub waits for `whenDurable()` after each batch, as a source that acks
// its senders does, and the null sinks yield to the event loop as a sink doing I/O would.
// `--as-agent` runs it on what agent binaries run on: the embedded Node.js (fetched once, as `flowc build`
// does) with the agents' Node options (AGENT_EXEC_ARGV). Without it, on the Node.js running tsx.
// Runs on a shared machine vary by a third from one process to the next: compare medians of several.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resolveEmbeddedNode } from "../compiler/build/embedded-node";
import { AGENT_EXEC_ARGV } from "../compiler/build/sea";
import { FileChannel } from "../runtime/channels/file/file-channel";
import { fileChannelSpec } from "../runtime/channels/file/spec";
import { MemoryChannel } from "../runtime/channels/memory/memory-channel";
import type { Channel } from "../runtime/core/channel";
import type { Sink } from "../runtime/core/component";
import { ChannelFullError } from "../runtime/core/errors";
import { FlowEvent } from "../runtime/core/event";
import { createLogger } from "../runtime/core/log";
import { StaticInterceptor } from "../runtime/interceptors/static/static-interceptor";
import { TimestampInterceptor } from "../runtime/interceptors/timestamp/timestamp-interceptor";
import { RegexExtractorInterceptor } from "../runtime/interceptors/regex-extractor/regex-extractor-interceptor";
import { HostInterceptor } from "../runtime/interceptors/host/host-interceptor";
import type { Interceptor } from "../runtime/core/component";
import { SinkCounter } from "../runtime/metrics/counters";
import { BytePattern } from "../runtime/processors/byte-pattern";
import { RoutedProcessor } from "../runtime/processors/routed-processor";
import { SinkRunner } from "../runtime/sink-runner/sink-runner";
import { configOf } from "../test/helpers/spec-config";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    runs: { type: "string", default: "3" },
    scenario: { type: "string" },
    channel: { type: "string", default: "memory" },
    producers: { type: "string", default: "1" },
    "as-agent": { type: "boolean", default: false },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const BATCH = 1_000;
const PRODUCERS = Number(values.producers);
const DURABLE = values.channel === "file";
if (!Number.isInteger(EVENTS / BATCH / PRODUCERS)) {
  process.stderr.write(`--events must be a multiple of ${BATCH} × --producers\n`);
  process.exit(2);
}
if (values.channel !== "memory" && !DURABLE) {
  process.stderr.write("--channel must be memory or file\n");
  process.exit(2);
}

/** Counts what it is given and keeps nothing: the cost measured is the pipeline's, not a destination's. */
class NullSink implements Sink {
  readonly counter = new SinkCounter();
  readonly batchSize = BATCH;
  delivered = 0;
  constructor(
    readonly name: string,
    /** Yield to the event loop per batch, as a delivery does (see `--channel file`). */
    private readonly yields: boolean,
  ) {}
  async start(): Promise<void> {}
  async write(events: readonly unknown[]): Promise<void> {
    if (this.yields) await new Promise((resolve) => setImmediate(resolve));
    this.delivered += events.length;
  }
  async stop(): Promise<void> {}
}

/** 200-byte access-log-like bodies; about 10% contain `level=ERROR`. */
function bodies(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const level = i % 10 === 0 ? "ERROR" : "INFO";
    const line = `10.0.${i % 256}.${(i * 7) % 256} - - [21/Nov/2026:12:00:00 +0000] "GET /api/items/${i} HTTP/1.1" 200 512 level=${level} service=api `;
    lines.push(line.padEnd(199, "x"));
  }
  return Buffer.from(lines.join("\n") + "\n");
}

/**
 * `typical`: static + timestamp + host, then a route on `header.level` and a regex on the body (the
 * language sketch's collector). `extracting`: the same plus a regex extraction of `level` from every body.
 */
type Scenario = "typical" | "extracting";

function interceptorsFor(scenario: Scenario): Interceptor[] {
  const chain: Interceptor[] = [
    new StaticInterceptor("static", { key: "dc", value: "eu-1", preserve_existing: true }),
    new TimestampInterceptor("timestamp", { header: "timestamp", preserve_existing: false }),
    new HostInterceptor("host", { header: "host", use_ip: true, preserve_existing: false }),
  ];
  if (scenario === "extracting") chain.push(new RegexExtractorInterceptor("extract", { regex: "/level=(?<level>[A-Z]+)/" }));
  return chain;
}

async function run(scenario: Scenario): Promise<{ eventsPerSecond: number; seconds: number }> {
  const log = createLogger("error", () => undefined);
  const dirs: string[] = [];
  const channel = (name: string): Channel => {
    if (!DURABLE) return new MemoryChannel(name, { capacity: 20_000, transaction_capacity: BATCH, byte_capacity: 256 * 1_048_576 });
    const dir = mkdtempSync(join(tmpdir(), `flowc-bench-pipeline-${name}-`));
    dirs.push(dir);
    return new FileChannel(name, configOf(fileChannelSpec, { dir, sync: "batch", min_free_space: 0, capacity: 20_000, transaction_capacity: BATCH }), { log });
  };
  const errors = channel("errors");
  const archive = channel("archive");
  const errorSink = new NullSink("error_sink", DURABLE);
  const archiveSink = new NullSink("archive_sink", DURABLE);
  const runners = [new SinkRunner(errorSink, errors), new SinkRunner(archiveSink, archive)];
  const cond_bytes1 = new BytePattern("timeout");
  const processor = new RoutedProcessor({
    required: [errors, archive],
    optional: [],
    interceptors: interceptorsFor(scenario),
    route(events, required) {
      const required_errors = required[0]!;
      const required_archive = required[1]!;
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        const headers = event.headers;
        if (headers["level"] === "ERROR" || headers["level"] === "FATAL") {
          required_errors.push(event);
          required_archive.push(event);
        } else if (cond_bytes1.foundIn(event.body)) {
          required_errors.push(event);
        } else {
          required_archive.push(event);
        }
      }
    },
  });
  for (const channel of [errors, archive]) await channel.start();
  for (const runner of runners) await runner.start(log);

  // The source stub: one chunk of newline-separated lines, split into views like the tcp source does.
  const chunk = bodies();
  const starts: number[] = [];
  for (let at = 0; at < chunk.length; ) {
    starts.push(at);
    at = chunk.indexOf(10, at) + 1;
  }
  // With `level` extracted, ERROR lines go to both channels; without it, every line goes to the archive.
  const expectedErrors = scenario === "extracting" ? Math.floor(EVENTS / BATCH) * (BATCH / 10) : 0;
  const produce = async (batches: number): Promise<void> => {
    for (let b = 0; b < batches; b++) {
      const batch: FlowEvent[] = new Array(BATCH);
      for (let i = 0; i < BATCH; i++) batch[i] = new FlowEvent(undefined, chunk.subarray(starts[i]!, (starts[i + 1] ?? chunk.length + 1) - 1));
      for (;;) {
        try {
          processor.process(batch);
          break;
        } catch (error) {
          if (!(error instanceof ChannelFullError)) throw error;
          await processor.whenWritable();
        }
      }
      if (DURABLE) await processor.whenDurable();
      // Let the sink runners take their turn, as a socket source does: it puts what one read brought (at
      // most 64 KiB, about 330 of these events) and returns to the event loop, which runs their microtasks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const started = performance.now();
  // Producers are a source's connections: they share its processor, as an agent's do.
  await Promise.all(Array.from({ length: PRODUCERS }, () => produce(EVENTS / BATCH / PRODUCERS)));
  while (archiveSink.delivered < EVENTS || errorSink.delivered < expectedErrors) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - started) / 1000;
  for (const runner of runners) await runner.drainAndStop(Date.now());
  for (const channel of [errors, archive]) await channel.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  return { eventsPerSecond: EVENTS / seconds, seconds };
}

if (values["as-agent"]) {
  const node = await resolveEmbeddedNode(undefined, (message) => process.stderr.write(`${message}\n`));
  const args = process.argv.slice(2).filter((arg) => arg !== "--as-agent");
  process.stdout.write(`pipeline_runtime: Node.js ${node.version} ${AGENT_EXEC_ARGV.join(" ")}\n`);
  const child = spawnSync(node.path, [...AGENT_EXEC_ARGV, "--import", import.meta.resolve("tsx"), process.argv[1] as string, ...args], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const ALL_SCENARIOS: readonly Scenario[] = ["typical", "extracting"];
const scenarios = ALL_SCENARIOS.filter((scenario) => values.scenario === undefined || values.scenario === scenario);
if (scenarios.length === 0) {
  process.stderr.write(`--scenario must be one of ${ALL_SCENARIOS.join(", ")}\n`);
  process.exit(2);
}
for (const scenario of scenarios) {
  const results: number[] = [];
  await run(scenario); // warm-up
  for (let i = 0; i < RUNS; i++) results.push((await run(scenario)).eventsPerSecond);
  results.sort((a, b) => a - b);
  process.stdout.write(`pipeline_${scenario}: ${Math.round(results[Math.floor(results.length / 2)]!)} events/s (median of ${RUNS}, ${EVENTS} events of 200 B, ${values.channel} channels, ${PRODUCERS} producer${PRODUCERS === 1 ? "" : "s"})\n`);
}
process.stdout.write(`pipeline_peak_rss: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB\n`);
