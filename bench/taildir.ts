// `npx tsx bench/taildir.ts`: the taildir source in-process, as `name: value unit` lines.
//   Writes LINES lines (about 200 bytes each, like peers.sh's data) to a file in a fresh directory, starts a
//   taildir source on it feeding a memory channel that a consumer empties in batches, and reports how fast
//   the lines reached the consumer (whole file present at start), then how fast when the file is appended
//   to while the source follows it, for one and several files, then peak RSS. End to end through a real
//   agent: `bash ../shared/bench/peers.sh --jobs J2 …` (see bench/peers/README.md).
// Options: --lines N (default 1000000), --files N for the several-files run (default 4), --dir DIR to run
//   on another disk (default the OS temp dir).
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MemoryChannel } from "../runtime/channels/memory/memory-channel";
import { memoryChannelSpec } from "../runtime/channels/memory/spec";
import { createLogger } from "../runtime/core/log";
import { ReplicatingProcessor } from "../runtime/processors/replicating-processor";
import { taildirSourceSpec } from "../runtime/sources/taildir/spec";
import { TaildirSource, type TaildirSourceConfig } from "../runtime/sources/taildir/taildir-source";

const { values } = parseArgs({
  options: {
    lines: { type: "string", default: "1000000" },
    files: { type: "string", default: "4" },
    dir: { type: "string", default: tmpdir() },
  },
});
const LINES = Number(values.lines);
const FILES = Number(values.files);
const report = (name: string, value: number | string, unit: string): void => void process.stdout.write(`${name}: ${value} ${unit}\n`);

function content(from: number, count: number, tag: string): Buffer {
  const lines: string[] = [];
  for (let i = from; i < from + count; i++) {
    lines.push(`10.0.${i % 256}.${(i * 7) % 256} - - [22/Nov/2026:00:00:00 +0000] "GET /${tag}/item/${i}?q=${"x".repeat(60 + (i % 37))} HTTP/1.1" ${i % 10 === 0 ? 500 : 200} ${i % 9973} "-" "bench/1.0"`);
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** Runs one measurement: `files` files of `perFile` lines, written before start (`upfront`) or appended in chunks while followed. */
async function run(name: string, files: number, perFile: number, upfront: boolean): Promise<void> {
  const root = mkdtempSync(join(values.dir, "flowc-bench-taildir-"));
  const paths = Array.from({ length: files }, (_, f) => join(root, `f${f}.log`));
  const chunks = 20;
  for (const path of paths) writeFileSync(path, upfront ? content(0, perFile, path) : "");
  // Made before the clock starts: the appends below cost only their write.
  const pieces = upfront ? [] : paths.map((path) => Array.from({ length: chunks }, (_, c) => content((c * perFile) / chunks, perFile / chunks, path)));
  const channel = new MemoryChannel("c", { capacity: 100_000, transaction_capacity: 5_000, byte_capacity: memoryChannelSpec.properties.byte_capacity.default });
  await channel.start();
  const defaults: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(taildirSourceSpec.properties)) if ("default" in property) defaults[key] = property.default;
  const config = { ...defaults, files: { bench: join(root, "*.log") }, position_file: join(root, "state", "positions.json"), batch_size: 5_000 } as unknown as TaildirSourceConfig;
  const source = new TaildirSource("bench", config, new ReplicatingProcessor({ required: [channel] }));
  const total = files * perFile;
  let bytes = 0;
  const started = performance.now();
  await source.start(createLogger("error"));
  let taken = 0;
  let written = 0;
  while (taken < total) {
    if (!upfront && written < chunks) {
      paths.forEach((path, f) => appendFileSync(path, pieces[f]?.[written] as Buffer));
      written++;
    }
    const txn = channel.beginTake();
    const events = txn.take(5_000);
    txn.commit();
    for (const event of events) bytes += event.body.length + 1;
    taken += events.length;
    if (events.length === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - started) / 1000;
  await source.stop();
  await channel.stop();
  rmSync(root, { recursive: true, force: true });
  report(`${name} events/s`, Math.round(total / seconds), "events/s");
  report(`${name} MB/s`, (bytes / 1e6 / seconds).toFixed(1), "MB/s");
}

await run("one file, written before start", 1, LINES, true);
await run("one file, appended while followed", 1, LINES, false);
await run(`${FILES} files, appended while followed`, FILES, Math.floor(LINES / FILES / 20) * 20, false);
report("peak RSS", Math.round(process.resourceUsage().maxRSS / 1024), "MiB");
