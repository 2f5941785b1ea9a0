import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrng } from "../../helpers/prng";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { withTimeout } from "../../helpers/with-timeout";

/**
 * The file channel's promise, checked against real kills: a child process (fixtures/crash-agent.ts)
 * puts numbered events and reports each batch once committed and durable, while its sink runner moves
 * them into a file. It is killed with SIGKILL at random moments (seeded), restarted on the same
 * directories each time, and finally stopped cleanly. Then:
 *   - every event reported durable is in the output (nothing committed is lost);
 *   - every event in the output was put (nothing invented): run r put at most one batch beyond the last
 *     one it reported (the one committed when it was killed);
 *   - duplicates: after each kill, at most SINK_BATCH events (the sink's one open take transaction, which
 *     it may have written before the kill but not committed) appear again; none within a run;
 *   - FIFO: within each run's part of the output, each producer run's events are in order;
 *   - at most one torn line per kill (the sink's write cut short by the kill).
 * Each put batch is a 1.6 MB record (large headers), so some kills land in the middle of the channel's
 * write and the next start finds a torn record; the summary line says how many did.
 */
const KILLS = 22;
const PUT_BATCH = 100;
const SINK_BATCH = 100;
const SEED = 20_251_121;
const LINE = /^r(\d{3})s(\d{9})$/;

let temp: { readonly path: string; remove(): void };
let agent: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  temp = createTempDir("flowc-file-crash-");
  // Bundled once: starting a bundle takes a fraction of what compiling TypeScript at each start would.
  agent = join(temp.path, "crash-agent.cjs");
  buildSync({
    entryPoints: [join(__dirname, "fixtures", "crash-agent.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: agent,
    logLevel: "error",
  });
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  temp.remove();
});

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** Last sequence number reported durable, -1 before the first report. */
  durable(): number;
  stdout(): string;
  stderr(): string;
}

function startRun(run: number, channelDir: string, output: string): Run {
  const child = spawn(process.execPath, [agent, channelDir, output, String(run), String(PUT_BATCH), String(SINK_BATCH)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH },
  });
  children.add(child);
  let out = "";
  let err = "";
  let durable = -1;
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const complete = out.length;
    out += chunk;
    // Only whole lines count: a chunk may end in the middle of one.
    for (const match of out.slice(out.lastIndexOf("\n", complete - 1) + 1, out.lastIndexOf("\n") + 1).matchAll(/^D \d+ (\d+)$/gm)) {
      durable = Math.max(durable, Number(match[1]));
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, exited, durable: () => durable, stdout: () => out, stderr: () => err };
}

describe("FileChannel under SIGKILL", () => {
  it(`loses no durably committed event over ${KILLS} kills and duplicates at most one sink batch per kill`, { timeout: 90_000 }, async () => {
    const rng = createPrng(SEED);
    const channelDir = join(temp.path, "channel");
    const output = join(temp.path, "out.txt");
    /** Per producer run, the last sequence number it reported durable. */
    const reported: number[] = [];
    /** Output size when each run started: splits the output into what each run delivered. */
    const starts: number[] = [];
    const delays: number[] = [];
    /** Starts that found a torn or damaged record in the channel's log (a kill during a write). */
    let tornLogs = 0;

    for (let run = 0; run <= KILLS; run++) {
      starts.push(existsSync(output) ? statSync(output).size : 0);
      const current = startRun(run, channelDir, output);
      try {
        await waitFor(`run ${run}'s first durable batch`, () => current.durable() >= 0 || current.child.exitCode !== null, 15_000);
        expect(current.child.exitCode, current.stderr()).toBeNull();
        if (run < KILLS) {
          // Kill at a random moment: puts, fsyncs, takes and the sink's writes are all under way.
          const delay = rng.int(0, 150);
          delays.push(delay);
          await new Promise((resolve) => setTimeout(resolve, delay));
          current.child.kill("SIGKILL");
        } else {
          // The last run: let it deliver a while, then stop it cleanly and let it drain.
          await waitFor("the last run's progress", () => current.durable() >= 20 * PUT_BATCH, 15_000);
          current.child.kill("SIGTERM");
        }
        await withTimeout(current.exited, 30_000, `run ${run} to exit`);
      } finally {
        if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill("SIGKILL");
      }
      reported.push(current.durable());
      if (current.stderr().includes("torn or damaged record")) tornLogs++;
      if (run === KILLS) {
        expect(current.child.exitCode, current.stderr()).toBe(0);
        expect(current.stdout()).toContain("STOPPED 0\n");
      } else {
        expect(current.child.signalCode).toBe("SIGKILL");
      }
    }

    // Parse the output into the part each run delivered.
    const text = readFileSync(output, "latin1");
    const parts = starts.map((start, i) => text.slice(start, starts[i + 1] ?? text.length));
    const seen = new Map<string, number>();
    let torn = 0;
    const duplicatesAfterKill: number[] = [];
    for (let part = 0; part < parts.length; part++) {
      const lines = (parts[part] as string).split("\n");
      if (lines.at(-1) === "") lines.pop();
      let duplicates = 0;
      const lastSeqOfRun = new Map<number, number>();
      const inThisPart = new Set<string>();
      for (const line of lines) {
        const match = LINE.exec(line);
        if (match === null) {
          torn++;
          continue;
        }
        const run = Number(match[1]);
        const seq = Number(match[2]);
        // Nothing invented: from a run that existed, at most one batch past its last durable report.
        expect(run, line).toBeLessThanOrEqual(KILLS);
        expect(seq, line).toBeLessThan((reported[run] as number) + 1 + PUT_BATCH);
        expect(inThisPart.has(line), `${line} delivered twice within run ${part}`).toBe(false);
        inThisPart.add(line);
        if (seen.has(line)) duplicates++;
        else {
          // FIFO: a run's events arrive in order (redeliveries excepted: they repeat what came before).
          expect(seq, `${line} after ${lastSeqOfRun.get(run)} in run ${part}`).toBeGreaterThan(lastSeqOfRun.get(run) ?? -1);
          lastSeqOfRun.set(run, seq);
        }
        seen.set(line, (seen.get(line) ?? 0) + 1);
      }
      if (part > 0) duplicatesAfterKill.push(duplicates);
    }

    // Nothing lost: every event reported durable was delivered.
    const missing: string[] = [];
    for (let run = 0; run <= KILLS; run++) {
      const prefix = `r${String(run).padStart(3, "0")}s`;
      for (let seq = 0; seq <= (reported[run] as number); seq++) {
        const line = prefix + String(seq).padStart(9, "0");
        if (!seen.has(line)) missing.push(line);
      }
    }
    expect(missing.slice(0, 10), `${missing.length} durable events missing`).toEqual([]);

    // Duplicates: at most one sink batch per kill; torn lines: at most one per kill.
    expect(Math.max(...duplicatesAfterKill)).toBeLessThanOrEqual(SINK_BATCH);
    expect(torn).toBeLessThanOrEqual(KILLS);
    const durableEvents = reported.reduce((sum, last) => sum + last + 1, 0);
    expect(durableEvents).toBeGreaterThan(KILLS * PUT_BATCH);
    console.log(
      `crash test: ${KILLS} kills (delays ${Math.min(...delays)}–${Math.max(...delays)} ms), ${durableEvents} events reported durable, ` +
        `${seen.size} distinct delivered, duplicates per kill max ${Math.max(...duplicatesAfterKill)} (total ${duplicatesAfterKill.reduce((a, b) => a + b, 0)}), ${torn} torn output lines, ${tornLogs} restarts found a torn record in the channel's log`,
    );
  });
});
