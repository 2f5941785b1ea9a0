// `npx tsx bench/file-channel.ts`: the file channel in-process, as `name: value unit` lines.
//   A producer puts events of 200-byte bodies in committed batches of 1,000 and waits for each batch's
//   whenDurable() (one fsync per batch with `sync = batch`), while a consumer takes and commits batches of
//   1,000. Reported for `sync = batch` and for `sync = interval` (where the producer does not wait for the
//   disk: it yields to the event loop after each batch), then peak RSS.
// Options: --events N per run (default 2000000), --producers N concurrent producers (default 1),
//   --headers to give each event two headers, --dir DIR to run on another disk (default the OS temp dir).
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FileChannel, type FileChannelConfig } from "../runtime/channels/file/file-channel";
import { fileChannelSpec } from "../runtime/channels/file/spec";
import { CRC32_IS_NATIVE } from "../runtime/channels/file/crc32";
import { NODE_DISK_IO, type DiskIo } from "../runtime/channels/file/disk-io";
import { ChannelFullError } from "../runtime/core/errors";
import { FlowEvent, type Headers } from "../runtime/core/event";
import { createLogger } from "../runtime/core/log";
import { configOf } from "../test/helpers/spec-config";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "2000000" },
    producers: { type: "string", default: "1" },
    headers: { type: "boolean", default: false },
    dir: { type: "string", default: tmpdir() },
  },
});
const EVENTS = Number(values.events);
const PRODUCERS = Number(values.producers);
const BATCH = 1_000;
const BODY_BYTES = 200;
const report = (name: string, value: number | string, unit: string): void => void process.stdout.write(`${name}: ${value} ${unit}\n`);

/** Distinct bodies, sliced from one random block (a source would allocate one per line). */
const block = Buffer.alloc(BODY_BYTES * 4096);
for (let i = 0; i < block.length; i++) block[i] = 32 + ((i * 7919) % 95);

function makeBatch(first: number): FlowEvent[] {
  const events: FlowEvent[] = new Array<FlowEvent>(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const slot = (first + i) & 4095;
    const headers: Headers = values.headers ? { host: "web-17.example.com", timestamp: "1764000000000" } : {};
    events[i] = new FlowEvent(headers, block.subarray(slot * BODY_BYTES, (slot + 1) * BODY_BYTES));
  }
  return events;
}

/** With `sync = batch` each batch waits for its fsync; with `interval` a producer does not wait for the disk. */
async function produce(channel: FileChannel, batches: number, waitDurable: boolean): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const events = makeBatch(b * BATCH);
    for (;;) {
      const txn = channel.beginPut();
      txn.put(events);
      try {
        txn.commit();
        break;
      } catch (error) {
        txn.rollback();
        if (!(error instanceof ChannelFullError)) throw error;
        await channel.whenWritable();
      }
    }
    if (waitDurable) await channel.whenDurable();
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Like a sink runner whose sink delivers asynchronously: take, yield to the event loop (the delivery),
 * then commit. (Committing in the same tick as the put would take batches before they were ever written,
 * which the channel then rightly never writes: fast, but not what this measures.)
 */
async function consume(channel: FileChannel, total: number): Promise<void> {
  let taken = 0;
  while (taken < total) {
    const txn = channel.beginTake();
    const events = txn.take(BATCH);
    if (events.length === 0) {
      txn.commit();
      await channel.whenReadable();
      continue;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    txn.commit();
    taken += events.length;
  }
}

async function run(sync: "batch" | "interval"): Promise<void> {
  const dir = mkdtempSync(join(values.dir, "flowc-bench-file-"));
  const config: FileChannelConfig = configOf(fileChannelSpec, { dir, sync, min_free_space: 0 });
  let bytesWritten = 0;
  const io: DiskIo = {
    ...NODE_DISK_IO,
    writeSync: (fd, buffer, offset, length, position) => {
      const n = NODE_DISK_IO.writeSync(fd, buffer, offset, length, position);
      bytesWritten += n;
      return n;
    },
  };
  const channel = new FileChannel("bench", config, { log: createLogger("warn"), io });
  await channel.start();
  const perProducer = Math.ceil(EVENTS / BATCH / PRODUCERS);
  const total = perProducer * PRODUCERS * BATCH;
  const started = performance.now();
  await Promise.all([...Array.from({ length: PRODUCERS }, () => produce(channel, perProducer, sync === "batch")), consume(channel, total)]);
  const seconds = (performance.now() - started) / 1000;
  const syncs = channel.counter.SyncCount;
  const written = channel.counter.EventPutSuccessCount;
  await channel.stop();
  rmSync(dir, { recursive: true, force: true });
  const name = `file_channel_${sync}${values.headers ? "_headers" : ""}${PRODUCERS > 1 ? `_${PRODUCERS}_producers` : ""}`;
  report(`${name}_events_per_s`, Math.round(total / seconds), "events/s");
  report(`${name}_mb_per_s`, ((total * BODY_BYTES) / seconds / 1e6).toFixed(1), "MB/s");
  report(`${name}_fsyncs`, syncs, "fsyncs");
  report(`${name}_events`, written, "events");
  report(`${name}_bytes_written_per_event`, (bytesWritten / written).toFixed(1), "B");
}

/** The disk's median fdatasync latency after writing one batch's worth, for reading the figures above. */
function fdatasyncLatencyMs(): number {
  const dir = mkdtempSync(join(values.dir, "flowc-bench-fsync-"));
  const fd = openSync(join(dir, "probe"), "w");
  const data = Buffer.alloc(BATCH * (BODY_BYTES + 8), 0x61);
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    writeSync(fd, data, 0, data.length, i * data.length);
    const started = performance.now();
    fdatasyncSync(fd);
    samples.push(performance.now() - started);
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return samples.sort((a, b) => a - b)[samples.length >> 1] as number;
}

report("file_channel_crc32_native", CRC32_IS_NATIVE ? 1 : 0, "bool");
const fsyncMs = fdatasyncLatencyMs();
report("file_channel_fdatasync_median", fsyncMs.toFixed(2), "ms");
// A producer that waits for each batch's fsync cannot beat one batch per fdatasync.
report("file_channel_batch_fsync_ceiling_per_producer", Math.round((BATCH * 1000) / fsyncMs), "events/s");
await run("batch");
await run("interval");
report("file_channel_peak_rss", Math.round(process.resourceUsage().maxRSS / 1024), "MiB");
