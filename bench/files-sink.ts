// `npx tsx bench/files-sink.ts`: the `files` and `file_roll` sinks in-process, as `name: value unit` lines.
//   Batches of 1,000 events with 200-byte bodies are written one after another (as the sink runner does)
//   into a fresh directory, in these configurations:
//     plain       one file, appended to (the default, what the quickstart and peers J1 use)
//     hourly      `%Y-%m-%d/%H.log` from each event's `timestamp` header (one bucket)
//     by_header   `%{host}/events.log`, 4 hosts interleaved (4 buckets per batch)
//     rolled      `events.log` rolled every 64 MiB, `.tmp` in-progress names
//     json        one file, `format = json` (2 headers per event)
//     gzip        one file, `compression = gzip` (a member per batch)
//     file_roll   the file_roll sink, one file
//   then peak RSS. Each line is the median of --runs runs.
// Options: --events N per run (default 2000000), --runs N (default 3), --dir DIR (default the OS temp dir).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Sink } from "../runtime/core/component";
import { FlowEvent, type Headers } from "../runtime/core/event";
import { createLogger } from "../runtime/core/log";
import { FileRollSink } from "../runtime/sinks/file-roll/file-roll-sink";
import { FilesSink, type FilesSinkOptions } from "../runtime/sinks/files/files-sink";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "2000000" },
    runs: { type: "string", default: "3" },
    dir: { type: "string", default: tmpdir() },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const BATCH = 1_000;
const BODY_BYTES = 200;
const log = createLogger("error", () => undefined);

/** Distinct 200-byte access-log-like bodies, sliced from one block as a source slices a socket's chunk. */
const block = Buffer.from(
  Array.from({ length: BATCH }, (_, i) => `10.0.${i % 256}.${(i * 7) % 256} - - [21/Nov/2026:12:00:00 +0000] "GET /api/items/${i} HTTP/1.1" 200 512 `.padEnd(BODY_BYTES, "x")).join(""),
);

function batch(first: number, withHeaders: boolean): FlowEvent[] {
  const events = new Array<FlowEvent>(BATCH);
  const timestamp = String(Date.UTC(2026, 10, 21, 12) + first);
  for (let i = 0; i < BATCH; i++) {
    const headers: Headers = withHeaders ? { timestamp, host: `web-${i % 4}` } : {};
    events[i] = new FlowEvent(headers, block.subarray(i * BODY_BYTES, (i + 1) * BODY_BYTES));
  }
  return events;
}

type Scenario = { name: string; make: (dir: string) => Sink; headers: boolean };

const files = (options: Omit<FilesSinkOptions, "path"> & { path: string }) => (dir: string) => new FilesSink("bench", { ...options, path: join(dir, options.path), batch_size: BATCH });

const SCENARIOS: readonly Scenario[] = [
  { name: "plain", make: files({ path: "events.log" }), headers: false },
  { name: "hourly", make: files({ path: "%Y-%m-%d/%H.log", time_zone: "UTC" }), headers: true },
  { name: "by_header", make: files({ path: "%{host}/events.log" }), headers: true },
  { name: "rolled", make: files({ path: "events.log", roll_size: 64 * 1_048_576 }), headers: false },
  { name: "json", make: files({ path: "events.json", format: "json" }), headers: true },
  { name: "gzip", make: files({ path: "events.log.gz", compression: "gzip" }), headers: false },
  { name: "file_roll", make: (dir) => new FileRollSink("bench", { directory: dir, roll_interval: 0, batch_size: BATCH }), headers: false },
];

async function run(scenario: Scenario): Promise<number> {
  const dir = mkdtempSync(join(values.dir, "flowc-bench-files-"));
  try {
    const sink = scenario.make(dir);
    await sink.start(log);
    // The batches are made before the clock starts: the cost measured is the sink's.
    const batches = Array.from({ length: 16 }, (_, i) => batch(i * BATCH, scenario.headers));
    const started = performance.now();
    for (let sent = 0; sent < EVENTS; sent += BATCH) await sink.write(batches[(sent / BATCH) % batches.length] as FlowEvent[]);
    await sink.stop();
    return EVENTS / ((performance.now() - started) / 1_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const scenario of SCENARIOS) {
  const results: number[] = [];
  await run(scenario); // warm-up
  for (let i = 0; i < RUNS; i++) results.push(await run(scenario));
  results.sort((a, b) => a - b);
  process.stdout.write(`files_sink_${scenario.name}: ${Math.round(results[Math.floor(results.length / 2)] as number)} events/s (median of ${RUNS}, ${EVENTS} events of ${BODY_BYTES} B)\n`);
}
process.stdout.write(`files_sink_peak_rss: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB\n`);
