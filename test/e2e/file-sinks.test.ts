import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAgent, startAgent, waitUntilReady, type AgentProcess } from "../helpers/agent-process";
import { freePort } from "../helpers/free-port";
import { buildFlow } from "../helpers/run-cli";
import { connectTcp, endWith, whenClosed } from "../helpers/tcp-client";
import { waitFor } from "../helpers/wait-for";

// One binary for every test here: test/e2e/flows/file-sinks.flow sends each line to a templated, rolled,
// gzip `files` sink, a JSON-lines `files` sink, a `file_roll` sink and a plain `files` sink. Each test runs
// it in a working directory of its own; the output is read back with the real gzip tools.
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-file-sinks-"));
const binary = join(work, "dist", "file_sinks", "file_sinks");
let agent: AgentProcess | undefined;

beforeAll(() => {
  buildFlow("test/e2e/flows/file-sinks.flow", join(work, "dist"));
}, 180_000);

afterEach(() => killAgent(agent));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fresh working directory for one run of the agent. */
function runDirectory(name: string): string {
  const directory = join(work, name);
  mkdirSync(directory);
  return directory;
}

async function start(cwd: string, env: Record<string, string> = {}): Promise<{ port: number; agent: AgentProcess }> {
  const port = await freePort();
  agent = startAgent(binary, { env: { FILE_SINKS_PORT: String(port), ...env }, cwd });
  await waitUntilReady(agent);
  return { port, agent };
}

async function send(port: number, lines: readonly string[]): Promise<void> {
  const socket = await connectTcp(port);
  await endWith(socket, `${lines.join("\n")}\n`);
  await whenClosed(socket);
}

/** `count` lines alternating between the `ops` and `web` departments, numbered from `from`. */
function lines(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `dept=${(from + i) % 2 === 0 ? "ops" : "web"} n=${from + i} ${"x".repeat((from + i) % 50)}`);
}

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").length - 1 : 0;
}

