// The local sources and sinks, in process, with the real runtime classes: each source feeds a memory
// channel drained by a sink runner into the null sink. Prints `name: value unit` lines (median of runs).
//   npx tsx bench/local-io.ts [--events N] [--runs N]
//
// generator_fixed / generator_templated: the generator as fast as the channel takes its events, with a
//   body without placeholders (one shared buffer) and with `%{seq:8} %{iso8601} %{host}`.
// stdin_pipe / exec_cat: N lines of ~100 bytes through a pipe: the stdin source reading a file stream,
//   and the exec source running `cat FILE` (a child process and its stdout pipe).
// logger_format: the logger sink formatting 1,000-event batches (half of the bodies needing escapes)
//   into an output that discards them: the cost of the text, not of a terminal.
import { writeFileSync, createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MemoryChannel } from "../runtime/channels/memory/memory-channel";
import type { Source } from "../runtime/core/component";
import { FlowEvent } from "../runtime/core/event";
import { createLogger } from "../runtime/core/log";
import { ReplicatingProcessor } from "../runtime/processors/replicating-processor";
import { SinkRunner } from "../runtime/sink-runner/sink-runner";
import { LoggerSink } from "../runtime/sinks/logger/logger-sink";
import { NullSink } from "../runtime/sinks/null/null-sink";
import { ExecSource } from "../runtime/sources/exec/exec-source";
import { GeneratorSource } from "../runtime/sources/generator/generator-source";
import { StdinSource } from "../runtime/sources/stdin/stdin-source";

const { values } = parseArgs({ options: { events: { type: "string", default: "2000000" }, runs: { type: "string", default: "3" } } });
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const BATCH = 1_000;
const log = createLogger("error", () => undefined);

type Pipeline = (processor: ReplicatingProcessor) => Source;

/** Runs `makeSource` into a memory channel and the null sink until the source finished and the channel is empty. */
async function measure(makeSource: Pipeline): Promise<number> {
  const channel = new MemoryChannel("c", { capacity: 20_000, transaction_capacity: BATCH, byte_capacity: 256 * 1_048_576 });
  const sink = new NullSink("void", { batch_size: BATCH });
  const runner = new SinkRunner(sink, channel);
  await channel.start();
  await runner.start(log);
  const source = makeSource(new ReplicatingProcessor({ required: [channel], optional: [], interceptors: [] }));
  const started = performance.now();
  await source.start(log);
  await source.finished;
  while (channel.size() > 0) await channel.whenWritable();
  const seconds = (performance.now() - started) / 1000;
  await source.stop();
  await runner.drainAndStop(Date.now() + 1_000);
  if (sink.counter.EventDrainSuccessCount !== EVENTS) throw new Error(`delivered ${sink.counter.EventDrainSuccessCount} of ${EVENTS}`);
  return EVENTS / seconds;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function report(name: string, makeSource: Pipeline): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await measure(makeSource));
  process.stdout.write(`${name}: ${Math.round(median(samples))} events/s\n`);
}

const dir = mkdtempSync(join(tmpdir(), "flowc-bench-local-io-"));
try {
  const file = join(dir, "lines.log");
  const line = (i: number): string => `${String(i).padStart(9, "0")} 10.0.${i % 256}.${(i * 7) % 256} "GET /api/items/${i % 1000} HTTP/1.1" 200 512 level=INFO`.padEnd(99, "x");
  writeFileSync(file, Array.from({ length: EVENTS }, (_, i) => `${line(i)}\n`).join(""));

  const generator = (body: string): Pipeline => (processor) => new GeneratorSource("gen", { body, count: EVENTS, rate: 0, batch_size: BATCH }, processor);
  await report("generator_fixed", generator("x".repeat(100)));
  await report("generator_templated", generator("%{seq:8} %{iso8601} %{host} GET /api/items HTTP/1.1 200"));
  await report("stdin_pipe", (processor) => new StdinSource("in", { delimiter: "\n", max_line_length: 1_048_576, batch_size: BATCH }, processor, createReadStream(file)));
  await report("exec_cat", (processor) =>
    new ExecSource(
      "cmd",
      { command: `cat '${file}'`, restart: false, restart_backoff: 1_000, restart_backoff_max: 60_000, batch_size: BATCH, batch_timeout: 250, max_line_length: 1_048_576, log_stderr: true },
      processor,
    ),
  );

  const events = Array.from({ length: BATCH }, (_, i) => new FlowEvent({ host: "web-1", level: "INFO" }, Buffer.from(i % 2 === 0 ? line(i) : `${line(i)}\u001b[31m\tünï\u202e`, "utf8")));
  const logger = new LoggerSink("out", { max_body_length: 1_024, batch_size: BATCH }, { write: (_text, done) => done() });
  await logger.start(log);
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (let written = 0; written < EVENTS; written += BATCH) await logger.write(events);
    samples.push(EVENTS / ((performance.now() - started) / 1000));
  }
  process.stdout.write(`logger_format: ${Math.round(median(samples))} events/s\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
