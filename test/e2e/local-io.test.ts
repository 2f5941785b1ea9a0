import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildFlow } from "../helpers/run-cli";
import { waitFor } from "../helpers/wait-for";
import { withTimeout } from "../helpers/with-timeout";

// One binary for every test here: test/e2e/flows/local-io.flow has the stdin, generator and exec sources
// and the logger and null sinks in one tier, shaped per test through its environment.
const work = mkdtempSync(join(tmpdir(), "flowc-e2e-local-io-"));
const binary = join(work, "dist", "local", "local");
const running: ChildProcess[] = [];

beforeAll(() => {
  buildFlow("test/e2e/flows/local-io.flow", join(work, "dist"));
}, 180_000);

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  readonly child: ChildProcess;
  /** What the agent wrote to stdout (the logger sink's lines) so far. */
  stdout(): string;
  /** Its log (stderr) so far. */
  log(): string;
  readonly exited: Promise<number>;
}

/** Runs `file` with `args` (the agent, or /bin/sh driving it), stdin, stdout and stderr piped. */
function run(file: string, args: readonly string[], env: Record<string, string>, agentArgs: readonly string[] = []): Run {
  const child = spawn(file, [...args, ...agentArgs], { cwd: work, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  running.push(child);
  const out: Buffer[] = [];
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  child.stdin?.on("error", () => undefined);
  const exited = new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : 143))));
  return { child, stdout: () => Buffer.concat(out).toString("utf8"), log: () => err, exited };
}

