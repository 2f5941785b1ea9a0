import { FileChannel } from "/work/main/runtime/channels/file/file-channel";
import { FlowEvent } from "/work/main/runtime/core/event";
import { createLogger } from "/work/main/runtime/core/log";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const cache = Number(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), "fc-mem-"));
const ch = new FileChannel("m", { dir, capacity: 1_000_000, transaction_capacity: 10_000, max_segment_size: 64 << 20, checkpoint_interval: 30000, min_free_space: 0, sync: "interval", sync_interval: 1000, cache_size: cache }, { log: createLogger("warn") });
await ch.start();
global.gc?.();
const before = process.memoryUsage();
for (let b = 0; b < 1000; b++) {
  const events = [];
  for (let i = 0; i < 1000; i++) events.push(new FlowEvent({ host: "web-1" }, Buffer.from("x".repeat(200))));
  const t = ch.beginPut(); t.put(events); t.commit();
  await new Promise((r) => setImmediate(r));
}
await ch.whenDurable();
global.gc?.();
const after = process.memoryUsage();
const mb = (n: number) => (n / 1048576).toFixed(1);
console.log(`cache_size ${cache}: events ${ch.size()} rss +${mb(after.rss - before.rss)} MiB heap +${mb(after.heapUsed - before.heapUsed)} MiB external+ab +${mb(after.external + after.arrayBuffers - before.external - before.arrayBuffers)} MiB`);
await ch.stop();
// restart: replay from checkpoint, nothing cached
const ch2 = new FileChannel("m", { dir, capacity: 1_000_000, transaction_capacity: 10_000, max_segment_size: 64 << 20, checkpoint_interval: 30000, min_free_space: 0, sync: "interval", sync_interval: 1000, cache_size: cache }, { log: createLogger("warn") });
global.gc?.();
const b2 = process.memoryUsage();
const t0 = performance.now();
await ch2.start();
const t1 = performance.now();
global.gc?.();
const a2 = process.memoryUsage();
console.log(`restart: ${ch2.size()} events in ${(t1 - t0).toFixed(0)} ms, heap +${mb(a2.heapUsed - b2.heapUsed)} MiB`);
let n = 0; const t2 = performance.now();
for (;;) { const t = ch2.beginTake(); const e = t.take(10000); t.commit(); n += e.length; if (e.length === 0) break; }
console.log(`drained ${n} (read back from disk) in ${(performance.now() - t2).toFixed(0)} ms`);
await ch2.stop();
rmSync(dir, { recursive: true });
