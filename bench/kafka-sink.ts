// Kafka sink benchmark (issue 8): the same ~200-byte lines produced into librdkafka's mock cluster (one
// broker, loopback) three ways, in one run:
//   kcat_produce      `kcat -P` reading the lines from a file (librdkafka: C, batching with linger, acks=all)
//   flowc_agent       a built agent: lines over TCP → tcp source → memory channel → kafka sink (acks=all),
//                     timed from the first byte sent until the sink's metrics count every line delivered
//                     (`--sinks N`: N kafka sinks draining the one channel in parallel)
//   flowc_sink        the KafkaSink class in this process, batches of 1000 handed to write() (acks=all),
//                     with kafkajs as installed: agents bundle a linear grouping of records per partition
//                     instead of kafkajs's quadratic one (runtime/kafka/group-messages-per-partition.ts)
// and the ratios of the flowc figures to kcat's. Every topic is read back (its record count) before the
// figures are printed. Prints `name: value unit` lines.
//   npm run build && npx tsx bench/kafka-sink.ts [--events N] [--gzip] [--sinks N]
import { spawn, spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FlowEvent } from "../runtime/core/event";
import { createLogger } from "../runtime/core/log";
import { KafkaSink } from "../runtime/sinks/kafka/kafka-sink";
import { kafkaSinkSpec } from "../runtime/sinks/kafka/spec";
import type { ComponentSpec, ConfigOf } from "../runtime/spec";
import { killAgent, startAgent, waitUntilReady } from "../test/helpers/agent-process";
import { freePort } from "../test/helpers/free-port";
import { KafkaMockCluster, kcat } from "../test/helpers/kafka-mock";

const { values } = parseArgs({ options: { events: { type: "string", default: "500000" }, gzip: { type: "boolean", default: false }, sinks: { type: "string", default: "1" } } });
const EVENTS = Number(values.events);
const COMPRESSION = values.gzip ? "gzip" : "none";
const BATCH = 1_000;
const SINKS = Number(values.sinks);

/**
 * The agent measured: lines over TCP into Kafka with acks = all, no headers (as `kcat -P` sends them),
 * batches of 1000. With `--sinks N`, N kafka sinks take batches from the one channel in parallel (as
 * Flume's sinks on one channel do), each with its own producer.
 */
function agentFlow(): string {
  const sinks = Array.from({ length: SINKS }, (_, i) => `  sink out${i} = kafka { brokers = env("KAFKA_BROKERS"), topic = "bench-agent", acks = "all", compression = "${COMPRESSION}" }`);
  const routes = Array.from({ length: SINKS }, (_, i) => `  buffer -> out${i}`);
  return ["tier bench {", '  source lines = tcp { bind = "127.0.0.1", port = env("BENCH_PORT") }', "  channel buffer = memory { capacity = 100_000 }", ...sinks, "  lines -> buffer", ...routes, "}", ""].join("\n");
}

/** 200-byte access-log-like lines (199 characters and the newline). */
function line(i: number): string {
  return `10.0.${i % 256}.${(i * 7) % 256} - - [21/Nov/2026:12:00:00 +0000] "GET /api/items/${i} HTTP/1.1" 200 512 service=api `.padEnd(199, "x");
}

function defaults<S extends ComponentSpec>(spec: S, values: Partial<ConfigOf<S>>): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(spec.properties)) if (property.default !== undefined) config[key] = property.default;
  return { ...config, ...values } as ConfigOf<S>;
}

/** Records in `topic` (the high watermark, from kcat's metadata query). */
function recordsIn(cluster: KafkaMockCluster, topic: string): number {
  const out = kcat(["-Q", "-b", cluster.bootstrap, "-t", `${topic}:0:-1`]);
  const match = /\[0\] offset (\d+)/.exec(out);
  if (match === null) throw new Error(`kcat -Q said: ${out}`);
  return Number(match[1]);
}

async function kcatRun(cluster: KafkaMockCluster, file: string): Promise<number> {
  const started = performance.now();
  const input = openSync(file, "r");
  const child = spawn("kcat", ["-P", "-b", cluster.bootstrap, "-t", "bench-kcat", "-X", "acks=all", ...(values.gzip ? ["-z", "gzip"] : [])], { stdio: [input, "ignore", "inherit"] });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`kcat -P exited with ${code}`);
  return EVENTS / ((performance.now() - started) / 1000);
}

