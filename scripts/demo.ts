// `npm run demo`: builds examples/quickstart.flow into a single-binary agent, starts it, sends it a few
// thousand sample lines over TCP, shows where they landed, and stops it. Exits by itself.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { connect, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LINES = 5_000;
const say = (text: string): void => void process.stdout.write(`\n\u001b[1m==> ${text}\u001b[0m\n`);

function fail(message: string): never {
  process.stderr.write(`demo failed: ${message}\n`);
  process.exit(1);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

say("flowc build examples/quickstart.flow");
const build = spawnSync(process.execPath, [join(root, "bin/flowc.cjs"), "build", "examples/quickstart.flow"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) fail(`flowc build exited with ${build.status}`);
const binary = join(root, "dist/quickstart/quickstart");

// The example's default output path, kept after the demo so it can be looked at.
const output = join(root, "quickstart-out", "events.log");
rmSync(output, { force: true });
const port = await freePort();
say(`starting dist/quickstart/quickstart with QUICKSTART_PORT=${port} (any free port; 5140 by default)`);
const agent = spawn(binary, [], { cwd: root, env: { QUICKSTART_PORT: String(port) }, stdio: ["ignore", "inherit", "pipe"] });
let log = "";
let printed = 0;
agent.stderr.setEncoding("utf8").on("data", (chunk: string) => {
  log += chunk;
  const complete = log.lastIndexOf("\n") + 1;
  for (const line of log.slice(printed, complete).split("\n").slice(0, -1)) process.stdout.write(`    agent | ${line}\n`);
  printed = complete;
});
const exited = new Promise<number | null>((resolve) => agent.on("exit", (code) => resolve(code)));
await until("the agent to be ready", () => log.includes("msg=ready"), 15_000);

say(`sending ${LINES} sample access-log lines to 127.0.0.1:${port}`);
const methods = ["GET", "POST", "PUT"];
const lines: string[] = [];
for (let i = 1; i <= LINES; i++) {
  const status = i % 50 === 0 ? 500 : 200;
  lines.push(`10.0.0.${i % 254} - - [21/Nov/2026:12:00:00 +0000] "${methods[i % 3]} /api/items/${i} HTTP/1.1" ${status} ${100 + (i % 900)}`);
}
const payload = `${lines.join("\n")}\n`;
const started = performance.now();
await new Promise<void>((resolve, reject) => {
  const socket = connect(port, "127.0.0.1", () => socket.end(payload));
  socket.on("close", () => resolve()).on("error", reject);
});
await until("the lines to reach the file", () => {
  try {
    return statSync(output).size >= Buffer.byteLength(payload);
  } catch {
    return false;
  }
}, 15_000);
const ms = performance.now() - started;

const written = readFileSync(output, "utf8");
const count = written.split("\n").length - 1;
say(`${count} lines landed in quickstart-out/events.log in ${ms.toFixed(0)} ms; the first three:`);
for (const line of written.split("\n").slice(0, 3)) process.stdout.write(`    ${line}\n`);
if (written !== payload) fail("the output file does not hold exactly the lines sent");

say("stopping the agent with SIGTERM (it drains its channel first)");
agent.kill("SIGTERM");
const code = await exited;
if (code !== 0) fail(`the agent exited with ${code}`);
say(`done: the agent exited with 0 and every line arrived exactly once, in order.
    The lines are in quickstart-out/events.log. Try the agent yourself: dist/quickstart/quickstart --help`);
