// HTTP benchmark: the `http` source taking POSTs into a memory channel drained as it fills, and the
// `http` sink posting batches to a local node:http server that reads and discards them. Real runtime
// classes, one process, loopback; keep-alive on both sides. Prints `name: value unit` lines.
//   npx tsx bench/http.ts [--events N] [--runs N] [--clients N]
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { MemoryChannel } from "../runtime/channels/memory/memory-channel";
import { FlowEvent } from "../runtime/core/event";
import { createLogger } from "../runtime/core/log";
import { ReplicatingProcessor } from "../runtime/processors/replicating-processor";
import { HttpSink } from "../runtime/sinks/http/http-sink";
import { httpSinkSpec } from "../runtime/sinks/http/spec";
import { HttpSource } from "../runtime/sources/http/http-source";
import { httpSourceSpec } from "../runtime/sources/http/spec";
import type { ComponentSpec, ConfigOf } from "../runtime/spec";

const { values } = parseArgs({ options: { events: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" }, clients: { type: "string", default: "4" } } });
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const CLIENTS = Number(values.clients);
const BATCH = 1_000;
const log = createLogger("error");

/** 200-byte access-log-like lines. */
function lines(): string[] {
  return Array.from({ length: BATCH }, (_, i) => `10.0.${i % 256}.${(i * 7) % 256} - - [21/Nov/2026:12:00:00 +0000] "GET /api/items/${i} HTTP/1.1" 200 512 service=api `.padEnd(199, "x"));
}

function defaults(spec: ComponentSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec.properties).flatMap(([key, property]) => (property.default === undefined ? [] : [[key, property.default]])));
}

function post(agent: http.Agent, url: string, body: Buffer, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { "Content-Type": contentType, "Content-Length": body.length } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Events per second the source takes in, `format` being the body of each request of BATCH events. */
async function sourceRun(format: "text" | "ndjson" | "json"): Promise<number> {
  const channel = new MemoryChannel("c", { capacity: 100_000, transaction_capacity: BATCH, byte_capacity: 1 << 30 });
  await channel.start();
  const config = { ...defaults(httpSourceSpec), bind: "127.0.0.1", port: 0, batch_size: BATCH, max_body_size: 64 << 20 } as ConfigOf<typeof httpSourceSpec>;
  const source = new HttpSource("web", config, new ReplicatingProcessor({ required: [channel] }));
  const url = await source.start(log);
  const texts = lines();
  const body =
    format === "text"
      ? Buffer.from(`${texts.join("\n")}\n`)
      : format === "ndjson"
        ? Buffer.from(texts.map((text) => JSON.stringify({ headers: { host: "web-1" }, body: text })).join("\n"))
        : Buffer.from(JSON.stringify(texts.map((text) => ({ headers: { host: "web-1" }, body: text }))));
  const contentType = format === "text" ? "text/plain" : format === "ndjson" ? "application/x-ndjson" : "application/json";
  let taken = 0;
  const drain = setInterval(() => {
    for (;;) {
      const txn = channel.beginTake();
      const got = txn.take(BATCH);
      txn.commit();
      taken += got.length;
      if (got.length === 0) break;
    }
  }, 1);
  const requests = EVENTS / BATCH;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (next < requests) {
        next++;
        for (;;) {
          const status = await post(agent, url, body, contentType);
          if (status === 200) break;
          if (status !== 503) throw new Error(`status ${status}`);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
      agent.destroy();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(drain);
  await source.stop();
  if (source.counter.EventAcceptedCount !== EVENTS || taken + channel.size() !== EVENTS) throw new Error(`accepted ${source.counter.EventAcceptedCount}, taken ${taken}`);
  return EVENTS / seconds;
}

/** Events per second the sink delivers to a server that reads and discards each request. */
async function sinkRun(format: "ndjson" | "text", compression: "none" | "gzip"): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
  const config = { ...defaults(httpSinkSpec), url, format, compression, batch_size: BATCH } as ConfigOf<typeof httpSinkSpec>;
  const sink = new HttpSink("out", config);
  await sink.start(log);
  const events = lines().map((text) => new FlowEvent({ host: "web-1", level: "INFO" }, Buffer.from(text)));
  const started = performance.now();
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    // Fresh events per batch, as a channel hands them (bodyText() is cached per event).
    await sink.write(events.map((e) => new FlowEvent(e.headers, e.body)));
  }
  const seconds = (performance.now() - started) / 1000;
  await sink.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return EVENTS / seconds;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function measure(name: string, run: () => Promise<number>): Promise<void> {
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) rates.push(await run());
  console.log(`${name}: ${Math.round(median(rates))} events/s`);
}

await measure(`http_source_text_${CLIENTS}_clients`, () => sourceRun("text"));
await measure(`http_source_ndjson_${CLIENTS}_clients`, () => sourceRun("ndjson"));
await measure(`http_source_json_${CLIENTS}_clients`, () => sourceRun("json"));
await measure("http_sink_ndjson", () => sinkRun("ndjson", "none"));
await measure("http_sink_ndjson_gzip", () => sinkRun("ndjson", "gzip"));
await measure("http_sink_text", () => sinkRun("text", "none"));