async function sinkRun(cluster: KafkaMockCluster): Promise<number> {
  const sink = new KafkaSink("out", defaults(kafkaSinkSpec, { brokers: cluster.brokers, topic: "bench-sink", acks: "all", compression: COMPRESSION, batch_size: BATCH }));
  await sink.start(createLogger("error", () => undefined));
  const bodies = Array.from({ length: BATCH }, (_, i) => Buffer.from(line(i)));
  await sink.write([new FlowEvent({}, Buffer.from("warm-up"))]);
  const started = performance.now();
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    // Fresh events per batch, as a channel hands them.
    const events = new Array<FlowEvent>(Math.min(BATCH, EVENTS - sent));
    for (let i = 0; i < events.length; i++) events[i] = new FlowEvent({}, bodies[i] as Buffer);
    await sink.write(events);
  }
  const rate = EVENTS / ((performance.now() - started) / 1000);
  await sink.stop();
  return rate;
}

async function agentRun(cluster: KafkaMockCluster, work: string, file: string): Promise<number> {
  const flow = join(work, "kafka-sink.flow");
  writeFileSync(flow, agentFlow());
  const build = spawnSync(process.execPath, ["bin/flowc.cjs", "build", flow, "--out", join(work, "dist")], { encoding: "utf8", timeout: 300_000 });
  if (build.status !== 0) throw new Error(`flowc build failed (run \`npm run build\` first?):\n${build.stderr}`);
  const port = await freePort();
  const agent = startAgent(join(work, "dist", "bench", "bench"), {
    cwd: work,
    args: ["--metrics-port", "0"],
    env: { BENCH_PORT: String(port), KAFKA_BROKERS: cluster.bootstrap },
  });
  try {
    await waitUntilReady(agent, 30_000);
    const metrics = /metrics=(http:\/\/127\.0\.0\.1:\d+)/.exec(agent.log())?.[1];
    if (metrics === undefined) throw new Error(`no metrics address in the agent's log:\n${agent.log()}`);
    const delivered = async (): Promise<number> => {
      const json = (await (await fetch(`${metrics}/metrics.json`)).json()) as Record<string, Record<string, string>>;
      let sum = 0;
      for (let i = 0; i < SINKS; i++) sum += Number(json[`SINK.out${i}`]?.["EventDrainSuccessCount"] ?? 0);
      return sum;
    };
    const started = performance.now();
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      createReadStream(file).pipe(socket).once("finish", resolve);
    });
    const deadline = Date.now() + 600_000;
    while ((await delivered()) < EVENTS) {
      if (Date.now() > deadline || agent.child.exitCode !== null) throw new Error(`the agent delivered ${await delivered()} of ${EVENTS}:\n${agent.log().slice(-2_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return EVENTS / ((performance.now() - started) / 1000);
  } finally {
    killAgent(agent);
  }
}

const work = mkdtempSync(join(tmpdir(), "flowc-bench-kafka-"));
const cluster = await KafkaMockCluster.start({ brokers: 1, topics: [{ name: "bench-kcat" }, { name: "bench-agent" }, { name: "bench-sink" }] });
try {
  const file = join(work, "lines.txt");
  writeFileSync(file, Array.from({ length: EVENTS }, (_, i) => `${line(i)}\n`).join(""));
  const kcatRate = await kcatRun(cluster, file);
  const agentRate = await agentRun(cluster, work, file);
  const sinkRate = await sinkRun(cluster);
  for (const [topic, expected] of [["bench-kcat", EVENTS], ["bench-agent", EVENTS], ["bench-sink", EVENTS + 1]] as const) {
    const count = recordsIn(cluster, topic);
    if (count !== expected) throw new Error(`${topic} holds ${count} records, expected ${expected}`);
  }
  const suffix = values.gzip ? "_gzip" : "";
  const agentName = `flowc_agent_tcp_to_kafka${SINKS > 1 ? `_${SINKS}_sinks` : ""}${suffix}`;
  console.log(`kcat_produce${suffix}: ${Math.round(kcatRate)} events/s`);
  console.log(`${agentName}: ${Math.round(agentRate)} events/s`);
  console.log(`flowc_sink_in_process${suffix}: ${Math.round(sinkRate)} events/s`);
  console.log(`ratio_agent_to_kcat${suffix}: ${(agentRate / kcatRate).toFixed(2)} x`);
  console.log(`ratio_sink_to_kcat${suffix}: ${(sinkRate / kcatRate).toFixed(2)} x`);
} finally {
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
