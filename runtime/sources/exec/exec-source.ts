import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { AgentExit } from "../../agent/exit-codes";
import { Backoff } from "../../core/backoff";
import type { ChannelProcessor, Source } from "../../core/component";
import { UserFacingError } from "../../core/errors";
import type { FlowEvent } from "../../core/event";
import type { Logger } from "../../core/log";
import { SourceCounter } from "../../metrics/counters";
import type { ConfigOf } from "../../spec";
import { BatchPump } from "../byte-stream/batch-pump";
import { DelimiterSplitter } from "../byte-stream/delimiter-splitter";
import type { execSourceSpec } from "./spec";

export type ExecSourceConfig = ConfigOf<typeof execSourceSpec>;

export class ExecSourceCounter extends SourceCounter {
  LineTruncatedCount = 0;
  /** Runs of the command started: the first and every restart. */
  CommandStartCount = 0;
  /** Runs that ended with a non-zero exit code or by a signal the source did not send, or that could not be started. */
  CommandFailCount = 0;
  /** Lines the command wrote to stderr (logged when `log_stderr`). */
  StderrLineCount = 0;
  /** How the last run ended, as a shell reports it: the exit code, or 128 + the signal's number; -1 before the first run ended. */
  LastExitStatus = -1;
}

/** After SIGTERM at stop, how long the command gets before SIGKILL. */
export const STOP_GRACE_MS = 5_000;
/** After SIGKILL, how long before the output pipes are closed even if something still holds them open. */
const PIPE_GRACE_MS = 1_000;
/** Longest stderr line logged. */
const STDERR_LINE_BYTES = 4_096;

/** One run of the command. */
class Run {
  readonly startedAt = Date.now();
  readonly stdout: DelimiterSplitter;
  /** The source signalled the process group (at stop): an unfinished last line is then discarded. */
  killedByUs = false;
  exitStatus: number | undefined = undefined;
  /** Resolves once the process exited and its output pipes closed (all its output was read). */
  readonly closed: Promise<void>;
  markClosed: () => void = () => undefined;

  constructor(
    readonly child: ChildProcess,
    maxLineLength: number,
    counter: ExecSourceCounter,
  ) {
    this.stdout = new DelimiterSplitter("\n", maxLineLength, counter);
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }
}

/**
 * Runs `/bin/sh -c command` and reads its stdout line by line. When a channel refuses a batch the source
 * stops reading the pipe: once the pipe's buffer (64 KiB on Linux) is full, the command blocks in its next
 * write until the channel has room. The command runs in its own process group, which `stop()` signals
 * (SIGTERM, then SIGKILL after `STOP_GRACE_MS`); what it wrote until then is read and handed over.
 */
export class ExecSource implements Source {
  readonly counter = new ExecSourceCounter();
  /** Without `restart`: resolves once the command ended and all its output is in the channels. */
  readonly finished: Promise<void>;
  private resolveFinished: () => void = () => undefined;
  private readonly pump: BatchPump;
  private readonly backoff: Backoff;
  private run: Run | undefined = undefined;
  private restartTimer: NodeJS.Timeout | undefined = undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined = undefined;
  private log: Logger | undefined = undefined;

