import { execFile, spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { buildFlow } from "../helpers/run-cli";
import { waitFor } from "../helpers/wait-for";
import { withTimeout } from "../helpers/with-timeout";

/**
 * The taildir source in a real agent binary (test/e2e/flows/taildir.flow, built once), following files
 * that a shell appends to and that Debian's logrotate rotates, stopped and started again, run as an
 * unprivileged user facing a file it may not read.
 */
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-taildir-"));
const binary = join(work, "dist", "tail", "tail");
const agents: AgentProcess[] = [];
const writers: ChildProcess[] = [];

beforeAll(() => {
  buildFlow("test/e2e/flows/taildir.flow", join(work, "dist"));
  chmodSync(work, 0o755); // an agent run as another user must reach the binary
}, 180_000);

afterEach(() => {
  for (const agent of agents.splice(0)) killAgent(agent);
  for (const writer of writers.splice(0)) if (writer.exitCode === null && writer.signalCode === null) writer.kill("SIGKILL");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Paths {
  readonly dir: string;
  readonly log: string;
  readonly out: string;
  readonly traces: string;
  readonly tracesOut: string;
}

/** A fresh directory for one test; `shared` lets an agent run as another user write there (logrotate refuses such a directory). */
function testDir(shared = false): Paths {
  const dir = mkdtempSync(join(work, "t-"));
  chmodSync(dir, shared ? 0o777 : 0o755);
  return { dir, log: join(dir, "app.log"), out: join(dir, "out.txt"), traces: join(dir, "java.trace"), tracesOut: join(dir, "traces.txt") };
}

function env(paths: Paths, glob = paths.log): NodeJS.ProcessEnv {
  return {
    TAIL_GLOB: glob,
    TAIL_POSITIONS: join(paths.dir, "state", "logs.json"),
    TAIL_TRACES: paths.traces,
    TAIL_TRACE_POSITIONS: join(paths.dir, "state", "traces.json"),
    TAIL_OUT: paths.out,
    TAIL_TRACES_OUT: paths.tracesOut,
  };
}

async function startTail(paths: Paths, options: { glob?: string; uid?: number } = {}): Promise<AgentProcess> {
  let agent: AgentProcess;
  if (options.uid === undefined) agent = startAgent(binary, { env: env(paths, options.glob), cwd: paths.dir });
  else {
    // startAgent's shape, for a child run as another user.
    const child = spawn(binary, [], { env: env(paths, options.glob), cwd: paths.dir, stdio: ["ignore", "pipe", "pipe"], uid: options.uid, gid: options.uid });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    const exited = new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : 143))));
    agent = { child, log: () => stderr, exited };
  }
  agents.push(agent);
  // The readiness line lists each source's globs (logfmt-quoted: they hold a comma).
  expect(await waitUntilReady(agent)).toBe(JSON.stringify(`taildir:${options.glob ?? paths.log},taildir:${paths.traces}`));
  return agent;
}

async function stop(agent: AgentProcess): Promise<string> {
  agent.child.kill("SIGTERM");
  expect(await withTimeout(agent.exited, 15_000, "the agent to exit")).toBe(0);
  return agent.log();
}

function linesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  return text === "" ? [] : text.slice(0, -1).split("\n");
}

async function untilLines(path: string, count: number, timeoutMs = 30_000): Promise<string[]> {
  await waitFor(`${count} lines in ${path}`, () => linesOf(path).length >= count, timeoutMs);
  return linesOf(path);
}

