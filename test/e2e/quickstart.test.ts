import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { freePort } from "../helpers/free-port";
import { buildFlow } from "../helpers/run-cli";
import { waitFor } from "../helpers/wait-for";

const work = mkdtempSync(join(tmpdir(), "flowc-e2e-"));
const binary = join(work, "dist", "quickstart", "quickstart");
/** A PATH with no `node` on it: the agent must not need one. */
const emptyPath = join(work, "empty-path");
let agent: AgentProcess | undefined;

beforeAll(() => {
  mkdirSync(emptyPath);
  buildFlow("examples/quickstart.flow", join(work, "dist"));
}, 180_000);

afterEach(() => killAgent(agent));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** 100,000 distinct lines of varied length, like access-log lines. */
function sampleLines(count: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(`${i} 10.0.${i % 256}.${(i * 7) % 256} "GET /item/${i}?q=${"x".repeat(i % 97)} HTTP/1.1" ${i % 13 === 0 ? 500 : 200} ü`);
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

describe("the quickstart agent binary", () => {
  it("runs with no Node.js on PATH and an empty environment", () => {
    expect(spawnSync("/bin/sh", ["-c", "command -v node"], { env: { PATH: emptyPath } }).status).not.toBe(0);
    const help = spawnSync(binary, ["--help"], { env: { PATH: emptyPath }, encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: quickstart [options]");
    expect(help.stdout).toContain("QUICKSTART_PORT");
    const version = spawnSync(binary, ["--version"], { env: {}, encoding: "utf8" });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^quickstart \(flowc \d+\.\d+\.\d+, node v24\.\d+\.\d+\)\n$/);
  });

  it("delivers 100,000 lines from one connection in order, then stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const output = join(work, "out", "events.log");
    agent = startAgent(binary, { env: { PATH: emptyPath, QUICKSTART_PORT: String(port), QUICKSTART_OUT: output }, cwd: work });
    expect(await waitUntilReady(agent)).toBe(`tcp://127.0.0.1:${port}`);
    expect(agent.log()).toMatch(/msg=ready tier=quickstart flowc=\d+\.\d+\.\d+ node=v24/);

    const payload = sampleLines(100_000);
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.end(payload));
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    await waitFor("all lines in the output file", () => {
      try {
        return statSync(output).size >= payload.length;
      } catch {
        return false;
      }
    }, 60_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(`quickstart e2e: 100000 lines (${(payload.length / 1e6).toFixed(1)} MB) in ${seconds.toFixed(3)}s = ${Math.round(100_000 / seconds)} lines/s`);
    expect(readFileSync(output).equals(payload)).toBe(true);

    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    expect(agent.log()).toContain("msg=stopped");
    expect(agent.log()).toMatch(/sink=out .*EventDrainSuccessCount=100000/);
  }, 90_000);

  it("exits 78 naming the variable when the environment is wrong", async () => {
    agent = startAgent(binary, { env: { PATH: emptyPath, QUICKSTART_PORT: "http" }, cwd: work });
    expect(await agent.exited).toBe(78);
    expect(agent.log()).toContain("environment variable QUICKSTART_PORT=\\\"http\\\" is not valid for property `port` of source `lines`: expected an integer");
  });

  it("exits 1 with a clear message when its port is taken", async () => {
    const port = await freePort();
    const first = startAgent(binary, { env: { QUICKSTART_PORT: String(port), QUICKSTART_OUT: join(work, "a.log") }, cwd: work });
    try {
      await waitUntilReady(first);
      agent = startAgent(binary, { env: { QUICKSTART_PORT: String(port), QUICKSTART_OUT: join(work, "b.log") }, cwd: work });
      expect(await agent.exited).toBe(1);
      expect(agent.log()).toContain(`source \`lines\` cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(agent.log()).not.toContain("    at ");
    } finally {
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
    }
  });

  it("exits at once on a second signal", async () => {
    const port = await freePort();
    agent = startAgent(binary, { env: { QUICKSTART_PORT: String(port), QUICKSTART_OUT: join(work, "c.log") }, cwd: work, args: ["--drain-timeout", "1h"] });
    await waitUntilReady(agent);
    // A connection that never finishes its line keeps nothing pending, so a first SIGTERM alone would exit
    // quickly too; the point is that the second one is honoured even mid-shutdown.
    agent.child.kill("SIGTERM");
    agent.child.kill("SIGTERM");
    expect([0, 143]).toContain(await agent.exited);
  });
});