/** The rolled files of a department (of today, in UTC), in the order of their counters. */
function rolledFiles(cwd: string, dept: string): string[] {
  const root = join(cwd, "rolled", dept);
  if (!existsSync(root)) return [];
  const [day] = readdirSync(root);
  if (day === undefined) return [];
  expect(day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const counter = (name: string): number => Number(/^events\.(\d+)\./.exec(name)?.[1]);
  return readdirSync(join(root, day))
    .sort((a, b) => counter(a) - counter(b))
    .map((name) => join(root, day, name));
}

function zcat(path: string): string[] {
  const text = execFileSync("zcat", [path], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return text === "" ? [] : text.slice(0, -1).split("\n");
}

async function stop(running: AgentProcess): Promise<string> {
  running.child.kill("SIGTERM");
  expect(await running.exited).toBe(0);
  return running.log();
}

describe("the files and file_roll sinks in a built agent", () => {
  it("write templated, rolled, gzip files, JSON lines and Flume-named files; SIGTERM finishes every file", async () => {
    const cwd = runDirectory("normal");
    const { port, agent: running } = await start(cwd, { FILE_SINKS_ROLL: "200ms" });
    const sent = lines(2_500);
    await send(port, sent.slice(0, 1_500));
    await waitFor("the first part in the plain file", () => lineCount(join(cwd, "plain", "events.log")) === 1_500, 30_000);
    await send(port, sent.slice(1_500));
    await waitFor("every line in the JSON file", () => lineCount(join(cwd, "json", "events.jsonl")) === sent.length, 30_000);
    // While running: files beyond 1,000 events per department are finished, the last ones in progress.
    // A batch that fills a file opens the next one at once but finishes (renames) the full one only once the
    // whole batch is written: wait for that, not just for the second file to appear.
    const inProgress = (dept: string): boolean[] => rolledFiles(cwd, dept).map((path) => path.endsWith(".log.gz.tmp"));
    await waitFor("the rolled files", () => inProgress("ops").join() === "false,true" && inProgress("web").join() === "false,true", 30_000);
    const log = await stop(running);
    expect(log).toMatch(/sink=rolled .*EventDrainSuccessCount=2500/);

    // The templated sink: a file per department and day, 1,000 events per file, all read by zcat.
    for (const dept of ["ops", "web"]) {
      const files = rolledFiles(cwd, dept);
      expect(files.map((path) => /events\.\d+\.log\.gz$/.test(path))).toEqual([true, true]);
      expect(files.map((path) => zcat(path).length)).toEqual([1_000, 250]);
      execFileSync("gzip", ["-t", ...files]);
      expect(files.flatMap(zcat)).toEqual(sent.filter((line) => line.startsWith(`dept=${dept} `)));
    }
    // JSON lines: headers set by the interceptors, the body as sent.
    const records = readFileSync(join(cwd, "json", "events.jsonl"), "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as { headers: Record<string, string>; body: string });
    expect(records.map((record) => record.body)).toEqual(sent);
    expect(records[1]?.headers).toEqual({ dept: "web", timestamp: expect.stringMatching(/^\d{13}$/) });
    // file_roll: Flume's names, one series, numbered from 1 without gaps, in order.
    const rolls = readdirSync(join(cwd, "roll")).map((name) => /^flume-(\d+)-(\d+)\.log$/.exec(name));
    expect(rolls.every((match) => match !== null)).toBe(true);
    const numbered = rolls.map((match) => ({ series: Number(match?.[1]), n: Number(match?.[2]), name: match?.[0] ?? "" })).sort((a, b) => a.n - b.n);
    expect(new Set(numbered.map((file) => file.series)).size).toBe(1);
    expect(numbered.map((file) => file.n)).toEqual(numbered.map((_, i) => i + 1));
    expect(numbered.flatMap((file) => readFileSync(join(cwd, "roll", file.name), "utf8").trimEnd().split("\n"))).toEqual(sent);
    // The plain file: every line once, in order.
    expect(readFileSync(join(cwd, "plain", "events.log"), "utf8")).toBe(`${sent.join("\n")}\n`);
  }, 90_000);

  it("keeps retrying a full disk with a clear error and a counter, then delivers every line once", async () => {
    const cwd = runDirectory("full");
    mkdirSync(join(cwd, "plain"));
    // Writes to /dev/full fail with ENOSPC, as on a full disk.
    symlinkSync("/dev/full", join(cwd, "plain", "events.log"));
    const { port, agent: running } = await start(cwd);
    const sent = lines(1_200);
    await send(port, sent);
    await waitFor("the full-disk error", () => running.log().includes("sink `plain` cannot write plain/events.log: no space left on the device (ENOSPC)"), 30_000);
    await waitFor("the other sinks to deliver", () => lineCount(join(cwd, "json", "events.jsonl")) === sent.length, 30_000);
    // Space is back: the sink opens the path again for its retry (now a regular file).
    rmSync(join(cwd, "plain", "events.log"));
    await waitFor("every line in the plain file", () => lineCount(join(cwd, "plain", "events.log")) === sent.length, 30_000);
    const log = await stop(running);
    expect(readFileSync(join(cwd, "plain", "events.log"), "utf8")).toBe(`${sent.join("\n")}\n`);
    const stopped = /msg="sink stopped" .*sink=plain .*/.exec(log)?.[0] ?? "";
    expect(stopped).toContain("EventDrainSuccessCount=1200");
    expect(Number(/EventWriteFail=(\d+)/.exec(stopped)?.[1])).toBeGreaterThan(0);
    expect(log).toMatch(/msg="delivery failed, will retry" .*sink=plain/);
  }, 90_000);

  it("finishes the in-progress files a killed agent left, when it starts again", async () => {
    const cwd = runDirectory("crash");
    const first = await start(cwd);
    const sent = lines(2_200);
    await send(first.port, sent);
    // Gzip members are complete per batch, so zcat reads the files in progress too.
    const rolledLines = (): number => {
      try {
        return [...rolledFiles(cwd, "ops"), ...rolledFiles(cwd, "web")].flatMap(zcat).length;
      } catch {
        return 0; // a batch being written
      }
    };
    await waitFor("every line in the rolled files", () => rolledLines() === sent.length, 30_000);
    first.agent.child.kill("SIGKILL");
    await first.agent.exited;
    const left = [...rolledFiles(cwd, "ops"), ...rolledFiles(cwd, "web")].filter((path) => path.endsWith(".tmp"));
    expect(left).toHaveLength(2);
    // A batch torn by the kill: the start of a gzip member with nothing after its header.
    appendFileSync(left[0] as string, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0x4b]));

    const second = await start(cwd);
    expect(second.agent.log()).toContain("finished in-progress files left by an earlier run");
    const files = [...rolledFiles(cwd, "ops"), ...rolledFiles(cwd, "web")];
    expect(files.filter((path) => path.endsWith(".tmp"))).toEqual([]);
    execFileSync("gzip", ["-t", ...files]);
    expect(rolledFiles(cwd, "ops").flatMap(zcat)).toEqual(sent.filter((line) => line.startsWith("dept=ops ")));
    expect(rolledFiles(cwd, "web").flatMap(zcat)).toEqual(sent.filter((line) => line.startsWith("dept=web ")));
    await stop(second.agent);
  }, 90_000);
});
