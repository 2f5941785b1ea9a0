// Syslog source benchmark: framing + parsing in memory (per format), then the whole source over TCP on
// loopback into a memory channel drained as fast as it fills. Prints `name: value unit` lines.
//   npx tsx bench/syslog.ts [--messages N] [--runs N]
import { connect } from "node:net";
import { parseArgs } from "node:util";
import { takeAll } from "../test/helpers/channel-io";
import { memoryChannel } from "../test/helpers/memory-channel";
import { silentLogger } from "../test/helpers/silent-logger";
import { configOf } from "../test/helpers/spec-config";
import { ReplicatingProcessor } from "../runtime/processors/replicating-processor";
import { StreamFramer, type FrameSink, type Framing } from "../runtime/sources/syslog/framing";
import { SyslogParser } from "../runtime/sources/syslog/parser";
import { syslogSourceSpec } from "../runtime/sources/syslog/spec";
import { SyslogSource } from "../runtime/sources/syslog/syslog-source";
import { resolveTimeZone } from "../runtime/sources/syslog/timestamps";

const { values } = parseArgs({ options: { messages: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" } } });
const MESSAGES = Number(values.messages);
const RUNS = Number(values.runs);

/** Messages as `logger` sends them, about 150–200 bytes each. */
const FORMATS = {
  rfc5424: (i: number) => `<13>1 2026-11-21T23:26:38.${String(i % 1_000_000).padStart(6, "0")}+00:00 web-${i % 16} nginx ${1000 + (i % 5000)} ACCESS [timeQuality tzKnown="1" isSynced="0"] GET /api/items/${i} 200 512 "Mozilla/5.0"`,
  rfc3164: (i: number) => `<13>Nov 21 23:${String(i % 60).padStart(2, "0")}:38 web-${i % 16} nginx[${1000 + (i % 5000)}]: GET /api/items/${i} 200 512 "Mozilla/5.0" ${"x".repeat(40)}`,
} as const;

function stream(format: keyof typeof FORMATS, framing: Exclude<Framing, "auto">, count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const message = FORMATS[format](i);
    parts.push(framing === "newline" ? `${message}\n` : `${Buffer.byteLength(message)} ${message}`);
  }
  return Buffer.from(parts.join(""));
}

class Counting implements FrameSink {
  count = 0;
  constructor(private readonly parser: SyslogParser) {}
  onFrame(frame: Buffer): void {
    this.parser.parse(frame);
    this.count++;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function inMemory(format: keyof typeof FORMATS, framing: Exclude<Framing, "auto">): void {
  const count = Math.min(MESSAGES, 500_000);
  const bytes = stream(format, framing, count);
  const zone = resolveTimeZone("UTC");
  if (zone === undefined) throw new Error("UTC");
  const rates: number[] = [];
  // The first run warms the JIT up and is not counted.
  for (let run = 0; run <= RUNS; run++) {
    const sink = new Counting(new SyslogParser({ keepFields: false, zone }));
    const framer = new StreamFramer("auto", 65_536);
    const started = performance.now();
    for (let at = 0; at < bytes.length; at += 65_536) framer.push(bytes.subarray(at, at + 65_536), sink);
    framer.end(sink);
    const seconds = (performance.now() - started) / 1000;
    if (sink.count !== count) throw new Error(`framed ${sink.count} of ${count}`);
    if (run > 0) rates.push(count / seconds);
  }
  const rate = median(rates);
  console.log(`syslog_parse_${format}_${framing}: ${Math.round(rate)} messages/s`);
  console.log(`syslog_parse_${format}_${framing}_bytes: ${((rate * bytes.length) / count / 1e6).toFixed(1)} MB/s`);
}

async function overTcp(format: keyof typeof FORMATS): Promise<void> {
  const bytes = stream(format, "octet_counting", MESSAGES);
  const rates: number[] = [];
  // The first run warms the JIT up and is not counted.
  for (let run = 0; run <= RUNS; run++) {
    const channel = memoryChannel("c", { capacity: 100_000, transaction_capacity: 1_000 });
    await channel.start();
    const source = new SyslogSource("bench", configOf(syslogSourceSpec, { bind: "127.0.0.1", port: 0, protocol: "tcp", timezone: "UTC" }), new ReplicatingProcessor({ required: [channel] }));
    const port = Number(/:(\d+)$/.exec(await source.start(silentLogger()))?.[1]);
    let received = 0;
    const started = performance.now();
    const socket = connect(port, "127.0.0.1", () => socket.end(bytes));
    while (received < MESSAGES) {
      received += takeAll(channel).length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (performance.now() - started) / 1000;
    socket.destroy();
    await source.stop();
    if (run > 0) rates.push(MESSAGES / seconds);
  }
  console.log(`syslog_tcp_${format}_octet_counting: ${Math.round(median(rates))} messages/s`);
}

for (const format of ["rfc5424", "rfc3164"] as const) {
  inMemory(format, "newline");
  inMemory(format, "octet_counting");
}
await overTcp("rfc5424");
await overTcp("rfc3164");
