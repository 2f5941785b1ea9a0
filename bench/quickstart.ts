// `npm run bench`: the walking skeleton's figures, as `name: value unit` lines.
//   build time and binary size of examples/quickstart.flow, time from exec to the readiness line,
//   TCP → memory channel → file throughput over one connection, and the agent's peak RSS.
// Options: --lines N (default 1000000), --starts N (default 15).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { lines: { type: "string", default: "1000000" }, starts: { type: "string", default: "15" } } });
const LINES = Number(values.lines);
const STARTS = Number(values.starts);
const work = mkdtempSync(join(tmpdir(), "flowc-bench-"));
const report = (name: string, value: number | string, unit: string): void => void process.stdout.write(`${name}: ${value} ${unit}\n`);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startAgent(binary: string, output: string): Promise<{ child: ReturnType<typeof spawn>; port: number; readyMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(binary, [], { env: { QUICKSTART_PORT: String(port), QUICKSTART_OUT: output }, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const readyMs = await new Promise<number>((resolve, reject) => {
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      log += chunk;
      if (log.includes("msg=ready")) resolve(performance.now() - started);
    });
    child.on("exit", (code) => reject(new Error(`agent exited with ${code}: ${log}`)));
  });
  return { child, port, readyMs };
}

async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  await new Promise<void>((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

// 1. Build.
const buildStart = performance.now();
const build = spawnSync(process.execPath, [join(root, "bin/flowc.cjs"), "build", "examples/quickstart.flow", "--out", join(work, "dist")], { cwd: root, encoding: "utf8" });
if (build.status !== 0) throw new Error(build.stderr);
const binary = join(work, "dist/quickstart/quickstart");
report("build_time", ((performance.now() - buildStart) / 1000).toFixed(2), "s");
report("binary_size", (statSync(binary).size / 1_048_576).toFixed(1), "MiB");

// 2. Exec → readiness line.
const readies: number[] = [];
for (let i = 0; i < STARTS; i++) {
  const agent = await startAgent(binary, join(work, `start-${i}.log`));
  readies.push(agent.readyMs);
  await stop(agent.child);
}
report("exec_to_ready_median", median(readies).toFixed(1), "ms");
report("exec_to_ready_min", Math.min(...readies).toFixed(1), "ms");

// 3. Throughput: LINES lines of ~100 bytes over one TCP connection into the file.
const lines: string[] = [];
for (let i = 0; i < LINES; i++) lines.push(`${i} 10.0.${i % 256}.1 "GET /item/${i % 10_000} HTTP/1.1" ${i % 10 === 0 ? 500 : 200} ${"x".repeat(40 + (i % 30))}`);
const payload = Buffer.from(`${lines.join("\n")}\n`);
const output = join(work, "throughput.log");
const agent = await startAgent(binary, output);
const sent = performance.now();
await new Promise<void>((resolve, reject) => {
  const socket = connect(agent.port, "127.0.0.1", () => socket.end(payload));
  socket.on("close", () => resolve()).on("error", reject);
});
for (;;) {
  let size = 0;
  try {
    size = statSync(output).size;
  } catch {}
  if (size >= payload.length) break;
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const seconds = (performance.now() - sent) / 1000;
const status = readFileSync(`/proc/${agent.child.pid}/status`, "utf8");
const rssKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
await stop(agent.child);
if (!readFileSync(output).equals(payload)) throw new Error("output differs from input");
report("tcp_to_file_events", Math.round(LINES / seconds), "events/s");
report("tcp_to_file_bytes", (payload.length / 1e6 / seconds).toFixed(1), "MB/s");
report("agent_peak_rss", (rssKiB / 1024).toFixed(1), "MiB");
rmSync(work, { recursive: true, force: true });