function linesFrom(stdout: string, origin: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith(`{from=${origin}`))
    .map((line) => line.slice(line.indexOf("} ") + 2));
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("an agent with exec, stdin and generator sources and logger and null sinks", () => {
  it("`cat file | agent`: delivers stdin, the generator's count and the command's output, then exits 0 by itself", async () => {
    const plain = Array.from({ length: 20_000 }, (_, i) => `line ${String(i).padStart(6, "0")} GET /item/${i} 200`);
    const hostile = Buffer.concat([
      Buffer.from("clear \u001b[2J screen\n", "utf8"),
      Buffer.from("tab\there\rreturn\n", "utf8"),
      Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x0a]),
      Buffer.from(`${"x".repeat(3_000)}\n`, "utf8"),
      Buffer.from("ünïcödé and no newline at the end", "utf8"),
    ]);
    const input = join(work, "input.log");
    writeFileSync(input, Buffer.concat([Buffer.from(`${plain.join("\n")}\n`), hostile]));
    const agent = run("/bin/sh", ["-c", 'cat "$INPUT" | "$AGENT"'], {
      INPUT: input,
      AGENT: binary,
      LOCAL_GEN_COUNT: "1000",
      LOCAL_COMMAND: "printf 'one\\ntwo\\n'; echo oops >&2; exit 3",
    });
    expect(await withTimeout(agent.exited, 60_000, "the agent to exit by itself")).toBe(0);

    const stdout = agent.stdout();
    expect(linesFrom(stdout, "stdin")).toEqual([
      ...plain,
      "clear \\x1b[2J screen",
      "tab\\there\\rreturn",
      "bad \\xff\\xfe",
      `${"x".repeat(1_024)}... (+1976 bytes)`,
      "ünïcödé and no newline at the end",
    ]);
    expect(linesFrom(stdout, "generator")).toEqual(Array.from({ length: 1_000 }, (_, i) => `gen ${String(i).padStart(5, "0")}`));
    expect(stdout).toContain("{from=generator X-Run=e2e} gen 00000\n");
    expect(linesFrom(stdout, "exec")).toEqual(["one", "two"]);

    const log = agent.log();
    expect(log).toMatch(/level=info msg="command stderr" tier=local source=cmd pid=\d+ line=oops/);
    expect(log).toMatch(/level=warn msg="command failed" tier=local source=cmd pid=\d+ status=3/);
    expect(log).toContain('msg="end of stdin: finished" tier=local source=input records=20005');
    expect(log).toContain('msg="every source finished: delivering what the channels hold, then stopping"');
    expect(log).toMatch(/msg="source stopped" tier=local source=cmd .*CommandStartCount=1 CommandFailCount=1 StderrLineCount=1 LastExitStatus=3/);
    expect(log).toMatch(/msg="sink stopped" tier=local sink=out .*EventDrainSuccessCount=21007 /);
    expect(log).toMatch(/msg="sink stopped" tier=local sink=void .*EventDrainSuccessCount=1000 /);
    expect(log).toContain("msg=stopped");
  }, 90_000);

  it("runs until SIGTERM while a source has no end, then stops the command's whole process group and exits 0", async () => {
    const agent = run(binary, [], { LOCAL_GEN_RATE: "20", LOCAL_COMMAND: "echo started; sleep 98765 & wait" });
    agent.child.stdin?.write("early\n");
    await waitFor("output of every source", () => /\{from=exec\} started\n/.test(agent.stdout()) && /\{from=stdin\} early\n/.test(agent.stdout()) && /gen 00002\n/.test(agent.stdout()), 15_000);
    const pgid = Number(/msg="command started" tier=local source=cmd pid=(\d+)/.exec(agent.log())?.[1]);
    expect(groupAlive(pgid)).toBe(true);

    agent.child.kill("SIGTERM");
    expect(await withTimeout(agent.exited, 20_000, "the agent to exit")).toBe(0);
    await waitFor("the command's process group to be gone", () => !groupAlive(pgid), 5_000);
    expect(agent.log()).toMatch(/level=info msg="command stopped" tier=local source=cmd pid=\d+ status=143 signal=SIGTERM/);
    expect(agent.log()).not.toContain("every source finished");
    // The generator's numbers have no gap up to the stop.
    const generated = linesFrom(agent.stdout(), "generator");
    expect(generated).toEqual(Array.from({ length: generated.length }, (_, i) => `gen ${String(i).padStart(5, "0")}`));
  }, 60_000);

  it("when its stdout reader goes away (EPIPE), retries without acknowledging anything and does not crash", async () => {
    const agent = run(binary, [], { LOCAL_GEN_COUNT: "5" }, ["--drain-timeout", "1s"]);
    agent.child.stdout?.destroy();
    agent.child.stdin?.end("one\ntwo\n");
    await waitFor("failed deliveries", () => agent.log().includes('msg="delivery failed, will retry" tier=local sink=out'), 15_000);
    expect(agent.log()).toContain('msg="cannot write to stdout" tier=local sink=out');
    // Every source finished, but the events cannot be written: the agent waits instead of exiting 0.
    await waitFor("every source to finish", () => agent.log().includes("every source finished"), 15_000);
    await waitFor("another failed delivery", () => agent.log().split('msg="delivery failed, will retry" tier=local sink=out').length > 2, 15_000);
    expect(agent.child.exitCode).toBeNull();

    agent.child.kill("SIGTERM");
    expect(await withTimeout(agent.exited, 20_000, "the agent to exit")).toBe(1);
    expect(agent.log()).toMatch(/level=error msg="events left undelivered when the drain timeout expired" tier=local events=7/);
    expect(agent.log()).not.toContain("internal error");
  }, 60_000);

  it("splits stdin on the delimiter given at start", async () => {
    const agent = run(binary, [], { LOCAL_GEN_COUNT: "1", LOCAL_DELIMITER: ";" });
    agent.child.stdin?.end("a;b b;c\n");
    expect(await withTimeout(agent.exited, 20_000, "the agent to exit")).toBe(0);
    expect(linesFrom(agent.stdout(), "stdin")).toEqual(["a", "b b", "c\\n"]);
  }, 30_000);

  it("exits 78 naming the placeholder when the generator's body has an unknown one", async () => {
    const agent = run(binary, [], { LOCAL_GEN_BODY: "id=%{uuid}" });
    expect(await withTimeout(agent.exited, 20_000, "the agent to exit")).toBe(78);
    expect(agent.log()).toContain("source `gen`: property `body`: unknown placeholder `%{uuid}`");
    expect(agent.log()).not.toContain("    at ");
  }, 30_000);
});
