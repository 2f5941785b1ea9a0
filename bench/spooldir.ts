// `npx tsx bench/spooldir.ts`: the spooldir source in-process, as `name: value unit` lines.
//   Drops FILES files of LINES lines (about 100 bytes each) into a fresh directory, starts a spooldir source
//   feeding a memory channel that a consumer empties in batches, and reports how fast every file was read,
//   delivered and marked done, for each batch size (the position is saved, with an fdatasync, after each
//   batch), then peak RSS.
// Options: --files N (default 10), --lines N per file (default 100000), --dir DIR to run on another disk
//   (default the OS temp dir).
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MemoryChannel } from "../runtime/channels/memory/memory-channel";
import { memoryChannelSpec } from "../runtime/channels/memory/spec";
import { createLogger } from "../runtime/core/log";
import { ReplicatingProcessor } from "../runtime/processors/replicating-processor";
import { spooldirSourceSpec } from "../runtime/sources/spooldir/spec";
import { SpooldirSource, type SpooldirSourceConfig } from "../runtime/sources/spooldir/spooldir-source";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "10" },
    lines: { type: "string", default: "100000" },
    dir: { type: "string", default: tmpdir() },
  },
});
const FILES = Number(values.files);
const LINES = Number(values.lines);
const report = (name: string, value: number | string, unit: string): void => void process.stdout.write(`${name}: ${value} ${unit}\n`);

function fileContent(file: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) lines.push(`${file} ${i} 10.0.${i % 256}.${(i * 7) % 256} "GET /item/${i}?q=${"x".repeat(40 + (i % 23))} HTTP/1.1" 200`);
  return Buffer.from(`${lines.join("\n")}\n`);
}

async function run(batchSize: number): Promise<void> {
  const root = mkdtempSync(join(values.dir, "flowc-bench-spooldir-"));
  const spool = join(root, "spool");
  let bytes = 0;
  const old = new Date(Date.now() - 60_000);
  for (let f = 0; f < FILES; f++) {
    const content = fileContent(f);
    bytes += content.length;
    const path = join(root, `f${f}.log`);
    writeFileSync(path, content);
    utimesSync(path, old, old);
  }
  mkdirSync(spool);
  for (let f = 0; f < FILES; f++) renameSync(join(root, `f${f}.log`), join(spool, `f${f}.log`));

  const channel = new MemoryChannel("c", { capacity: 100_000, transaction_capacity: Math.max(batchSize, 1_000), byte_capacity: memoryChannelSpec.properties.byte_capacity.default });
  await channel.start();
  const defaults: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(spooldirSourceSpec.properties)) if ("default" in property) defaults[key] = property.default;
  const config = { ...defaults, directory: spool, min_age: 0, poll_delay: 10, batch_size: batchSize } as SpooldirSourceConfig;
  const source = new SpooldirSource("bench", config, new ReplicatingProcessor({ required: [channel] }));
  const started = performance.now();
  await source.start(createLogger("error"));
  let taken = 0;
  const total = FILES * LINES;
  while (taken < total || source.counter.FileCompletedCount < FILES) {
    const txn = channel.beginTake();
    const events = txn.take(10_000);
    txn.commit();
    taken += events.length;
    if (events.length === 0) await Promise.race([channel.whenReadable(), new Promise((resolve) => setTimeout(resolve, 5))]);
    else await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - started) / 1000;
  await source.stop();
  await channel.stop();
  rmSync(root, { recursive: true, force: true });
  report(`spooldir_batch${batchSize}_lines`, Math.round(total / seconds), "lines/s");
  report(`spooldir_batch${batchSize}_bytes`, (bytes / 1e6 / seconds).toFixed(1), "MB/s");
}

for (const batchSize of [100, 1_000]) await run(batchSize);
report("peak_rss", (process.resourceUsage().maxRSS / 1024).toFixed(0), "MiB");