function numbered(prefix: string, from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} ${String(from + i).padStart(6, "0")} GET /items?page=${(from + i) % 97}`);
}

/**
 * A shell appending `count` numbered lines, reopening the file for each (as `echo … >> file` does). Half-way
 * it waits until the file `gate` exists: a shell can write all the lines before a loaded machine's agent
 * delivered any, and the test must rotate while it writes.
 */
function shellWriter(path: string, count: number, gate: string): ChildProcess {
  const half = Math.floor(count / 2);
  const script = `i=0; while [ $i -lt ${count} ]; do if [ $i -eq ${half} ]; then while [ ! -e "$2" ]; do sleep 0.01; done; fi; printf 'req %06d GET /items?page=%d\\n' $i $((i % 97)) >> "$1"; i=$((i + 1)); done`;
  const child = spawn("sh", ["-c", script, "sh", path, gate], { stdio: "ignore" });
  writers.push(child);
  return child;
}

function counterIn(log: string, source: string, counter: string): number {
  const line = log.split("\n").find((l) => l.includes("msg=\"source stopped\"") && l.includes(` source=${source} `));
  return Number(new RegExp(` ${counter}=(\\d+)`).exec(line ?? "")?.[1] ?? Number.NaN);
}

describe("the taildir source in an agent binary", () => {
  it("follows a file a shell appends to through logrotate's rename rotations: every line once, in order", async () => {
    const paths = testDir();
    const conf = join(paths.dir, "logrotate.conf");
    // nocreate: the writer opens the file for every line, so its next line creates the new file (with
    // `create`, logrotate would fail when the writer got there first).
    writeFileSync(conf, `${paths.log} {\n  rotate 10\n  nocreate\n  missingok\n  nocompress\n}\n`, { mode: 0o644 });
    writeFileSync(paths.log, "");
    const agent = await startTail(paths);
    const total = 6_000;
    const gate = join(paths.dir, "rotated-once");
    const writer = shellWriter(paths.log, total, gate);
    const done = new Promise((resolve) => writer.on("exit", resolve));
    let rotations = 0;
    let finished = false;
    void done.then(() => (finished = true));
    // Each rotation waits until the agent delivered a line of the file it renames: logrotate never rotates
    // twice within a poll interval, and a file renamed out of the glob before any poll found it cannot be
    // followed (docs/taildir.md). Without this, the lines the agent still delivered from an earlier file
    // let a rotation rename a new file it had not seen yet.
    const deliveredFromCurrent = (): boolean => {
      const first = linesOf(paths.log)[0];
      return first !== undefined && linesOf(paths.out).includes(first);
    };
    while (!finished && rotations < 5) {
      const before = linesOf(paths.out).length;
      await waitFor("the agent to deliver more lines, some of the current file", () => finished || (linesOf(paths.out).length > before + 200 && deliveredFromCurrent()), 30_000);
      if (finished) break;
      await run("logrotate", ["-f", "-s", join(paths.dir, "logrotate.state"), conf]);
      rotations++;
      writeFileSync(gate, "");
    }
    await done;
    const expected = Array.from({ length: total }, (_, i) => `req ${String(i).padStart(6, "0")} GET /items?page=${i % 97}`);
    expect(await untilLines(paths.out, total)).toEqual(expected);
    expect(rotations).toBeGreaterThan(0);
    const log = await stop(agent);
    expect(counterIn(log, "logs", "EventAcceptedCount")).toBe(total);
    expect(counterIn(log, "logs", "FileRotatedCount")).toBe(rotations);
    expect(log).toContain("msg=stopped");
  }, 120_000);

  it("after copytruncate, finishes from the copy what it had not read, then reads the file from its start", async () => {
    const paths = testDir();
    const conf = join(paths.dir, "logrotate.conf");
    writeFileSync(conf, `${paths.log} {\n  rotate 10\n  copytruncate\n  missingok\n  nocompress\n}\n`, { mode: 0o644 });
    const fd = openSync(paths.log, "a"); // an application's descriptor, kept across the rotation
    try {
      const agent = await startTail(paths);
      const first = numbered("a", 0, 2_000);
      writeSync(fd, `${first.join("\n")}\n`);
      await untilLines(paths.out, 1);
      // More lines, then the rotation at once: the agent lags behind and must finish them from the copy.
      const second = numbered("b", 0, 20_000);
      writeSync(fd, `${second.join("\n")}\n`);
      await run("logrotate", ["-f", "-s", join(paths.dir, "logrotate.state"), conf]);
      const third = numbered("c", 0, 1_000);
      writeSync(fd, `${third.join("\n")}\n`);
      const all = [...first, ...second, ...third];
      expect(await untilLines(paths.out, all.length)).toEqual(all);
      const log = await stop(agent);
      expect(counterIn(log, "logs", "FileTruncatedCount")).toBe(1);
      expect(linesOf(join(paths.dir, "app.log.1"))).toEqual([...first, ...second]);
    } finally {
      closeSync(fd);
    }
  }, 120_000);

  it("stopped and started again, reads what was written meanwhile and nothing twice; joins multi-line records", async () => {
    const paths = testDir();
    const batch = (from: number): string[] => numbered("r", from, 1_000);
    appendFileSync(paths.log, `${batch(0).join("\n")}\n`);
    writeFileSync(paths.traces, "2024-05-01 ERROR boom\n\tat a.B(C.java:1)\n\tat d.E(F.java:2)\n2024-05-01 INFO ok\n2024-05-01 WARN slow\n  detail");
    let agent = await startTail(paths);
    await untilLines(paths.out, 1_000);
    // Records end at the next start line, or after multiline_timeout for the last one ("WARN slow"); the
    // unterminated "  detail" is left in the file for the next run.
    await untilLines(paths.tracesOut, 5, 10_000);
    appendFileSync(paths.log, `${batch(1_000).join("\n")}\n`);
    let log = await stop(agent);
    expect(counterIn(log, "traces", "EventReceivedCount")).toBe(3);
    appendFileSync(paths.log, `${batch(2_000).join("\n")}\n`);
    appendFileSync(paths.traces, "\n2024-05-02 INFO next\n");
    agent = await startTail(paths);
    appendFileSync(paths.log, `${batch(3_000).join("\n")}\n`);
    expect(await untilLines(paths.out, 4_000)).toEqual([...batch(0), ...batch(1_000), ...batch(2_000), ...batch(3_000)]);
    expect(await untilLines(paths.tracesOut, 7, 10_000)).toEqual([
      "2024-05-01 ERROR boom",
      "\tat a.B(C.java:1)",
      "\tat d.E(F.java:2)",
      "2024-05-01 INFO ok",
      "2024-05-01 WARN slow",
      "  detail",
      "2024-05-02 INFO next",
    ]);
    log = await stop(agent);
    expect(counterIn(log, "traces", "EventReceivedCount")).toBe(2); // "  detail" (no start line before it in this run), "INFO next"
    const positions = JSON.parse(readFileSync(join(paths.dir, "state", "logs.json"), "utf8")) as { files: { pos: number; path: string }[] };
    expect(positions.files).toEqual([expect.objectContaining({ path: paths.log, pos: readFileSync(paths.log).length })]);
  }, 120_000);

  it("logs and counts a file it may not read, reads the others, and survives binary garbage and a huge line", async () => {
    const paths = testDir(true);
    const root = process.getuid?.() === 0;
    writeFileSync(join(paths.dir, "secret.log"), "secret\n", { mode: root ? 0o600 : 0o000 });
    if (!root) chmodSync(join(paths.dir, "secret.log"), 0o000);
    const garbage = Buffer.concat([Buffer.from([0, 1, 0xff, 0xfe, 0x0a]), Buffer.alloc(3_000_000, 0x41), Buffer.from("\nafter\n")]);
    writeFileSync(join(paths.dir, "binary.log"), garbage, { mode: 0o644 });
    const agent = await startTail(paths, { glob: join(paths.dir, "*.log"), ...(root ? { uid: 65534 } : {}) });
    await untilLines(paths.out, 3);
    await waitFor("the refusal to be logged", () => agent.log().includes("permission denied"));
    expect(agent.log()).toMatch(/level=warn msg="cannot open the file: permission denied; trying again at every poll" tier=tail source=logs path=\S*secret\.log/);
    expect(agent.log()).not.toContain("    at ");
    const log = await stop(agent);
    const out = readFileSync(paths.out);
    expect(out.subarray(0, 5)).toEqual(Buffer.from([0, 1, 0xff, 0xfe, 0x0a]));
    expect(out.length).toBe(5 + 1_048_576 + 1 + "after\n".length); // the huge line cut to max_line_length (1MiB)
    expect(counterIn(log, "logs", "LineTruncatedCount")).toBe(1);
    expect(counterIn(log, "logs", "FileReadFail")).toBeGreaterThan(0);
  }, 120_000);
});