  constructor(
    readonly name: string,
    private readonly config: ExecSourceConfig,
    readonly processor: ChannelProcessor,
  ) {
    if (config.command.trim() === "") throw new UserFacingError(`source \`${name}\`: property \`command\` is empty`, AgentExit.config);
    this.pump = new BatchPump(processor, this.counter, config.batch_size, config.batch_timeout, (blocked) => this.onBlocked(blocked));
    this.backoff = new Backoff(config.restart_backoff, Math.max(config.restart_backoff, config.restart_backoff_max));
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  async start(log: Logger): Promise<string> {
    this.log = log.child({ source: this.name });
    this.counter.StartTime = Date.now();
    let run: Run;
    try {
      run = await this.launch();
    } catch (error) {
      throw new UserFacingError(`source \`${this.name}\` cannot run /bin/sh: ${(error as Error).message}`, AgentExit.runtimeFailure);
    }
    return `exec:pid/${run.child.pid ?? 0}`;
  }

  /**
   * Stops the command (SIGTERM to its process group, SIGKILL after `STOP_GRACE_MS`) and resolves once
   * everything it wrote, except an unfinished last line, is in the channels.
   */
  stop(): Promise<void> {
    this.stopped ??= this.halt();
    return this.stopped;
  }

  private async halt(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const run = this.run;
    if (run !== undefined) {
      run.killedByUs = true;
      this.signal(run, "SIGTERM");
      let pipeTimer: NodeJS.Timeout | undefined;
      const killTimer = setTimeout(() => {
        this.log?.warn("the command did not end within the grace period after SIGTERM; sending SIGKILL", { pid: run.child.pid, grace_ms: STOP_GRACE_MS });
        this.signal(run, "SIGKILL");
        // Something outside the process group (a daemonized child) may hold the pipes open: stop waiting for it.
        pipeTimer = setTimeout(() => {
          run.child.stdout?.destroy();
          run.child.stderr?.destroy();
        }, PIPE_GRACE_MS);
      }, STOP_GRACE_MS);
      await run.closed;
      clearTimeout(killTimer);
      clearTimeout(pipeTimer);
    }
    this.pump.flush();
    await this.pump.whenEmpty();
    this.counter.StopTime = Date.now();
  }

  /** Spawns the command; resolves once it runs, rejects when it cannot be spawned at all. */
  private launch(): Promise<Run> {
    const child = spawn("/bin/sh", ["-c", this.config.command], {
      stdio: ["ignore", "pipe", this.config.log_stderr ? "pipe" : "ignore"],
      // Its own process group: stop() signals every process of the command, and a Ctrl-C meant for the
      // agent does not reach it before the agent has read what it wrote.
      detached: true,
    });
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => reject(error);
      child.once("error", failed);
      child.once("spawn", () => {
        child.off("error", failed);
        resolve(this.attach(child));
      });
    });
  }

  private attach(child: ChildProcess): Run {
    const run = new Run(child, this.config.max_line_length, this.counter);
    this.run = run;
    this.counter.CommandStartCount++;
    this.log?.info("command started", { pid: child.pid });
    child.on("error", (error) => this.log?.warn("command process error", { pid: child.pid, error: error.message }));
    const stdout = child.stdout;
    if (stdout !== null) {
      stdout.on("data", (chunk: Buffer) => {
        const events: FlowEvent[] = [];
        run.stdout.push(chunk, events);
        this.counter.EventReceivedCount += events.length;
        this.pump.add(events);
      });
      stdout.on("end", () => this.outputEnded(run));
      if (this.pump.isBlocked) stdout.pause();
    }
    if (child.stderr !== null) this.logStderr(run, child.stderr);
    child.on("exit", (code, signal) => this.exited(run, code, signal));
    child.on("close", () => this.closed(run));
    return run;
  }

  private outputEnded(run: Run): void {
    if (run.killedByUs) {
      const bytes = run.stdout.discard();
      if (bytes > 0) this.log?.warn("the stopped command left an unfinished last line; it is discarded", { bytes });
    } else {
      const events: FlowEvent[] = [];
      run.stdout.flush(events);
      this.counter.EventReceivedCount += events.length;
      this.pump.add(events);
    }
    this.pump.flush();
  }

  private logStderr(run: Run, stderr: NodeJS.ReadableStream): void {
    const splitter = new DelimiterSplitter("\n", STDERR_LINE_BYTES, { LineTruncatedCount: 0 });
    const lines: FlowEvent[] = [];
    const emit = (): void => {
      for (const line of lines) {
        this.counter.StderrLineCount++;
        this.log?.info("command stderr", { pid: run.child.pid, line: line.bodyText() });
      }
      lines.length = 0;
    };
    stderr.on("data", (chunk: Buffer) => {
      splitter.push(chunk, lines);
      emit();
    });
    stderr.on("end", () => {
      splitter.flush(lines);
      emit();
    });
  }

  private exited(run: Run, code: number | null, signal: NodeJS.Signals | null): void {
    const status = code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
    run.exitStatus = status;
    this.counter.LastExitStatus = status;
    const fields = { pid: run.child.pid, status, signal: signal ?? undefined, ran_ms: Date.now() - run.startedAt };
    if (run.killedByUs) this.log?.info("command stopped", fields);
    else if (status === 0) this.log?.info("command exited", fields);
    else {
      this.counter.CommandFailCount++;
      this.log?.warn("command failed", { ...fields, hint: hintFor(status) });
    }
  }

  private closed(run: Run): void {
    if (this.run === run) this.run = undefined;
    run.markClosed();
    if (this.stopping) return;
    if (this.config.restart) {
      if (Date.now() - run.startedAt > this.config.restart_backoff_max) this.backoff.reset();
      this.scheduleRestart();
      return;
    }
    this.pump.flush();
    void this.pump.whenEmpty().then(() => {
      if (this.stopping) return;
      this.log?.info("command ended and its output is delivered: finished", { lines: this.counter.EventReceivedCount });
      this.resolveFinished();
    });
  }

  private scheduleRestart(): void {
    const delay = this.backoff.nextDelayMs();
    this.log?.info("restarting the command", { in_ms: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.launch().catch((error: Error) => {
        this.counter.CommandFailCount++;
        this.log?.error("cannot run /bin/sh", { error: error.message });
        if (!this.stopping) this.scheduleRestart();
      });
    }, delay);
  }

  private onBlocked(blocked: boolean): void {
    const stdout = this.run?.child.stdout;
    if (stdout === null || stdout === undefined) return;
    if (blocked) stdout.pause();
    else stdout.resume();
  }

  /** Signals the run's whole process group (the shell and everything it started). */
  private signal(run: Run, signal: NodeJS.Signals): void {
    const pid = run.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}

function hintFor(status: number): string | undefined {
  if (status === 127) return "the shell could not find the command";
  if (status === 126) return "the command is not executable";
  return undefined;
}
